"""Turns one harness run (runs.jsonl) into results JSON, a Markdown table, a plot and BENCHMARKS.md.

Standard library only; the plot is drawn by gnuplot (Debian package gnuplot-nox).
"""
import argparse
import json
import os
import re
import subprocess
import tempfile

BEGIN = "<!-- bench:results:begin -->"
END = "<!-- bench:results:end -->"


def rps(run):
    w = run["wrk"]
    return w["requests"] * 1e6 / w["duration_us"]


def ms(us):
    return us / 1000.0


def build(runs):
    """One row per (users, connections): the runs side by side (GET, select, the peer's /db, PATCH, upsert),
    and the ratios."""
    by = {}
    for r in runs:
        if r["kind"] == "service_total":
            continue
        by.setdefault((r["users"], r["connections"]), {})[r["kind"]] = r
    best_upsert = {}
    for (users, _), kinds in by.items():
        if "upsert" in kinds:
            best_upsert[users] = max(best_upsert.get(users, 0), kinds["upsert"]["pgbench"]["tps"])
    rows = []
    for (users, conns), k in sorted(by.items()):
        get, patch, sel, ups, peer = k.get("GET"), k.get("PATCH"), k.get("select"), k.get("upsert"), k.get("peer")
        peerjson = k.get("peerjson")
        row = {"users": users, "connections": conns}
        if get and sel:
            row.update(get_rps=rps(get), select_tps=sel["pgbench"]["tps"], get_ratio=rps(get) / sel["pgbench"]["tps"],
                       get_p50_ms=ms(get["wrk"]["p50_us"]), get_p99_ms=ms(get["wrk"]["p99_us"]),
                       get_max_ms=ms(get["wrk"]["max_us"]), get_non_2xx=get["wrk"]["non_2xx"],
                       get_errors=sum(get["wrk"][e] for e in ("connect_errors", "read_errors", "write_errors", "timeouts")),
                       get_cpu=get["service_cpu_cores"], get_rss_mib=get["service_vmhwm_kib"] / 1024,
                       get_machine_busy=get["machine_busy"],
                       select_p50_ms=ms(sel["pgbench"]["p50_us"]), select_p99_ms=ms(sel["pgbench"]["p99_us"]))
        if peer:
            # TechEmpower's vertx-web /db under the same wrk command as GET; its CPU and RSS are the peer's.
            row.update(peer_rps=rps(peer), peer_p50_ms=ms(peer["wrk"]["p50_us"]), peer_p99_ms=ms(peer["wrk"]["p99_us"]),
                       peer_max_ms=ms(peer["wrk"]["max_us"]), peer_non_2xx=peer["wrk"]["non_2xx"],
                       peer_errors=sum(peer["wrk"][e] for e in ("connect_errors", "read_errors", "write_errors", "timeouts")),
                       peer_cpu=peer["service_cpu_cores"], peer_rss_mib=peer["service_vmhwm_kib"] / 1024,
                       peer_machine_busy=peer["machine_busy"])
            if get:
                row["get_peer_ratio"] = rps(get) / rps(peer)
        if peerjson:
            # The framework's own ceiling: TechEmpower's vertx-web /json (no database), same wrk command.
            row.update(peerjson_rps=rps(peerjson), peerjson_p99_ms=ms(peerjson["wrk"]["p99_us"]),
                       peerjson_cpu=peerjson["service_cpu_cores"])
            if get:
                row.update(get_rps=rps(get), get_peerjson_ratio=rps(get) / rps(peerjson))
        if patch and ups:
            row.update(patch_rps=rps(patch), upsert_tps=ups["pgbench"]["tps"], best_upsert_tps=best_upsert[users],
                       patch_ratio=rps(patch) / ups["pgbench"]["tps"], patch_best_ratio=rps(patch) / best_upsert[users],
                       patch_p50_ms=ms(patch["wrk"]["p50_us"]), patch_p99_ms=ms(patch["wrk"]["p99_us"]),
                       patch_max_ms=ms(patch["wrk"]["max_us"]), patch_non_2xx=patch["wrk"]["non_2xx"],
                       patch_errors=sum(patch["wrk"][e] for e in ("connect_errors", "read_errors", "write_errors", "timeouts")),
                       patch_cpu=patch["service_cpu_cores"], patch_rss_mib=patch["service_vmhwm_kib"] / 1024,
                       patch_machine_busy=patch["machine_busy"],
                       upsert_p50_ms=ms(ups["pgbench"]["p50_us"]), upsert_p99_ms=ms(ups["pgbench"]["p99_us"]))
        rows.append(row)
    return rows


