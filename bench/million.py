#!/usr/bin/env python3
"""A million concurrent WebSockets from this machine, every one accounted (issue 17).

Starts S `wsload serve --no-deflate --io-queues 1 --reuse-port` on one 127.0.0.1 port (each holds at most
~19 000 connections under the 20 000-fd limit, so S = ceil(N / 18 000)), then one bounded
`wsload run --connections N --source 127.0.0.2-127.0.0.K --cookies none` with its workers (split automatically
past one process's fd budget, or --workers). Records, with the machine state before and after:

- held / failed / unaccounted (attempted = held + failed + dropped, from the merged report);
- time to all established (the report's ramp phase), hold and close;
- peak summed RSS of the client processes (parent + workers) and of the servers, sampled every second from
  /proc/PID/status over the process trees this script started, and the peak summed PSS beside it
  (/proc/PID/smaps_rollup: a page shared by k processes counts 1/k, so the executable's pages, which every
  worker maps, count once: what the processes together take from the machine);
- kernel memory: /proc/meminfo Slab and /proc/net/sockstat (TCP inuse, mem pages) before and at the peak;
- CPU: the client's user + sys from wait4 (parent and its reaped workers) and the servers' from wait4;
  per connection;
- report.json and connections.jsonl sizes.

Usage: scripts/bench-engine million [--connections 1000000] [--sources K] [--servers S] [--workers W]
                                     [--rate R] [--hold S] [--limit SECONDS]
Loopback only; every run bounded (--limit, default 1500 s, then SIGKILL); every process it starts is ended by
PID on exit, SIGINT or SIGTERM.
"""

import argparse
import json
import math
import os
import signal
import subprocess
import sys
import tempfile
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import engine_bench as eb  # noqa: E402  (shares the binary, limits and cleanup)


def meminfo():
    out = {}
    with open("/proc/meminfo") as f:
        for line in f:
            k, _, v = line.partition(":")
            out[k] = int(v.split()[0])
    return out


def sockstat():
    out = {}
    with open("/proc/net/sockstat") as f:
        for line in f:
            name, _, rest = line.partition(":")
            fields = rest.split()
            out[name] = {fields[i]: int(fields[i + 1]) for i in range(0, len(fields) - 1, 2)}
    return out


def read(path):
    try:
        with open(path) as f:
            return f.read().strip()
    except OSError:
        return None


def machine_state():
    m = meminfo()
    s = sockstat()
    return {
        "load": eb.loadavg(), "MemAvailable_MB": m.get("MemAvailable", 0) // 1024, "Slab_MB": m.get("Slab", 0) // 1024,
        "tcp_inuse": s.get("TCP", {}).get("inuse"), "tcp_mem_pages": s.get("TCP", {}).get("mem"),
        "file_nr": read("/proc/sys/fs/file-nr"), "file_max": read("/proc/sys/fs/file-max"),
        "tcp_mem": read("/proc/sys/net/ipv4/tcp_mem"), "somaxconn": read("/proc/sys/net/core/somaxconn"),
        "port_range": read("/proc/sys/net/ipv4/ip_local_port_range"),
    }


def children_of(pid):
    """PIDs whose parent is `pid` (one /proc scan)."""
    out = []
    for name in os.listdir("/proc"):
        if not name.isdigit():
            continue
        try:
            with open(f"/proc/{name}/stat") as f:
                rest = f.read().rsplit(")", 1)[1].split()
            if int(rest[1]) == pid:
                out.append(int(name))
        except (OSError, IndexError, ValueError):
            continue
    return out


def rss_kb(pid):
    st = eb.proc_status(pid)
    return st.get("VmRSS", 0) if st else 0


def pss_kb(pid):
    """Proportional set size (kB): RSS with each shared page divided among the processes mapping it, so the
    executable's and libraries' pages that 50 workers share count once, not 50 times. 0 when unreadable."""
    try:
        with open(f"/proc/{pid}/smaps_rollup") as f:
            for line in f:
                if line.startswith("Pss:"):
                    return int(line.split()[1])
    except (OSError, ValueError, IndexError):
        pass
    return 0




