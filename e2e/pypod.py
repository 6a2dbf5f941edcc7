#!/usr/bin/env python3
"""A WebSocket "pod" written with the Python `websockets` library, for the wsload e2e scenarios.

It is deliberately not wsload's own `serve`: it names itself in an `X-Pod-Name` response header
(added in the `process_response` hook) and logs its open-connection count as JSON lines

    {"ts": "2026-11-25T12:00:00.250+00:00", "active_connections": 3}

one per change (and one at start), so wsload's attribution and log matching are checked against
a server it did not write. Messages are echoed. Prints `listening on HOST:PORT` to stderr once the
socket is bound (port 0 picks a free port). SIGTERM/SIGINT close every connection with 1001.

Usage: pypod.py --listen 127.0.0.1:0 --pod-name ws-0
"""
import argparse
import asyncio
import datetime
import json
import signal
import sys

from websockets.asyncio.server import serve


def log_count(n: int) -> None:
    ts = datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="milliseconds")
    sys.stdout.write(json.dumps({"ts": ts, "active_connections": n}) + "\n")
    sys.stdout.flush()


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--listen", default="127.0.0.1:0", help="HOST:PORT (port 0 = any free port)")
    parser.add_argument("--pod-name", required=True)
    args = parser.parse_args()
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
        await stop
        server.close(close_connections=True)
        await server.wait_closed()


if __name__ == "__main__":
    asyncio.run(main())
