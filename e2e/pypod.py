#!/usr/bin/env python3
"""A WebSocket "pod" written with the Python `websockets` library, for the wsload e2e scenarios.

It is deliberately not wsload's own `serve`: it names itself in an `X-Pod-Name` response header
(added in the `process_response` hook) and logs its open-connection count as JSON lines

    {"ts": "2026-11-25T12:00:00.250+00:00", "active_connections": 3}

one per change (and one at start), so wsload's attribution and log matching are checked against
a server it did not write. Messages are echoed. Prints `listening on HOST:PORT` to stderr once the
socket is bound (port 0 picks a free port). SIGTERM/SIGINT close every connection with 1001.

`--log-style` picks how the count lines look, as real servers write them (all times UTC):

    json-ms          {"ts": "2026-12-02T04:25:11.250+00:00", "active_connections": 3}   (the default)
    rfc3339-seconds  2026-12-02T04:25:11Z INFO Active connections: 3
    env_logger       [2026-12-02T04:25:11Z INFO pypod] Active connections: 3             (Rust's default)
    go               2026/12/02 04:25:11 Active connections: 3                           (Go's log)
    json-epoch       {"ts": 1796185511, "active_connections": 3}                         (epoch seconds)
    plain            Active connections: 3                                               (no timestamp)

`--periodic S` also logs the count every S seconds (periodic loggers), not only on change.

Usage: pypod.py --listen 127.0.0.1:0 --pod-name ws-0 [--log-style go] [--periodic 0.5]
"""
import argparse
import asyncio
import datetime
import json
import signal
import sys

from websockets.asyncio.server import serve


STYLES = ["json-ms", "rfc3339-seconds", "env_logger", "go", "json-epoch", "plain"]
STYLE = "json-ms"


def log_count(n: int) -> None:
    now = datetime.datetime.now(datetime.timezone.utc)
    seconds = now.strftime("%Y-%m-%dT%H:%M:%SZ")
    if STYLE == "json-ms":
        line = json.dumps({"ts": now.isoformat(timespec="milliseconds"), "active_connections": n})
    elif STYLE == "rfc3339-seconds":
        line = f"{seconds} INFO Active connections: {n}"
    elif STYLE == "env_logger":
        line = f"[{seconds} INFO pypod] Active connections: {n}"
    elif STYLE == "go":
        line = now.strftime("%Y/%m/%d %H:%M:%S") + f" Active connections: {n}"
    elif STYLE == "json-epoch":
        line = json.dumps({"ts": int(now.timestamp()), "active_connections": n})
    else:
        line = f"Active connections: {n}"
    sys.stdout.write(line + "\n")
    sys.stdout.flush()


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--listen", default="127.0.0.1:0", help="HOST:PORT (port 0 = any free port)")
    parser.add_argument("--pod-name", required=True)
    parser.add_argument("--log-style", choices=STYLES, default="json-ms")
    parser.add_argument("--periodic", type=float, default=0, help="also log the count every S seconds (0: off)")
    args = parser.parse_args()
    global STYLE
    STYLE = args.log_style
    host, _, port = args.listen.rpartition(":")

    active = 0

    def add_pod_name(connection, request, response):
        response.headers["X-Pod-Name"] = args.pod_name
        return response

    async def handler(ws):
        nonlocal active
        active += 1
        log_count(active)
        try:
            async for message in ws:
                await ws.send(message)
        except Exception:
            pass
        finally:
            active -= 1
            log_count(active)

    stop = asyncio.get_running_loop().create_future()
    for sig in (signal.SIGTERM, signal.SIGINT):
        asyncio.get_running_loop().add_signal_handler(sig, lambda: stop.done() or stop.set_result(None))

    async with serve(handler, host, int(port), process_response=add_pod_name,
                     backlog=1024, max_size=1 << 20) as server:
        bound = server.sockets[0].getsockname()
        log_count(active)
        print(f"pod={args.pod_name} listening on {bound[0]}:{bound[1]}", file=sys.stderr, flush=True)

        async def periodic():
            while True:
                await asyncio.sleep(args.periodic)
                log_count(active)

        ticker = asyncio.get_running_loop().create_task(periodic()) if args.periodic > 0 else None
        await stop
        if ticker:
            ticker.cancel()
        server.close(close_connections=True)
        await server.wait_closed()


if __name__ == "__main__":
    asyncio.run(main())
