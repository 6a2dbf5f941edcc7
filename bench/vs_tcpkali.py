#!/usr/bin/env python3
"""wsload beside tcpkali, whole process, same run (issue 14).

Starts one `wsload serve` (release, plain, no deflate) on 127.0.0.1 and opens the same number of WebSockets to
it from the same source addresses with tcpkali and with `wsload run`, alternately (round 1: tcpkali first,
round 2: wsload first, …), each holding them for the same time. For each process it records what
`/usr/bin/time -v` reports — maximum RSS and user + system CPU, from the `wait4` rusage of the process — and the
time from exec until every connection is established (tcpkali: its "Ramped up to N connections." line;
wsload: the report's hold start), and for wsload the RSS rise after the hold (VmRSS every 20 ms: the highest sample after
the report's close start against the last one before it). Prints one Markdown row per run, then the medians and the ratios
wsload / tcpkali, and an idle row (10 connections).

tcpkali is not part of wsload: build it by hand, outside this repository, from its public source
(github.com/satori-com/tcpkali; on glibc >= 2.32 drop the `#include <sys/sysctl.h>` line of
src/tcpkali_syslimits.c), then put it on PATH or pass --tcpkali PATH.

Usage: scripts/bench-engine vs-tcpkali [--connections 15000] [--sources 3] [--hold 6] [--rounds 2] [--tcpkali PATH]
Every process it starts is ended on exit (by PID); every run is bounded in count and time; loopback only.
"""

import argparse
import os
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import engine_bench as eb  # noqa: E402  (shares the server, limits and cleanup)




def run_tcpkali(tcpkali, port, n, sources, hold, work, tag):
    cmd = [tcpkali, "--websocket", "-c", str(n), "--connect-rate", "1000000", "-T", f"{hold}s"]
    for s in sources:
        cmd += ["--source-ip", s]
    cmd.append(f"127.0.0.1:{port}")
    log = os.path.join(work, f"{tag}.log")
    established_at = []
    t0 = time.time()
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, preexec_fn=eb.raise_fd_limit)
    eb.STARTED.append(proc)

    def read():
        with open(log, "wb") as out:
            buf = b""
            for chunk in iter(lambda: proc.stderr.read1(4096), b""):
                out.write(chunk)
                buf = (buf + chunk)[-4096:]
                if not established_at and b"Ramped up to" in buf:
                    established_at.append(time.time())

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    code, ru = eb.wait_rusage(proc, t0 + 120 + hold)
    reader.join(5)
    text = open(log, errors="replace").read()
    return {"tool": "tcpkali", "tag": tag, "exit": code, "command": " ".join(cmd), "rss_mb": ru.ru_maxrss / 1024,
            "cpu_s": ru.ru_utime + ru.ru_stime, "user_s": ru.ru_utime, "sys_s": ru.ru_stime,
            "established_s": (established_at[0] - t0) if established_at else None,
            "all_established": bool(established_at) and "Could not create" not in text}


def run_wsload(port, n, sources, hold, work, tag):
    out = os.path.join(work, tag)
    os.makedirs(out, exist_ok=True)
    profile = os.path.join(out, "profile.yaml")
    eb.write_profile(profile, f"ws://127.0.0.1:{port}/", n, sources, hold)
    cmd = [eb.BIN, "run", "--profile", profile, "--format", "json", "--out", out, "--quiet"]
    t0 = time.time()
    with open(os.path.join(out, "stdout.txt"), "w") as so, open(os.path.join(out, "stderr.txt"), "w") as se:
        proc = subprocess.Popen(cmd, stdout=so, stderr=se, preexec_fn=eb.raise_fd_limit)
    eb.STARTED.append(proc)
    samples, stop = [], threading.Event()
    sampler = threading.Thread(target=sample_rss, args=(proc.pid, samples, stop), daemon=True)
    sampler.start()
    code, ru = eb.wait_rusage(proc, t0 + 120 + hold)
    stop.set()
    sampler.join()
    res = {"tool": "wsload", "tag": tag, "exit": code, "command": " ".join(cmd), "rss_mb": ru.ru_maxrss / 1024,
           "cpu_s": ru.ru_utime + ru.ru_stime, "user_s": ru.ru_utime, "sys_s": ru.ru_stime,
           "established_s": None, "all_established": False, "rise_pct": None}
    try:
        import json
        with open(os.path.join(out, "report.json")) as f:
            report = json.load(f)
        hold_phase = next((p for p in report["run"]["phases"] if p["name"] == "hold"), None)
        if hold_phase:
            res["established_s"] = eb.parse_ts(hold_phase["start"]) - t0
        res["all_established"] = report["totals"]["held"] == n and report["totals"]["failed"] == 0
        close_phase = next((p for p in report["run"]["phases"] if p["name"] == "close"), None)
        if close_phase:
            res["rise_pct"] = rise_after_hold(samples, eb.parse_ts(close_phase["start"]))
    except (OSError, KeyError, ValueError):
        pass
    return res


