"""The report of one bench/ha.sh run: per phase, what the load client saw, against the targets.

    python3 bench/ha_report.py WORK OUT.json SETTINGS_JSON SWITCHOVER_JSON FAILOVER_JSON REWIND_TEXT [REVOCATION_JSON...]

Reads WORK/requests.tsv (every request of bench/tools/ClusterLoad.java), WORK/phases.tsv
(`phase NAME EDGE epoch_ms`: start, event, reachable, end), WORK/load.json (the database check)
and the instances' logs; writes OUT.json and prints a summary. Exit status 1 when a target of
RELIABILITY.md's failover table is missed. Standard library only.
"""
import collections
import glob
import json
import os
import re
import sys

PHASES = ("switchover", "failover", "revoke", "rejoin")
SETTLE_MS = 5000  # every PATCH succeeds within this long after the new primary is reachable
# No hang: every request is answered within the service's own bound on a database wait
# (DB_STATEMENT_TIMEOUT_MS + 3 s at the defaults the harness runs, docs/design.md "Database faults are answered"; a
# write waiting for a primary waits at most that long) plus a second for the balancer and a
# loaded host.
HANG_MS = 5000 + 3000 + 1000


def read_requests(work):
    with open(f"{work}/requests.tsv") as f:
        next(f)
        for line in f:
            sent, answered, method, status, retry_after, service, check, reason = line.rstrip("\n").split("\t", 7)
            yield {"sent": int(sent), "answered": int(answered), "method": method, "status": int(status),
                   "retry_after": retry_after == "1", "service": service == "1", "check": check, "reason": reason}


def gap(good_times, event, end, last_failure):
    """Longest time without a success from the last one before the event to the end of the phase
    (gap_ms, from_ms and to_ms relative to the event; to_ms None: still open at the end), and
    whether the method recovered: a success after its last failure in the phase."""
    before = [t for t in good_times if t <= event]
    points = [before[-1] if before else event] + [t for t in good_times if event < t <= end]
    best = {"gap_ms": 0, "from_ms": None, "to_ms": None}
    for a, b in zip(points, points[1:] + [None]):
        length = (b if b is not None else end) - a
        if length > best["gap_ms"]:
            best = {"gap_ms": length, "from_ms": a - event, "to_ms": None if b is None else b - event}
    best["recovered"] = last_failure is None or points[-1] > last_failure
    return best


def failure_key(r):
    """Method, status, who answered (HAProxy answers itself when no instance is in rotation) and,
    for a 503, whether it had Retry-After."""
    if r["status"] == 0:
        return f"{r['method']} no answer"
    key = f"{r['method']} {r['status']}" + ("" if r["service"] else " from HAProxy")
    if r["status"] == 503:
        key += " with Retry-After" if r["retry_after"] else " without Retry-After"
    return key


def phase_report(name, edges, requests, good):
    start, end = edges["start"], edges["end"]
    event = edges.get("event", start)
    inside = [r for r in requests if start <= r["answered"] <= end]
    failed = [r for r in inside if r["status"] != 200]
    report = {
        "window_ms": end - start,
        "requests": len(inside),
        "get": sum(r["method"] == "GET" for r in inside),
        "patch": sum(r["method"] == "PATCH" for r in inside),
        "failed": dict(sorted(collections.Counter(failure_key(r) for r in failed).items())),
        "failure_reasons": dict(collections.Counter(r["reason"] for r in failed).most_common(5)),
        "checks": dict(collections.Counter(r["check"] for r in inside if r["check"] != "-")),
        "slowest_ms": max((r["answered"] - r["sent"] for r in inside), default=0),
        "answered_past_bound": sum(r["answered"] - r["sent"] > HANG_MS for r in inside),
    }
    for edge in ("command_returned", "reachable"):
        if edge in edges:
            report[f"{edge}_after_event_ms"] = edges[edge] - event
    for method in ("PATCH", "GET"):
        last_failure = max((r["answered"] for r in failed if r["method"] == method), default=None)
        report[f"{method.lower()}_gap"] = gap(good[method], event, end, last_failure)
        report[f"last_failed_{method.lower()}_after_event_ms"] = None if last_failure is None else last_failure - event
        # A method failing on some connections and not others has short gaps: this shows it.
        report[f"{method.lower()}_failures_in_last_5s"] = sum(
            r["method"] == method and r["answered"] > end - 5000 for r in failed)
    if "reachable" in edges:
        settled = [r for r in inside if r["method"] == "PATCH" and r["answered"] > edges["reachable"] + SETTLE_MS]
        report["patches_later_than_5s_after_reachable"] = len(settled)
        report["patch_failures_later_than_5s_after_reachable"] = sum(r["status"] != 200 for r in settled)
    return report