def targets(rows, runs):
    peak = max((r["service_vmhwm_kib"] for r in runs if r["kind"] == "service_total"), default=0) / 1024
    checks = []
    for users in sorted({r["users"] for r in rows if "patch_rps" in r}):
        mine = [r for r in rows if r["users"] == users and "patch_rps" in r]
        best = max(mine, key=lambda r: r["patch_rps"])
        ratio = best["patch_rps"] / best["best_upsert_tps"]
        checks.append((f"best PATCH >= 0.9 x best pgbench upsert ({users} users)", ratio >= 0.9,
                       f"{ratio:.2f}x ({best['patch_rps']:,.0f} at {best['connections']} vs {best['best_upsert_tps']:,.0f})"))
    for r in rows:
        tag = f"{r['users']} users, {r['connections']} conns"
        if "get_ratio" in r:
            floor = 1.0 if r["connections"] >= 64 else 0.6
            checks.append((f"GET >= {floor} x pgbench select ({tag})", r["get_ratio"] >= floor, f"{r['get_ratio']:.2f}x"))
        if "get_peer_ratio" in r and r["connections"] in (64, 256):
            # Informational: on these 2 cores 1.0x pgbench select is about 0.8x the peer's /db.
            peer_bad = r["peer_non_2xx"] + r["peer_errors"]
            checks.append((f"GET >= 0.8 x peer /db ({tag})", r["get_peer_ratio"] >= 0.8,
                           f"{r['get_peer_ratio']:.2f}x ({r['get_rps']:,.0f} vs {r['peer_rps']:,.0f}"
                           f"{f', peer non-2xx {peer_bad}' if peer_bad else ''})", True))
        if "get_peerjson_ratio" in r:
            # Issue 16: an authenticated, logged, per-user answer at 80% of the framework's bare JSON
            # (70% at 16 connections), and p99 at 256 within 1.5x the peer's /json.
            want = 0.7 if r["connections"] == 16 else 0.8
            checks.append((f"GET >= {want} x peer /json ({tag})", r["get_peerjson_ratio"] >= want,
                           f"{r['get_peerjson_ratio']:.2f}x ({r['get_rps']:,.0f} vs {r['peerjson_rps']:,.0f})", True))
            if r["connections"] == 256:
                checks.append((f"GET p99 < 1.5 x peer /json p99 ({tag})", r["get_p99_ms"] < 1.5 * r["peerjson_p99_ms"],
                               f"{r['get_p99_ms']:.1f} ms vs {r['peerjson_p99_ms']:.1f} ms", True))
        if r["connections"] == 256:
            if "get_p99_ms" in r:
                checks.append((f"GET p99 < 10 ms ({tag})", r["get_p99_ms"] < 10, f"{r['get_p99_ms']:.1f} ms"))
            if "patch_p99_ms" in r:
                checks.append((f"PATCH p99 < 60 ms ({tag})", r["patch_p99_ms"] < 60, f"{r['patch_p99_ms']:.1f} ms"))
    bad = sum(r.get("get_non_2xx", 0) + r.get("patch_non_2xx", 0) + r.get("get_errors", 0) + r.get("patch_errors", 0)
              for r in rows)
    checks.append(("zero non-2xx responses and socket errors", bad == 0, str(bad)))
    checks.append(("service peak RSS < 256 MiB", peak < 256, f"{peak:.0f} MiB"))
    return [{"target": c[0], "met": c[1], "measured": c[2], **({"informational": True} if c[3:] else {})}
            for c in checks], peak