def sample_rss(pid, samples, stop):
    """VmRSS (kB) of `pid` every 20 ms, as (wall time, kB), until `stop` is set or the process is gone."""
    while not stop.is_set():
        try:
            with open(f"/proc/{pid}/status") as f:
                kb = next((int(line.split()[1]) for line in f if line.startswith("VmRSS:")), None)
            if kb is not None:
                samples.append((time.time(), kb))
        except (OSError, ValueError):
            pass
        time.sleep(0.02)


def rise_after_hold(samples, hold_end):
    """The RSS rise after the hold (close, report, exit), in percent of the RSS at the hold's end: the highest sample
    after `hold_end` against the last sample before it. None without samples on both sides."""
    before = [kb for t, kb in samples if t <= hold_end]
    after = [kb for t, kb in samples if t > hold_end]
    if not before or not after or before[-1] <= 0:
        return None
    return (max(after) / before[-1] - 1) * 100


def fmt(x, digits=2):
    return "—" if x is None else f"{x:.{digits}f}"


def main():
    ap = argparse.ArgumentParser(description="wsload beside tcpkali, whole process, same server, alternating")
    ap.add_argument("bench", nargs="?", default="vs-tcpkali")
    ap.add_argument("--connections", type=int, default=15000)
    ap.add_argument("--sources", type=int, default=3, help="source addresses 127.0.0.2 …")
    ap.add_argument("--hold", type=int, default=6)
    ap.add_argument("--rounds", type=int, default=2)
    ap.add_argument("--tcpkali", default=os.environ.get("TCPKALI") or shutil.which("tcpkali"))
    args = ap.parse_args()
    if not args.tcpkali or not os.access(args.tcpkali, os.X_OK):
        raise SystemExit("tcpkali not found: build it outside this repository (see bench/vs_tcpkali.py) and pass --tcpkali PATH")
    if not os.access(eb.BIN, os.X_OK):
        raise SystemExit(f"{eb.BIN} missing: swift build -c release --static-swift-stdlib --scratch-path .build-bench-engine --product wsload")
    n = max(1, min(19000, args.connections))
    hold = max(2, min(20, args.hold))
    per_run = max(1, min(20, args.sources))
    # Each run gets source addresses of its own (run k: 127.0.0.(2 + k·S) …): the previous run's connections sit
    # in TIME_WAIT on their ports for 60 s, and a tool reusing those addresses would search a fuller port range
    # (tcpkali then failed to open all connections in later rounds and spun at 100 % CPU).
    runs = 2 * args.rounds + 2
    if 2 + runs * per_run > 254:
        raise SystemExit(f"--rounds {args.rounds} × --sources {per_run} needs more than 127.0.0.2–254")

    def sources_for(k):
        return [f"127.0.0.{2 + k * per_run + i}" for i in range(per_run)]

    sources = sources_for(0)
    eb.raise_fd_limit()
    work = os.environ.get("BENCH_OUT") or tempfile.mkdtemp(prefix="wsload-vs-tcpkali.")
    os.makedirs(work, exist_ok=True)
    server = eb.Server(work, eb.free_port(19500))
    print(f"# machine: nproc {os.cpu_count()}, kernel {os.uname().release}, load {eb.loadavg()}; server: wsload serve "
          f"127.0.0.1:{server.port}; {n} connections from {per_run} sources (fresh ones each run), hold {hold} s; work dir {work}", file=sys.stderr)
    print("| round | tool | connections | max RSS (MB) | CPU user+sys (s) | exec → all established (s) | RSS rise after the hold | all established | load avg |")
    print("|---|---|---:|---:|---:|---:|---:|---|---|")
    results = []
    for r in range(args.rounds):
        order = ["tcpkali", "wsload"] if r % 2 == 0 else ["wsload", "tcpkali"]
        for tool in order:
            load = eb.loadavg()
            tag = f"r{r + 1}-{tool}"
            srcs = sources_for(len(results))
            res = run_tcpkali(args.tcpkali, server.port, n, srcs, hold, work, tag) if tool == "tcpkali" \
                else run_wsload(server.port, n, srcs, hold, work, tag)
            res["load"] = load
            results.append(res)
            rise = res.get("rise_pct")
            print(f"| {r + 1} | {tool} | {n} | {fmt(res['rss_mb'], 1)} | {fmt(res['cpu_s'])} | {fmt(res['established_s'])} | "
                  f"{'—' if rise is None else f'{rise:+.1f} %'} | {'yes' if res['all_established'] else '**no**'} | {load} |", flush=True)
            time.sleep(1)  # let the server close the previous run's connections
    idle = {}
    for k, tool in enumerate(["tcpkali", "wsload"]):
        tag = f"idle-{tool}"
        srcs = sources_for(len(results) + k)[:1]
        idle[tool] = run_tcpkali(args.tcpkali, server.port, 10, srcs, 2, work, tag) if tool == "tcpkali" \
            else run_wsload(server.port, 10, srcs, 2, work, tag)
        print(f"| idle | {tool} | 10 | {fmt(idle[tool]['rss_mb'], 1)} | {fmt(idle[tool]['cpu_s'])} | "
              f"{fmt(idle[tool]['established_s'])} | — | {'yes' if idle[tool]['all_established'] else '**no**'} | {eb.loadavg()} |", flush=True)
    server.stop()

    def med(tool, key):
        vals = [x[key] for x in results if x["tool"] == tool and x[key] is not None]
        return statistics.median(vals) if vals else None

    print()
    print("| figure | tcpkali (median) | wsload (median) | wsload / tcpkali |")
    print("|---|---:|---:|---:|")
    for key, label, digits in [("rss_mb", "max RSS (MB)", 1), ("cpu_s", "CPU user+sys (s)", 2), ("established_s", "exec → all established (s)", 2)]:
        a, b = med("tcpkali", key), med("wsload", key)
        ratio = (b / a) if a and b else None
        print(f"| {label} | {fmt(a, digits)} | {fmt(b, digits)} | **{fmt(ratio)}×** |")
    rises = [x["rise_pct"] for x in results if x["tool"] == "wsload" and x.get("rise_pct") is not None]
    if rises:
        print(f"| wsload RSS rise after the hold (median; runs {', '.join(f'{x:+.1f}' for x in rises)} %) | — | "
              f"{statistics.median(rises):+.1f} % | |")
    a, b = idle["tcpkali"]["rss_mb"], idle["wsload"]["rss_mb"]
    print(f"| idle max RSS, 10 connections (MB) | {fmt(a, 1)} | {fmt(b, 1)} | **{fmt(b / a if a else None)}×** |")
    failed = [x for x in results if not x["all_established"]]
    print(f"\n# commands: {results[0]['command']} | {results[1]['command']}", file=sys.stderr)
    if failed:
        print(f"# not every connection was established in: {', '.join(x['tag'] for x in failed)} (see {work})", file=sys.stderr)
        sys.exit(1)


if __name__ == "__main__":
    main()
