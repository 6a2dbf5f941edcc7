#!/usr/bin/env python3
"""Engine benchmarks of issue 3 (see BENCHMARKS.md, section "Engine").

Runs `wsload run` (release) against local `wsload serve` processes on 127.0.0.1 and measures the
client process only: RSS during the hold (VmRSS sampled from /proc), CPU (utime+stime sampled from
/proc/PID/stat, and the exit rusage), ramp time and failures (report.json). Server resources are
sampled separately and reported as such.

Usage: scripts/bench-engine [hold-19k|rss|tls|tls-floor|cpu|ports|all] [--hold S] [--keep]
Environment: WSLOAD_BIN (default .build-bench-engine/release/wsload), BENCH_OUT (work directory).

Every process it starts is tracked by PID and ended on exit (also on SIGINT/SIGTERM); every run has
a bounded connection count and a wall-clock deadline; all traffic stays on 127.0.0.0/8.
"""

import argparse
import atexit
import datetime as dt
import json
import os
import resource
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BIN = os.environ.get("WSLOAD_BIN", os.path.join(ROOT, ".build-bench-engine", "release", "wsload"))
CLK = os.sysconf("SC_CLK_TCK")
PAGE = os.sysconf("SC_PAGE_SIZE")

STARTED = []  # Popen objects of every process this script started


def cleanup():
    for p in STARTED:
        if p.returncode is None and p.poll() is None:
            try:
                os.kill(p.pid, signal.SIGTERM)
            except ProcessLookupError:
                continue
    deadline = time.time() + 8
    for p in STARTED:
        while p.returncode is None and p.poll() is None and time.time() < deadline:
            time.sleep(0.05)
        if p.returncode is None and p.poll() is None:
            try:
                os.kill(p.pid, signal.SIGKILL)
                p.wait(2)
            except (ProcessLookupError, subprocess.TimeoutExpired):
                pass


def on_signal(sig, _frame):
    cleanup()
    sys.exit(128 + sig)


atexit.register(cleanup)
signal.signal(signal.SIGINT, on_signal)
signal.signal(signal.SIGTERM, on_signal)


def raise_fd_limit():
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < hard:
        resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))  # never above the hard limit
    return hard


def loadavg():
    with open("/proc/loadavg") as f:
        return " ".join(f.read().split()[:3])


def proc_cpu(pid):
    """utime+stime in seconds, or None when the process is gone."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            rest = f.read().rsplit(")", 1)[1].split()
        return (int(rest[11]) + int(rest[12])) / CLK
    except (FileNotFoundError, ProcessLookupError, IndexError):
        return None


def proc_status(pid):
    out = {}
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                k, _, v = line.partition(":")
                if k in ("VmRSS", "VmHWM", "RssAnon", "RssFile", "Threads"):
                    out[k] = int(v.split()[0])
    except (FileNotFoundError, ProcessLookupError):
        return None
    return out


def smaps_rollup(pid):
    out = {}
    try:
        with open(f"/proc/{pid}/smaps_rollup") as f:
            for line in f:
                parts = line.split()
                if len(parts) == 3 and parts[2] == "kB":
                    out[parts[0].rstrip(":")] = int(parts[1])
    except (FileNotFoundError, ProcessLookupError):
        return None
    return out


def fd_count(pid):
    try:
        return len(os.listdir(f"/proc/{pid}/fd"))
    except (FileNotFoundError, ProcessLookupError):
        return None


def wait_rusage(proc, limit):
    """Waits for `proc` (SIGKILL after the deadline); returns (exit code, rusage)."""
    while True:
        pid, status, ru = os.wait4(proc.pid, os.WNOHANG)
        if pid == proc.pid:
            proc.returncode = os.waitstatus_to_exitcode(status)
            return proc.returncode, ru
        if time.time() > limit:
            os.kill(proc.pid, signal.SIGKILL)
        time.sleep(0.02)


def parse_ts(s):
    return dt.datetime.strptime(s, "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=dt.timezone.utc).timestamp()


def free_port(start):
    for port in range(start, start + 200):
        s = socket.socket()
        try:
            s.bind(("127.0.0.1", port))
            return port
        except OSError:
            continue
        finally:
            s.close()
    raise SystemExit("no free port")


class Server:
    """One `wsload serve` on 127.0.0.1:port (plain or TLS)."""

    def __init__(self, work, port, tls=None, name="bench"):
        self.port = port
        self.log = os.path.join(work, f"serve-{port}.log")
        self.cmd = [BIN, "serve", "--listen", f"127.0.0.1:{port}", "--no-deflate", "--io-queues", "1",
                    "--pod-name", name, "--drain-timeout", "3"]
        if tls:
            self.cmd += ["--tls-cert", tls[0], "--tls-key", tls[1]]
        with open(self.log, "w") as out:
            self.proc = subprocess.Popen(self.cmd, stdout=out, stderr=subprocess.STDOUT, preexec_fn=raise_fd_limit)
        STARTED.append(self.proc)
        deadline = time.time() + 10
        while time.time() < deadline:
            if self.proc.poll() is not None:
                raise SystemExit(f"wsload serve exited early: see {self.log}")
            with open(self.log) as f:
                if "listening on" in f.read():
                    return
            time.sleep(0.05)
        raise SystemExit("wsload serve did not start within 10 s")

    def stop(self):
        if self.proc.poll() is None:
            os.kill(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(15)
            except subprocess.TimeoutExpired:
                os.kill(self.proc.pid, signal.SIGKILL)
                self.proc.wait(5)


def write_profile(path, url, connections, sources, hold, timeouts=30):
    src = ", ".join(f'"{s}"' for s in sources)
    with open(path, "w") as f:
        f.write(f"""# generated by bench/engine_bench.py