def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("name", nargs="?", default="million")
    ap.add_argument("--connections", type=int, default=1_000_000)
    ap.add_argument("--sources", type=int, default=0, help="source addresses (default: 14 000 connections each, half a pair's ports)")
    ap.add_argument("--servers", type=int, default=0, help="wsload serve processes (default: 18 000 connections each)")
    ap.add_argument("--workers", type=int, default=0, help="client workers (default: wsload decides)")
    ap.add_argument("--rate", type=int, default=20_000)
    ap.add_argument("--hold", type=int, default=10)
    ap.add_argument("--limit", type=int, default=1500, help="seconds before the client is killed")
    ap.add_argument("--keep", action="store_true", help="keep the work directory")
    a = ap.parse_args()
    n = a.connections
    if not 1 <= n <= 1_000_000:
        raise SystemExit("--connections must be 1..1000000")
    sources = a.sources or max(1, math.ceil(n / 14_000))
    servers = a.servers or max(1, math.ceil(n / 18_000))
    if sources > 250:
        raise SystemExit("--sources at most 250 (127.0.0.2-127.0.0.251)")
    eb.raise_fd_limit()
    work = tempfile.mkdtemp(prefix="wsload-million-")
    before = machine_state()
    print(f"million: {n} connections, {sources} sources, {servers} servers, rate {a.rate}/s, hold {a.hold} s; "
          f"work {work}", file=sys.stderr, flush=True)

    port = eb.free_port(43000)
    srv = []
    for i in range(servers):
        log = os.path.join(work, f"serve-{i}.log")
        cmd = [eb.BIN, "serve", "--listen", f"127.0.0.1:{port}", "--no-deflate", "--io-queues", "1", "--reuse-port",
               "--pod-name", f"ws-{i}", "--drain-timeout", "5"]
        with open(log, "w") as out:
            p = subprocess.Popen(cmd, stdout=out, stderr=subprocess.STDOUT, preexec_fn=eb.raise_fd_limit)
        eb.STARTED.append(p)
        srv.append((p, log))
    deadline = time.time() + 30
    for p, log in srv:
        while "listening on" not in (read(log) or ""):
            if p.poll() is not None or time.time() > deadline:
                raise SystemExit(f"wsload serve did not start: see {log}")
            time.sleep(0.05)

    out = os.path.join(work, "run")
    cmd = [eb.BIN, "run", "--url", f"ws://127.0.0.1:{port}/ws", "--connections", str(n),
           "--source", f"127.0.0.2-127.0.0.{sources + 1}", "--cookies", "none", "--rate", str(a.rate),
           "--hold", f"{a.hold}s", "--format", "json", "--out", out, "--quiet"]
    if a.workers:
        cmd += ["--workers", str(a.workers)]
    t0 = time.time()
    with open(os.path.join(work, "client.log"), "w") as log:
        client = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT, preexec_fn=eb.raise_fd_limit)
    eb.STARTED.append(client)

    peak = {"client_kb": 0, "server_kb": 0, "client_pss_kb": 0, "server_pss_kb": 0, "parent_kb": 0, "slab_mb": 0, "tcp_inuse": 0, "tcp_mem_pages": 0, "workers": 0}
    stop = threading.Event()
    series = []  # [seconds since start, summed client RSS MB, parent RSS MB, workers], every second

    def sample():
        while not stop.is_set():
            kids = children_of(client.pid)
            parent = rss_kb(client.pid)
            c = parent + sum(rss_kb(k) for k in kids)
            peak["parent_kb"] = max(peak["parent_kb"], parent)
            series.append([round(time.time() - t0, 1), c // 1024, parent // 1024, len(kids)])
            s = sum(rss_kb(p.pid) for p, _ in srv)
            m = meminfo()
            st = sockstat().get("TCP", {})
            peak["client_kb"] = max(peak["client_kb"], c)
            peak["server_kb"] = max(peak["server_kb"], s)
            peak["slab_mb"] = max(peak["slab_mb"], m.get("Slab", 0) // 1024)
            peak["tcp_inuse"] = max(peak["tcp_inuse"], st.get("inuse", 0))
            peak["tcp_mem_pages"] = max(peak["tcp_mem_pages"], st.get("mem", 0))
            peak["workers"] = max(peak["workers"], len(kids))
            stop.wait(1.0)

    def sample_pss():
        # Its own thread: smaps_rollup walks every mapping under the process's memory lock, and at load 150 a pass over
        # 108 processes took seconds — in the RSS loop it stretched the 1 s samples to 15 s gaps during the close.
        while not stop.is_set():
            kids = children_of(client.pid)
            cp = pss_kb(client.pid) + sum(pss_kb(k) for k in kids)
            sp = sum(pss_kb(p.pid) for p, _ in srv)
            peak["client_pss_kb"] = max(peak["client_pss_kb"], cp)
            peak["server_pss_kb"] = max(peak["server_pss_kb"], sp)
            stop.wait(1.0)

    th = threading.Thread(target=sample, daemon=True)
    th.start()
    th_pss = threading.Thread(target=sample_pss, daemon=True)
    th_pss.start()
    code, ru = eb.wait_rusage(client, t0 + a.limit)
    wall = time.time() - t0
    stop.set()
    th.join(5)
    th_pss.join(5)
    client_cpu = ru.ru_utime + ru.ru_stime
    server_cpu = 0.0
    for p, _ in srv:
        if p.poll() is None:
            os.kill(p.pid, signal.SIGTERM)
        _, sru = eb.wait_rusage(p, time.time() + 20)
        server_cpu += sru.ru_utime + sru.ru_stime
    after = machine_state()

    report_path = os.path.join(out, "report.json")
    if not os.path.exists(report_path):
        print(read(os.path.join(work, "client.log"))[-3000:], file=sys.stderr)
        raise SystemExit(f"no report (exit {code}); see {work}")
    r = json.load(open(report_path))
    t = r["totals"]
    phases = {p["name"]: p for p in r["run"].get("phases", [])}

    def span(name):
        p = phases.get(name)
        if not p or not p.get("end"):
            return None
        return eb.parse_ts(p["end"]) - eb.parse_ts(p["start"])

    unaccounted = t["attempted"] - t["held"] - t["failed"] - t.get("dropped", 0)
    jsonl = os.path.join(out, "connections.jsonl")
    res = {
        "connections": n, "sources": sources, "servers": servers, "workers_seen": peak["workers"], "exit": code,
        "attempted": t["attempted"], "held": t["held"], "failed": t["failed"], "dropped": t.get("dropped", 0),
        "unaccounted": unaccounted, "failures": t.get("failures", []),
        "ramp_s": span("ramp"), "hold_s": span("hold"), "close_s": span("close"), "wall_s": round(wall, 1),
        "client_peak_rss_mb": round(peak["client_kb"] / 1024, 1), "server_peak_rss_mb": round(peak["server_kb"] / 1024, 1),
        "client_peak_pss_mb": round(peak["client_pss_kb"] / 1024, 1),
        "parent_peak_rss_mb": round(peak["parent_kb"] / 1024, 1),
        "server_peak_pss_mb": round(peak["server_pss_kb"] / 1024, 1),
        "client_cpu_s": round(client_cpu, 1), "client_user_s": round(ru.ru_utime, 1), "client_sys_s": round(ru.ru_stime, 1),
        "server_cpu_s": round(server_cpu, 1),
        "cpu_ms_per_conn": round((client_cpu + server_cpu) / max(1, n) * 1000, 3),
        "client_cpu_ms_per_conn": round(client_cpu / max(1, n) * 1000, 3),
        "slab_peak_mb": peak["slab_mb"], "slab_rise_mb": peak["slab_mb"] - before["Slab_MB"],
        "tcp_inuse_peak": peak["tcp_inuse"], "tcp_mem_peak_pages": peak["tcp_mem_pages"],
        "report_json_bytes": os.path.getsize(report_path),
        "connections_jsonl_bytes": os.path.getsize(jsonl) if os.path.exists(jsonl) else None,
        "client_rss_series": series,
        "warnings": r.get("warnings", []), "before": before, "after": after, "command": " ".join(cmd[1:]),
    }
    print(json.dumps(res, indent=2))
    kb_per_conn = peak["client_kb"] / max(1, n)
    print(f"\n| figure | result |\n|---|---:|\n"
          f"| held | {t['held']} of {n} ({t['held'] / n * 100:.2f} %), {t['failed']} failed, {res['dropped']} dropped, "
          f"{unaccounted} unaccounted |\n"
          f"| time to all established (ramp) | {res['ramp_s'] and round(res['ramp_s'], 1)} s |\n"
          f"| peak summed client RSS | {res['client_peak_rss_mb']} MB ({kb_per_conn:.2f} KB per connection, "
          f"{peak['workers']} workers + parent; the parent alone peaked at {res['parent_peak_rss_mb']} MB) |\n"
          f"| peak summed client PSS (shared pages counted once) | {res['client_peak_pss_mb']} MB |\n"
          f"| peak summed server RSS | {res['server_peak_rss_mb']} MB ({servers} servers) |\n"
          f"| peak summed server PSS | {res['server_peak_pss_mb']} MB |\n"
          f"| kernel slab | +{res['slab_rise_mb']} MB ({res['tcp_inuse_peak']} TCP sockets in use at the peak) |\n"
          f"| CPU per connection, client + servers | {res['cpu_ms_per_conn']} ms (client {res['client_cpu_s']} s, "
          f"servers {res['server_cpu_s']} s) |\n"
          f"| report.json | {res['report_json_bytes'] / 1e6:.2f} MB |", flush=True)
    if not a.keep:
        subprocess.run(["rm", "-rf", work])
    return 0 if unaccounted == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
