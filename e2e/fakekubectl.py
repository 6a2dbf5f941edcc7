#!/usr/bin/env python3
"""A `kubectl logs` stand-in over the e2e pods' log files (no cluster can run here), for the
"baseline from long ago" scenario. Understands exactly what wsload's log templates use:

    fakekubectl.py --dir PODLOGS logs [-n NS] POD --since-time=T -f    follow from now on (lines already in the
                                                                        file predate T, as when T is the run start)
    fakekubectl.py --dir PODLOGS logs [-n NS] POD --tail=N             the last N lines, then exit

Following is bounded (300 s) and ends on SIGTERM.
"""
import signal
import sys
import time
from pathlib import Path


def main(argv):
    if len(argv) < 3 or argv[0] != "--dir" or argv[2] != "logs":
        print("usage: fakekubectl.py --dir PODLOGS logs [-n NS] POD (--since-time=T -f | --tail=N)", file=sys.stderr)
        return 2
    logdir, rest = Path(argv[1]), argv[3:]
    follow, tail, pod, skip = False, None, None, False
    for i, a in enumerate(rest):
        if skip:
            skip = False
        elif a == "-n":
            skip = True
        elif a in ("-f", "--follow"):
            follow = True
        elif a.startswith("--tail="):
            tail = int(a.split("=", 1)[1])
        elif a.startswith("--since-time=") or a == "--timestamps":
            pass
        elif not a.startswith("-"):
            pod = a
    path = logdir / f"{pod}.log"
    if not path.exists():
        print(f'Error from server (NotFound): pods "{pod}" not found', file=sys.stderr)
        return 1
    if tail is not None and not follow:
        lines = path.read_text(errors="replace").splitlines()
        sys.stdout.write("".join(l + "\n" for l in lines[-tail:]))
        return 0
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    with open(path, "r", errors="replace") as f:
        f.seek(0, 2)  # --since-time={start}: nothing logged before the start
        buf = ""
        deadline = time.monotonic() + 300
        while time.monotonic() < deadline:
            chunk = f.read()
            if chunk:
                buf += chunk
                *done, buf = buf.split("\n")
                for line in done:
                    sys.stdout.write(line + "\n")
                sys.stdout.flush()
            else:
                time.sleep(0.05)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