name: bench-engine
target:
  url: {url}
clients:
  connections: {connections}
  sources: [{src}]
  cookies: none
ramp:
  rate: 1000000
  max_in_flight: 512
hold: {hold}s
timeouts:
  connect: {timeouts}s
  tls: {timeouts}s
  upgrade: {timeouts}s
  close: 10s
""")


def run_client(work, tag, url, connections, sources, hold, server=None, ca=None):
    """Runs one bounded `wsload run`; returns a dict of client (and server) measurements."""
    out = os.path.join(work, tag)
    os.makedirs(out, exist_ok=True)
    profile = os.path.join(out, "profile.yaml")
    write_profile(profile, url, connections, sources, hold)
    cmd = [BIN, "run", "--profile", profile, "--format", "json", "--out", out, "--quiet"]
    if ca:
        cmd += ["--ca-file", ca]
    load_before = loadavg()
    srv_cpu0 = proc_cpu(server.proc.pid) if server else None
    with open(os.path.join(out, "stdout.txt"), "w") as so, open(os.path.join(out, "stderr.txt"), "w") as se:
        t0 = time.time()
        p = subprocess.Popen(cmd, stdout=so, stderr=se, preexec_fn=raise_fd_limit)
    STARTED.append(p)
    samples = []  # (time, cpu_s, VmRSS kB, server VmRSS kB)
    mid = None
    limit = t0 + 120 + hold  # hard wall-clock bound per run
    rusage = None
    status = None
    while True:
        pid, st, ru = os.wait4(p.pid, os.WNOHANG)
        if pid == p.pid:
            status, rusage = st, ru
            p.returncode = os.waitstatus_to_exitcode(st)
            break
        now = time.time()
        if now > limit:
            os.kill(p.pid, signal.SIGKILL)
            continue
        cpu = proc_cpu(p.pid)
        s = proc_status(p.pid)
        ss = proc_status(server.proc.pid) if server else None
        if cpu is not None and s:
            samples.append((now, cpu, s.get("VmRSS", 0), (ss or {}).get("VmRSS", 0), s.get("Threads", 0)))
        # One detailed snapshot once the client holds everything (fd count reaches the plan).
        if mid is None and s and now - t0 > 0.5:
            n = fd_count(p.pid)
            if n is not None and n >= connections:
                time.sleep(min(2.0, hold / 3))
                mid = {"smaps_rollup": smaps_rollup(p.pid), "status": proc_status(p.pid), "fds": fd_count(p.pid),
                       "server_status": proc_status(server.proc.pid) if server else None}
                continue
        time.sleep(0.05)
    t1 = time.time()
    srv_cpu1 = proc_cpu(server.proc.pid) if server else None
    res = {"tag": tag, "connections": connections, "sources": sources, "hold": hold, "command": " ".join(cmd),
           "exit": p.returncode, "wall_s": t1 - t0, "load_before": load_before, "load_after": loadavg(),
           "rusage_cpu_s": rusage.ru_utime + rusage.ru_stime, "rusage_user_s": rusage.ru_utime, "rusage_sys_s": rusage.ru_stime,
           "maxrss_kb": rusage.ru_maxrss, "mid": mid}
    if server:
        res["server_cpu_s"] = (srv_cpu1 or 0) - (srv_cpu0 or 0)
    rp = os.path.join(out, "report.json")
    if not os.path.exists(rp):
        res["error"] = open(os.path.join(out, "stderr.txt")).read()[-2000:]
        return res
    with open(rp) as f:
        report = json.load(f)
    res["totals"] = {k: report["totals"].get(k) for k in ("attempted", "established", "failed", "held", "tlsHandshakes", "tlsResumed")}
    res["failures"] = report["totals"].get("failures", [])
    phases = {ph["name"]: (parse_ts(ph["start"]), parse_ts(ph["end"])) for ph in report["run"]["phases"]}
    res["phases_s"] = {k: round(v[1] - v[0], 3) for k, v in phases.items()}
    res["latency"] = report.get("latency")
    if "hold" in phases:
        h0, h1 = phases["hold"]
        inside = [x for x in samples if h0 + 0.5 <= x[0] <= h1 - 0.1]
        if inside:
            res["hold_rss_kb"] = statistics.median(x[2] for x in inside)
            res["hold_rss_max_kb"] = max(x[2] for x in inside)
            res["hold_server_rss_kb"] = statistics.median(x[3] for x in inside)
            res["hold_threads"] = max(x[4] for x in inside)
            # CPU from start to the middle of the hold: start-up + ramp (idle connections cost ~nothing after).
            res["cpu_to_hold_s"] = statistics.median(x[1] for x in inside)
            res["cpu_during_hold_s"] = inside[-1][1] - inside[0][1]
            res["hold_samples"] = len(inside)
    with open(os.path.join(out, "measure.json"), "w") as f:
        json.dump(res, f, indent=1, default=str)
    return res


# ---------------------------------------------------------------------------------------------------


class Bench:
    def __init__(self, args):
        self.args = args
        self.work = args.work
        self.port = 19300
        self.baselines = {}
        self.rows = []
        self.results = {}

    def next_port(self):
        self.port = free_port(self.port + 1)
        return self.port

    def session(self, tag, connections, sources, hold, tls=False):
        """One server + one client run; returns the measurements."""
        port = self.next_port()
        cert = self.cert() if tls else None
        srv = Server(self.work, port, tls=cert)
        try:
            url = f"{'wss' if tls else 'ws'}://127.0.0.1:{port}/ws"
            r = run_client(self.work, tag, url, connections, sources, hold, server=srv, ca=cert[0] if cert else None)
        finally:
            srv.stop()
        self.results[tag] = r
        ok = r.get("totals", {}).get("failed", "?")
        print(f"  {tag}: {connections} conns, exit {r['exit']}, failed {ok}, ramp {r.get('phases_s', {}).get('ramp')} s, "
              f"hold RSS {r.get('hold_rss_kb')} kB, CPU to hold {r.get('cpu_to_hold_s')} s, total CPU {r['rusage_cpu_s']:.2f} s, "
              f"server CPU {r.get('server_cpu_s', 0):.2f} s, load {r['load_before']}", file=sys.stderr, flush=True)
        time.sleep(1)  # let the kernel reap sockets between runs
        return r

    def baseline(self, hold, tls=False):
        key = (hold, tls)
        if key not in self.baselines:
            self.baselines[key] = self.session(f"baseline-{'tls' if tls else 'plain'}-{hold}s", 10, ["127.0.0.2-127.0.0.5"], hold, tls=tls)
        return self.baselines[key]

    def cert(self):
        c, k = os.path.join(self.work, "cert.pem"), os.path.join(self.work, "key.pem")
        if not os.path.exists(c):
            subprocess.run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
                            "-subj", "/CN=localhost", "-addext", "subjectAltName=IP:127.0.0.1", "-days", "2",
                            "-keyout", k, "-out", c], check=True, capture_output=True)
        return c, k

    def row(self, name, figure, target, verdict, r, extra=""):
        cmd = f"`scripts/bench-engine {name}`"
        self.rows.append(f"| {name} | {figure} | {target} | {verdict}{(' — ' + extra) if extra else ''} | {r['load_before']} | {cmd} |")
        print(self.rows[-1], flush=True)

    @staticmethod
    def per_conn(r, b):
        return (r["hold_rss_kb"] - b["hold_rss_kb"]) * 1024 / (r["connections"] - b["connections"])

    @staticmethod
    def cpu_per_k(r, b):
        return (r["cpu_to_hold_s"] - b["cpu_to_hold_s"]) / ((r["connections"] - b["connections"]) / 1000)

    @staticmethod
    def verdict(value, target, stretch=None):
        if value <= (stretch if stretch is not None else target):
            return "**met**" + (" (stretch met)" if stretch is not None else "")
        if value <= target:
            return "**met**" + (" (stretch missed)" if stretch is not None else "")
        return "**missed**"

    # Benchmarks ------------------------------------------------------------------------------------

    def hold_19k(self):
        hold = self.args.hold
        b = self.baseline(hold)
        r = self.session("hold-19k", 19000, ["127.0.0.2-127.0.0.5"], hold)
        t = r.get("totals", {})
        ok = t.get("held") == 19000 and t.get("failed") == 0 and r["exit"] == 0
        fig = (f"{t.get('held')} held / {t.get('failed')} failed, peak fds {r['mid']['fds'] if r.get('mid') else '?'}, "
               f"ramp {r['phases_s'].get('ramp')} s, RSS/conn {self.per_conn(r, b):.0f} B, "
               f"CPU/1000 upgrades {self.cpu_per_k(r, b):.3f} s")
        self.row("hold-19k", fig, "19 000 held, 0 failures, one process", "**met**" if ok else "**missed**", r)

    def rss(self):
        hold = self.args.hold
        b = self.baseline(hold)
        figs = []
        worst = 0.0
        for n in (10000, 19000):
            tag = f"rss-{n // 1000}k"
            r = self.results.get("hold-19k") if n == 19000 and "hold-19k" in self.results else self.session(tag, n, ["127.0.0.2-127.0.0.5"], hold)
            pc = self.per_conn(r, b)
            worst = max(worst, pc)
            figs.append(f"{n}: {pc:.0f} B/conn (hold RSS {r['hold_rss_kb'] / 1024:.1f} MiB vs idle {b['hold_rss_kb'] / 1024:.1f} MiB)")
        self.row("rss", "; ".join(figs), "≤ 1.5 KB (stretch ≤ 1 KB)", self.verdict(worst / 1024, 1.5, 1.0), r)

    def tls(self):
        hold = self.args.hold
        b = self.baseline(hold, tls=True)
        r = self.session("tls-5k", 5000, ["127.0.0.2-127.0.0.5"], hold, tls=True)
        pc = self.per_conn(r, b)
        cpk = self.cpu_per_k(r, b)
        t = r.get("totals", {})
        fig = (f"{t.get('held')} held / {t.get('failed')} failed; {t.get('tlsResumed')} of {t.get('tlsHandshakes')} handshakes resumed; "
               f"RSS {pc:.0f} B = {pc / 1024:.2f} KiB/conn; CPU {cpk:.3f} s per 1000 TLS upgrades "
               f"(server {r.get('server_cpu_s', 0) / 5:.3f} s/1000); ramp {r['phases_s'].get('ramp')} s")
        self.row("tls", fig, "≤ 16 KB/conn", self.verdict(pc / 1024, 16), r)

    def tls_floor(self):
        """OpenSSL's own per-connection memory: bench/tls_floor.c (plain C, no engine) against the same server."""
        exe = os.path.join(self.work, "tls_floor")
        subprocess.run(["cc", "-O2", "-o", exe, os.path.join(ROOT, "bench", "tls_floor.c"), "-lssl", "-lcrypto"], check=True)
        cert, key = self.cert()
        port = self.next_port()
        srv = Server(self.work, port, tls=(cert, key))
        figs, r = [], {"load_before": loadavg()}
        try:
            for mode, suites, label in [("full", None, "full, OpenSSL order"), ("resumed", None, "resumed, OpenSSL order"),
                                        ("resumed", "TLS_AES_128_GCM_SHA256:TLS_CHACHA20_POLY1305_SHA256:TLS_AES_256_GCM_SHA384",
                                         "resumed, browser order (wsload default)")]:
                cmd = [exe, "5000", str(port), cert, mode] + ([suites] if suites else [])
                out = subprocess.run(cmd, check=True, capture_output=True, text=True, timeout=120,
                                     preexec_fn=raise_fd_limit).stdout
                res = json.loads(out.strip().splitlines()[-1])
                self.results[f"tls-floor-{label}"] = res
                figs.append(f"{label}: {res['rss_per_conn']} B/conn ({res['cipher']}, {res['resumed']} resumed)")
        finally:
            srv.stop()
        self.row("tls-floor", "; ".join(figs), "reference (OpenSSL alone)", "—", r)

    def cpu(self):
        hold = 3
        b = self.baseline(hold)
        vals, ramps, totals = [], [], []
        for i in range(self.args.repeat):
            r = self.session(f"cpu-10k-{i}", 10000, ["127.0.0.2-127.0.0.5"], hold)
            vals.append(self.cpu_per_k(r, b))
            ramps.append(r["phases_s"].get("ramp"))
            totals.append((r["rusage_cpu_s"] - b["rusage_cpu_s"]) / 10)
        med = statistics.median(vals)
        fig = (f"{med:.3f} s per 1000 upgrades (median of {len(vals)}: {', '.join(f'{v:.3f}' for v in vals)}); "
               f"whole life incl. close + report: {statistics.median(totals):.3f} s/1000; ramp {statistics.median(ramps)} s for 10 000")
        self.row("cpu", fig, "≤ 0.14 s/1000", self.verdict(med, 0.14), r)

    def ports(self):
        hold = 2
        r4 = self.session("ports-15k-4src", 15000, ["127.0.0.2-127.0.0.5"], hold)
        r1 = self.session("ports-15k-1src", 15000, ["127.0.0.9"], hold)
        f4, f1 = r4["phases_s"].get("ramp"), r1["phases_s"].get("ramp")
        t4, t1 = r4.get("totals", {}), r1.get("totals", {})
        fig = (f"4 sources: {f4} s ({t4.get('failed')} failed); 1 source: {f1} s ({t1.get('failed')} failed); "
               f"ratio {f1 / f4:.2f}×" if f4 and f1 else "n/a")
        self.row("ports", fig, "report (PLATFORM.md: 0.64 s vs 1.7 s)", "measured", r4)


