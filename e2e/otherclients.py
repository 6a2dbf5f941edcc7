#!/usr/bin/env python3
"""Other clients for the e2e "other traffic" scenario: opens COUNT WebSocket connections to URL (Python
`websockets`), prints `open COUNT` once all are up, holds them until SIGTERM/SIGINT, then closes them.

Usage: otherclients.py --url ws://127.0.0.1:PORT/ws --count 4
"""
import argparse
import asyncio
import signal

from websockets.asyncio.client import connect


async def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--url", required=True)
    ap.add_argument("--count", type=int, default=4)
    args = ap.parse_args()
    stop = asyncio.get_running_loop().create_future()
    for sig in (signal.SIGTERM, signal.SIGINT):
        asyncio.get_running_loop().add_signal_handler(sig, lambda: stop.done() or stop.set_result(None))
    conns = [await asyncio.wait_for(connect(args.url), 10) for _ in range(args.count)]
    print(f"open {len(conns)}", flush=True)
    await asyncio.wait_for(stop, 120)  # bounded: never outlive the scenario
    for c in conns:
        await c.close()


if __name__ == "__main__":
    asyncio.run(main())
