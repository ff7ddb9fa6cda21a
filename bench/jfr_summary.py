"""Summarises a JFR recording's execution samples: Java time by layer, hottest frames, our frames.

usage: python3 bench/jfr_summary.py service.jfr   (needs the JDK's `jfr` tool on PATH)
JFR samples threads running Java code; time in the kernel (socket reads and writes) does not
appear here: the harness reports it as service_sys_cores.
"""
import collections
import re
import subprocess
import sys

LAYERS = [
    ("meservice.", "me-service code"),
    ("io.vertx.ext.web.", "vertx-web (router, body handler)"),
    ("io.vertx.json.schema.", "vertx-json-schema"),
    ("io.vertx.ext.auth.", "vertx-auth"),
    ("io.vertx.pgclient.", "vertx-pg-client"),
    ("io.vertx.sqlclient.", "vertx-sql-client"),
    ("io.vertx.core.json.", "vertx-core JSON"),
    ("com.fasterxml.jackson.", "Jackson"),
    ("io.vertx.core.http.", "vertx-core HTTP"),
    ("io.vertx.", "vertx-core other (futures, contexts, pool)"),
    ("io.netty.handler.codec.http.", "Netty HTTP codec"),
    ("io.netty.channel.epoll.", "Netty epoll transport"),
    ("io.netty.buffer.", "Netty buffers"),
    ("io.netty.", "Netty other (pipeline, event loop)"),
    ("sun.security.", "JDK crypto"),
    ("java.security.", "JDK crypto"),
    ("java.util.", "JDK collections"),
    ("java.", "JDK other"),
    ("jdk.", "JDK other"),
    ("sun.", "JDK other"),
]


def layer(frame):
    for prefix, name in LAYERS:
        if frame.startswith(prefix):
            return name
    return "other"


def main(path):
    text = subprocess.run(["jfr", "print", "--events", "jdk.ExecutionSample", path],
                          capture_output=True, text=True, check=True).stdout
    self_frames, inclusive, layers = collections.Counter(), collections.Counter(), collections.Counter()
    for event in text.split("jdk.ExecutionSample")[1:]:
        frames = re.findall(r"^\s+([\w.$<>]+\.[\w$<>]+)\(", event, re.M)
        if not frames:
            continue
        self_frames[frames[0]] += 1
        layers[layer(frames[0])] += 1
        for frame in set(frames):
            if frame.startswith("meservice."):
                inclusive[frame] += 1
    total = sum(self_frames.values()) or 1
    print(f"{total} execution samples in {path}\n")
    print("Java CPU by layer (self time of the sampled frame):")
    for name, count in layers.most_common():
        print(f"  {100 * count / total:5.1f}%  {name}")
    print("\nHottest frames (self):")
    for frame, count in self_frames.most_common(20):
        print(f"  {100 * count / total:5.1f}%  {frame}")
    print("\nme-service frames (inclusive: the frame or anything it called):")
    for frame, count in inclusive.most_common(20):
        print(f"  {100 * count / total:5.1f}%  {frame}")


if __name__ == "__main__":
    main(sys.argv[1])