def main():
    ap = argparse.ArgumentParser(description="wsload engine benchmarks (issue 3)")
    ap.add_argument("bench", choices=["hold-19k", "rss", "tls", "tls-floor", "cpu", "ports", "all"])
    ap.add_argument("--hold", type=int, default=int(os.environ.get("BENCH_HOLD", "8")), help="hold seconds (≤ 20)")
    ap.add_argument("--repeat", type=int, default=3, help="repetitions of the cpu benchmark")
    ap.add_argument("--keep", action="store_true", help="keep the work directory")
    args = ap.parse_args()
    args.hold = max(2, min(20, args.hold))
    if not os.access(BIN, os.X_OK):
        raise SystemExit(f"{BIN} missing: swift build -c release --static-swift-stdlib --scratch-path .build-bench-engine --product wsload")
    raise_fd_limit()
    args.work = os.environ.get("BENCH_OUT") or tempfile.mkdtemp(prefix="wsload-bench-engine.")
    os.makedirs(args.work, exist_ok=True)
    b = Bench(args)
    print(f"# machine: nproc {os.cpu_count()}, kernel {os.uname().release}, load {loadavg()}, work dir {args.work}", file=sys.stderr)
    print("| benchmark | figure | target | result | load avg (1/5/15 min) | command |")
    print("|---|---|---|---|---|---|")
    names = ["hold-19k", "rss", "tls", "tls-floor", "cpu", "ports"] if args.bench == "all" else [args.bench]
    for n in names:
        getattr(b, n.replace("-", "_"))()
    with open(os.path.join(args.work, "results.json"), "w") as f:
        json.dump({"rows": b.rows, "results": b.results, "baselines": {str(k): v for k, v in b.baselines.items()}}, f, indent=1, default=str)
    print(f"# raw results: {os.path.join(args.work, 'results.json')}", file=sys.stderr)


if __name__ == "__main__":
    main()
