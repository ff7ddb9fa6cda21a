#!/usr/bin/env python3
"""Summarises an async-profiler CPU profile (collapsed stacks, `threads` option) of the service.

usage: profile_summary.py PROFILE.collapsed

Only the event-loop threads are counted in the first three sections (that is where a request's
CPU goes); the last line puts the log writer beside them. Kernel frames are included: on loopback,
a socket write carries the receiver's whole TCP receive path and its wake-up, which a Java-only
sampler (JFR) cannot see and which is most of what a request costs.
"""
import collections
import sys

LAYERS = [
    ("meservice/", "me-service code"), ("io/vertx/ext/web", "vertx-web"), ("io/vertx/core/json", "vertx-core JSON"),
    ("com/fasterxml", "Jackson"), ("io/vertx/core/http", "vertx-core HTTP"), ("io/vertx/pgclient", "vertx-pg-client"),
    ("io/vertx/sqlclient", "vertx-sql-client"), ("io/vertx/core", "vertx-core other"),
    ("io/netty/handler/codec", "Netty codecs"), ("io/netty/buffer", "Netty buffers"), ("io/netty", "Netty other"),
    ("ch/qos/logback", "logback"), ("org/slf4j", "slf4j"), ("io/micrometer", "Micrometer"),
    ("java/util/concurrent", "JDK concurrent"), ("java/", "JDK other"), ("sun/", "JDK other"), ("jdk/", "JDK other"),
]
SYSCALLS = {"writev": "writev (HTTP responses)", "__send": "send (statements to PostgreSQL)",
            "__GI___send": "send (statements to PostgreSQL)", "recv": "recv (requests, results)",
            "epoll_pwait2": "epoll_wait", "__GI___writev": "writev (HTTP responses)", "write": "write"}


def layer(frame):
    if frame.endswith("_[k]"):
        return "kernel"
    for prefix, name in LAYERS:
        if frame.startswith(prefix):
            return name
    return "JVM/native other"


def main(path):
    by_layer, syscalls, inclusive = collections.Counter(), collections.Counter(), collections.Counter()
    threads, total = collections.Counter(), 0
    for line in open(path):
        stack, count = line.rsplit(" ", 1)
        count = int(count)
        frames = stack.split(";")
        thread = frames[0].strip("[]").rsplit(" tid=", 1)[0]
        threads["event loops" if thread.startswith("vert.x-eventloop") else thread] += count
        if not thread.startswith("vert.x-eventloop"):
            continue
        total += count
        by_layer[layer(frames[-1])] += count
        if frames[-1].endswith("_[k]"):
            call = next((SYSCALLS[f] for f in reversed(frames) if f in SYSCALLS), "other kernel work")
            syscalls[call] += count
        for frame in set(frames[1:]):
            if frame.startswith("meservice/") and "$$Lambda" not in frame:
                inclusive[frame] += count
    if total == 0:
        print("no event-loop samples")
        return
    pct = lambda n: f"{100 * n / total:6.2f}%"
    print(f"{total} event-loop samples in {path}\n\nEvent-loop CPU by layer (self time of the sampled frame):")
    for name, n in by_layer.most_common():
        print(f"  {pct(n)}  {name}")
    print("\nKernel time by the system call it serves:")
    for name, n in syscalls.most_common():
        print(f"  {pct(n)}  {name}")
    print("\nme-service frames (inclusive: the frame or anything it called):")
    for frame, n in inclusive.most_common(30):
        print(f"  {pct(n)}  {frame.replace('/', '.')}")
    print("\nSamples by thread (whole run, warm-up included):")
    for name, n in threads.most_common(8):
        print(f"  {n:8d}  {name}")


if __name__ == "__main__":
    main(sys.argv[1])