def markdown(result):
    rows, lines = result["rows"], []
    m, pg, cfg = result["machine"], result["postgres"], result["config"]
    lines.append(f"Run `{result['stamp']}`{' (' + cfg['label'] + ')' if cfg.get('label') else ''}: "
                 f"{m['cpu']}, {m['cores']} cores, {m['memory_mib']} MiB, Linux {m['kernel']}, {m['java']}; "
                 f"PostgreSQL {pg.get('server_version')} (synchronous_commit={pg.get('synchronous_commit')}, "
                 f"fsync={pg.get('fsync')}, shared_buffers={int(pg.get('shared_buffers', 0)) * 8 // 1024} MiB); "
                 f"load average before the run {m['load_before']}. {cfg['duration_s']} s per run after a "
                 f"{cfg['warmup_s']} s warm-up, {cfg['tokens']} rotating tokens, wrk and pgbench with "
                 f"{cfg['wrk_threads']} threads on the same 2 cores. JVM: `{cfg['java_opts']}`"
                 f"{'; service env: `' + cfg['service_env'] + '`' if cfg.get('service_env') else ''}.")
    peer = any("peer_rps" in r for r in rows)
    if peer:
        lines.append("")
        lines.append(f"Peer: TechEmpower's vertx-web `/db` (bench/peer; one random `World` row as JSON) under the same wrk "
                     f"command as GET, transport {cfg.get('peer_transport') or '?'}, JVM: `{cfg.get('peer_java_opts', '?')}`.")
    lines.append("")
    lines.append("| users | conns | GET req/s | pgbench select tx/s | GET / select "
                 + ("| peer /db req/s | GET / peer " if peer else "")
                 + "| GET p50 / p99 / max ms | pgbench select p99 ms | service CPU (cores) | non-2xx "
                 + ("| peer p99 ms | peer CPU (cores) " if peer else "") + "|")
    lines.append("|" + "---:|" * (13 if peer else 9))
    for r in rows:
        if "get_rps" in r:
            def cell(key, fmt):
                return format(r[key], fmt) if key in r else "-"
            lines.append(f"| {r['users']:,} | {r['connections']} | {r['get_rps']:,.0f} | {r['select_tps']:,.0f} "
                         f"| **{r['get_ratio']:.2f}x** "
                         + (f"| {cell('peer_rps', ',.0f')} | {cell('get_peer_ratio', '.2f')}x " if peer else "")
                         + f"| {r['get_p50_ms']:.2f} / {r['get_p99_ms']:.2f} / {r['get_max_ms']:.1f} "
                         f"| {r['select_p99_ms']:.2f} | {r['get_cpu']:.2f} | {r['get_non_2xx'] + r['get_errors']} "
                         + (f"| {cell('peer_p99_ms', '.2f')} | {cell('peer_cpu', '.2f')} " if peer else "") + "|")
    lines.append("")
    lines.append("| users | conns | PATCH req/s | pgbench upsert tx/s | PATCH / upsert | PATCH / best upsert "
                 "| PATCH p50 / p99 / max ms | pgbench upsert p99 ms | service CPU (cores) | non-2xx |")
    lines.append("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for r in rows:
        if "patch_rps" in r:
            lines.append(f"| {r['users']:,} | {r['connections']} | {r['patch_rps']:,.0f} | {r['upsert_tps']:,.0f} "
                         f"| {r['patch_ratio']:.2f}x | **{r['patch_best_ratio']:.2f}x** "
                         f"| {r['patch_p50_ms']:.2f} / {r['patch_p99_ms']:.2f} / {r['patch_max_ms']:.1f} "
                         f"| {r['upsert_p99_ms']:.2f} | {r['patch_cpu']:.2f} | {r['patch_non_2xx'] + r['patch_errors']} |")
    lines.append("")
    lines.append(f"Service peak RSS (VmHWM over the whole run): **{result['peak_rss_mib']:.0f} MiB**.")
    for r in result["runs"]:
        if r["kind"] == "service_total" and "log_lines_written" in r:
            lines.append("")
            lines.append(f"Access log ({r['users']:,} users): {r['log_lines_written']:,} JSON lines written, "
                         f"{r['log_lines_dropped'] if r['log_lines_dropped'] is not None else '?'} dropped "
                         f"(`log_lines_dropped_total`).")
    lines.append("")
    lines.append("| target | measured | met |")
    lines.append("|---|---:|:---:|")
    for t in result["targets"]:
        met = "yes" if t["met"] else "no (informational)" if t.get("informational") else "**no**"
        lines.append(f"| {t['target']} | {t['measured']} | {met} |")
    lines.append("")
    lines.append("![throughput and p99 against connections](bench/results/plot.png)")
    return "\n".join(lines) + "\n"


def plot(rows, path):
    data = tempfile.NamedTemporaryFile("w", suffix=".dat", delete=False)
    sets = sorted({r["users"] for r in rows})
    for i, users in enumerate(sets):
        if i:
            data.write("\n\n")
        for r in rows:
            if r["users"] == users:
                data.write(" ".join(str(round(v, 3)) for v in (
                    r["connections"], r.get("get_rps", 0), r.get("select_tps", 0), r.get("patch_rps", 0),
                    r.get("upsert_tps", 0), r.get("peer_rps", 0), r.get("get_p99_ms", 0), r.get("select_p99_ms", 0),
                    r.get("patch_p99_ms", 0), r.get("upsert_p99_ms", 0), r.get("peer_p99_ms", 0))) + "\n")
    data.close()
    peer = any("peer_rps" in r for r in rows)
    series = []
    for i, users in enumerate(sets):
        dash = 1 if i == 0 else 2
        label = f"{users:,} users"
        series.append([
            (2, f"GET /v1/me ({label})", 1, dash), (3, f"pgbench FIND\\_USER ({label})", 2, dash),
            (4, f"PATCH /v1/me ({label})", 3, dash), (5, f"pgbench PATCH\\_PREFERENCES ({label})", 4, dash)]
            + ([(6, f"peer vertx-web /db ({label})", 7, dash)] if peer else []))

    def plots(offset):
        parts = []
        for i, s in enumerate(series):
            for col, title, colour, dash in s:
                parts.append(f"'{data.name}' index {i} using 1:{col + offset} with linespoints lw 2 pt 7 "
                             f"lc {colour} dt {dash} title '{title}'")
        return ", \\\n  ".join(parts)

    script = f"""
set terminal pngcairo size 1200,600 font 'DejaVu Sans,10'
set output '{path}'
set multiplot layout 1,2 title 'me-service vs pgbench running the same SQL{" and TechEmpower vertx-web /db" if peer else ""} (2 cores, durable commits)'
set logscale x 2
set xtics (16, 64, 256)
set xrange [12:340]
set xlabel 'connections / clients'
set grid
set key below font ',8' maxrows 2
set ylabel 'requests (transactions) per second'
set yrange [0:*]
plot {plots(0)}
set ylabel 'p99 latency (ms)'
set logscale y
set yrange [*:*]
plot {plots(5)}
unset multiplot
"""
    try:
        subprocess.run(["gnuplot"], input=script, text=True, check=True)
    except subprocess.CalledProcessError:
        # Older gnuplot builds lack pngcairo; the plain png terminal draws the same chart.
        subprocess.run(["gnuplot"], input=script.replace("pngcairo", "png").replace("font 'DejaVu Sans,10'", ""),
                       text=True, check=True)
    os.unlink(data.name)


def main():
    ap = argparse.ArgumentParser()
    for name in ("runs", "stamp", "machine", "postgres", "config", "results", "benchmarks"):
        ap.add_argument("--" + name, required=True)
    ap.add_argument("--publish", action=argparse.BooleanOptionalAction, default=True,
                    help="also write latest.*, plot.png and the table in BENCHMARKS.md")
    a = ap.parse_args()
    runs = [json.loads(line) for line in open(a.runs) if line.strip()]
    rows = build(runs)
    checks, peak = targets(rows, runs)
    result = {"stamp": a.stamp, "machine": json.loads(a.machine), "postgres": json.loads(a.postgres),
              "config": json.loads(a.config), "rows": rows, "targets": checks, "peak_rss_mib": peak, "runs": runs}
    with open(os.path.join(a.results, a.stamp + ".json"), "w") as f:
        json.dump(result, f, indent=1)
    table = markdown(result)
    print(table)
    if not a.publish:
        return
    with open(os.path.join(a.results, "latest.json"), "w") as f:
        json.dump(result, f, indent=1)
    plot(rows, os.path.join(a.results, "plot.png"))
    with open(os.path.join(a.results, "latest.md"), "w") as f:
        f.write(table)
    if os.path.exists(a.benchmarks):
        text = open(a.benchmarks).read()
        if BEGIN in text and END in text:
            text = re.sub(re.escape(BEGIN) + ".*?" + re.escape(END), lambda _: BEGIN + "\n" + table + END, text,
                          flags=re.S)
            open(a.benchmarks, "w").write(text)
            print(f"updated {a.benchmarks}")


if __name__ == "__main__":
    main()