def instance_logs(work):
    """Per instance: 500s (unhandled failures), 503s (database unavailable) and the SQLSTATEs logged."""
    out = {}
    for path in sorted(glob.glob(f"{work}/instance-*.log")):
        name = "i" + os.path.basename(path)[len("instance-"):-len(".log")]
        states = collections.Counter()
        unhandled = unavailable = 0
        with open(path, errors="replace") as f:
            for line in f:
                if "unhandled failure" in line:
                    unhandled += 1
                elif "database unavailable" in line:
                    unavailable += 1
                m = re.search(r"PgException: .*\((\w{5})\)\s*$", line)
                if m:
                    states[m.group(1)] += 1
        out[name] = {"unhandled_failure_lines": unhandled, "database_unavailable_lines": unavailable,
                     "pg_sqlstates": dict(states)}
    return out


def main():
    work, out, settings, switchover, failover, rewind = sys.argv[1:7]
    revocations = [json.loads(r) for r in sys.argv[7:]]
    load = json.load(open(f"{work}/load.json"))
    phases = {}
    for line in open(f"{work}/phases.tsv"):
        name, edge, ms = line.rstrip("\n").split("\t")
        phases.setdefault(name, {})[edge] = int(ms)
    requests = list(read_requests(work))
    good = {m: sorted(r["answered"] for r in requests if r["method"] == m and r["status"] == 200)
            for m in ("GET", "PATCH")}
    result = {
        "settings": json.loads(settings),
        "switchover": json.loads(switchover),
        "failover": json.loads(failover),
        "rejoin_rewind_log": rewind.strip(),
        "phases": {name: phase_report(name, phases[name], requests, good) for name in PHASES if name in phases},
        "revocations": revocations,
        "load": load,
        "instances": instance_logs(work),
    }

    def revocation_ok(r):
        return ("error" not in r and len(r["evicted_after_commit_ack_ms"]) == 3
                and all(v <= 1000 for v in r["evicted_after_commit_ack_ms"])
                and len(r["refused_request_sent_after_ms"]) == 3
                and all(0 <= v <= 1000 for v in r["refused_request_sent_after_ms"].values()))

    p = result["phases"]
    all_failed = collections.Counter()
    for ph in p.values():
        all_failed.update(ph["failed"])
    all_checks = collections.Counter()
    for ph in p.values():
        all_checks.update(ph["checks"])
    failover_gets = sum(1 for r in requests if r["method"] == "GET"
                        and phases["failover"]["start"] <= r["answered"] <= phases["failover"]["end"])
    failover_get_failures = sum(v for k, v in p["failover"]["failed"].items() if k.startswith("GET"))
    targets = {
        "no 500 in any phase": sum(v for k, v in all_failed.items() if k.endswith(" 500")) == 0,
        "every 503 has Retry-After": sum(v for k, v in all_failed.items() if "without Retry-After" in k) == 0,
        f"no hang (every request answered within {HANG_MS / 1000:.0f} s)": all(ph["answered_past_bound"] == 0 for ph in p.values()),
        "switchover: every PATCH succeeds within 5 s of the new primary being reachable":
            p["switchover"]["patch_failures_later_than_5s_after_reachable"] == 0,
        "failover: every PATCH succeeds within 5 s of the new primary being reachable":
            p["failover"]["patch_failures_later_than_5s_after_reachable"] == 0,
        "rejoin: no failed request": not p["rejoin"]["failed"],
        "0 acknowledged writes lost (database check and live version check)":
            load["acknowledged_writes_lost"] == 0 and all_checks["version_regressed"] == 0,
        "0 read-your-writes violations": all_checks["stale_read"] == 0 and all_checks["malformed_body"] == 0,
        "revocation refused by every instance within 1 s": bool(revocations) and all(map(revocation_ok, revocations)),
    }
    if result["settings"]["reads"] == "replica":
        targets[">= 99% of GETs succeed through the failover"] = (
            failover_gets > 0 and (failover_gets - failover_get_failures) / failover_gets >= 0.99)
    result["targets"] = targets
    json.dump(result, open(out, "w"), indent=2)

    s = result["settings"]
    print(f"{s['nodes']} PostgreSQL nodes, ttl {s['ttl']} loop_wait {s['loop_wait']} retry_timeout {s['retry_timeout']}, "
          f"synchronous_commit {s['synchronous_commit']}; pool_mode {s['pool_mode']}, reads {s['reads']}, "
          f"write port route {s['route']} ({s['haproxy_write_check']}); "
          f"{s['rate']} req/s from {s['workers']} workers; code {s['git']}")
    print(f"load average before {s['load_average_before']}, after {s['load_average_after']}; machine busy {s['machine_busy']}; "
          f"cores used by {s.get('cores_used_by')}")
    print(f"requests {load['requests']} (GET ok {load['get_ok']} failed {load['get_failed']}, "
          f"PATCH ok {load['patch_ok']} failed {load['patch_failed']}); statuses {load['statuses']}")
    labels = {"switchover": f"(a) switchover {result['switchover']}", "failover": f"(b) failover {result['failover']}",
              "revoke": "revocation rounds after the failover", "rejoin": "(c) rejoin"}

    def fmt_gap(g):
        until = f"{g['to_ms']} ms" if g["to_ms"] is not None else "the end of the phase"
        text = f"{g['gap_ms']} ms (from {g['from_ms']} ms after the event to {until})"
        return text if g["recovered"] else text + ", NOT RECOVERED: it failed after its last success"

    for name, ph in p.items():
        print(f"{labels[name]}: {ph['requests']} requests in {ph['window_ms'] / 1000:.1f} s")
        for edge in ("command_returned", "reachable"):
            if f"{edge}_after_event_ms" in ph:
                print(f"    {edge.replace('_', ' ')} after {ph[f'{edge}_after_event_ms']} ms")
        print(f"    failed: {ph['failed'] or 'none'}")
        if ph["failed"]:
            print(f"    reasons: {ph['failure_reasons']}")
        print(f"    write gap {fmt_gap(ph['patch_gap'])}; last failed PATCH {ph['last_failed_patch_after_event_ms']} ms after the event, "
              f"{ph['patch_failures_in_last_5s']} in the phase's last 5 s"
              + (f"; PATCHes failed > 5 s after reachable: {ph['patch_failures_later_than_5s_after_reachable']} "
                 f"of {ph['patches_later_than_5s_after_reachable']}" if "patches_later_than_5s_after_reachable" in ph else ""))
        print(f"    read gap {fmt_gap(ph['get_gap'])}; last failed GET {ph['last_failed_get_after_event_ms']} ms after the event, "
              f"{ph['get_failures_in_last_5s']} in the phase's last 5 s")
        print(f"    checks: {ph['checks'] or 'no read-your-writes violation, no acknowledged write seen lost'}; "
              f"slowest answer {ph['slowest_ms']} ms")
        for r in revocations if name == "revoke" else ():
            if "error" in r:
                print(f"    round {r['round']}: FAILED ({r['error']})")
            else:
                print(f"    evicted by each instance {r['evicted_after_commit_ack_ms']} ms after the commit's acknowledgement; "
                      f"first 401 requests sent {r['refused_request_sent_after_ms']} ms after it, answered {r['refused_after_ms']} ms")
    print(f"(c) rewind: {result['rejoin_rewind_log'][:300]}")
    print(f"database check: {load['users_checked']} users, acknowledged writes lost {load['acknowledged_writes_lost']}, "
          f"in-doubt writes that committed {load['in_doubt_writes_committed']}")
    for name, i in result["instances"].items():
        print(f"instance {name}: {i['unhandled_failure_lines']} unhandled-failure (500) log lines, "
              f"{i['database_unavailable_lines']} database-unavailable (503) lines, SQLSTATEs {i['pg_sqlstates']}")
    for target, ok in targets.items():
        print(f"  {'PASS' if ok else 'FAIL'}  {target}")
    print(("PASS" if all(targets.values()) else "FAIL"), f"-> {out}")
    sys.exit(0 if all(targets.values()) else 1)


if __name__ == "__main__":
    main()
