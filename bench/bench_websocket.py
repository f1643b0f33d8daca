"""Websocket benchmark: does pushing live data to many UI clients disturb the cycle?

Run: .venv/bin/python bench/bench_websocket.py
The cycle period's p99 deviation with 50 websocket clients, each subscribed to 100 channels and
receiving `currentData` every cycle (target < 10 ms), against the same edge without clients,
measured in the same run, once all clients are subscribed (steady state); the worst deviation
while the 50 clients sign in is printed too. Cycle starts are timed by wrapping
`Cycle.run_once`, not from a cycle listener (whose clock would include the listeners before it,
such as the history commit). The clients run in a separate process; the server binds 127.0.0.1.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import subprocess
import sys
import time
from pathlib import Path
from tempfile import mkdtemp

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT))

from bench.bench_api import ENV, run, site_with_write  # noqa: E402
from bench.common import (  # noqa: E402
    client_command,
    median,
    percentile,
    record_cycle_starts,
    report,
    start_cycle,
)
from wattkeeper.edge.app import Edge  # noqa: E402
from wattkeeper.edge.runner import settle_heap  # noqa: E402

CLIENTS = 50
CHANNELS = 100
PERIOD_MS = 100
SECONDS = 20.0


async def clients(port: int, count: int, per_client: int, seconds: float) -> None:
    """The load: `count` connections doing the OpenEMS UI handshake, then only reading."""
    from websockets.asyncio.client import connect

    received = [0] * count
    ready = asyncio.Event()
    connected = 0
    # one address may hold 32 sockets that have not signed in and 32 guests (api/ws_pool.py):
    # handshakes 16 at a time, and the clients past 25 sign in as the owner
    handshakes = asyncio.Semaphore(16)

    async def one(index: int) -> None:
        nonlocal connected
        await handshakes.acquire()
        async with connect(f"ws://127.0.0.1:{port}/websocket", max_queue=None) as ws:
            password = "user" if index < 25 else "owner"
            await ws.send(
                json.dumps(
                    {
                        "id": "1",
                        "method": "authenticateWithPassword",
                        "params": {"password": password},
                    }
                )
            )
            json.loads(await ws.recv())
            payload = {"id": "2", "method": "getEdgeConfig", "params": {}}
            await ws.send(
                json.dumps(
                    {"id": "2", "method": "edgeRpc", "params": {"edgeId": "0", "payload": payload}}
                )
            )
            config = json.loads(await ws.recv())["result"]["payload"]["result"]
            addresses = [
                f"{c}/{n}"
                for c, comp in sorted(config["components"].items())
                for n in comp["channels"]
            ]
            start = (index * 7) % len(addresses)
            mine = list(itertools.islice(itertools.cycle(addresses), start, start + per_client))
            payload = {
                "id": "3",
                "method": "subscribeChannels",
                "params": {"count": str(len(mine)), "channels": mine},
            }
            await ws.send(
                json.dumps(
                    {"id": "3", "method": "edgeRpc", "params": {"edgeId": "0", "payload": payload}}
                )
            )
            json.loads(await ws.recv())
            handshakes.release()
            connected += 1
            if connected == count:
                print("READY", flush=True)
                ready.set()
            deadline = time.monotonic() + seconds
            while time.monotonic() < deadline:
                try:
                    await asyncio.wait_for(ws.recv(), deadline - time.monotonic())
                except TimeoutError:
                    break
                received[index] += 1

    await asyncio.gather(*(one(i) for i in range(count)))
    print(json.dumps({"received": sum(received), "min": min(received)}))


async def period_deviation(
    load: bool, channels: int = CHANNELS, seconds: float = SECONDS, threaded: str = ""
) -> tuple[list[float], list[float], dict[str, int]]:
    """Deviations in steady state, and during the 50 handshakes (empty without load)."""
    edge = Edge(site_with_write(PERIOD_MS), Path(mkdtemp(prefix="wk-bench-ws-")))
    starts = record_cycle_starts(edge)
    await edge.start()
    cycle_ended = await start_cycle(edge, threaded)
    servers = await edge.start_servers()
    settle_heap()  # as `wattkeeper run` does
    port = servers.bound[0]
    stats: dict[str, int] = {}
    await asyncio.sleep(1)
    connecting = len(starts)
    steady = connecting
    try:
        if load:
            args = [sys.executable, __file__, "--clients", str(port), str(seconds), str(channels)]
            proc = await asyncio.create_subprocess_exec(
                *client_command(args), env=ENV, stdout=subprocess.PIPE
            )
            assert proc.stdout is not None
            while (line := await proc.stdout.readline()) and not line.startswith(b"READY"):
                pass
            steady = len(starts) + 1
            out, _ = await proc.communicate()
            stats = json.loads(out.decode().strip().splitlines()[-1])
        else:
            await asyncio.sleep(seconds)
    finally:
        await edge.stop_servers(servers)
        await edge.stop()
        await cycle_ended()
    deviations = [abs(b - a - PERIOD_MS / 1000) for a, b in itertools.pairwise(starts)]
    return deviations[steady:], deviations[connecting:steady], stats


def main() -> None:
    if len(sys.argv) in (4, 5) and sys.argv[1] == "--clients":
        per_client = int(sys.argv[4]) if len(sys.argv) == 5 else CHANNELS
        asyncio.run(clients(int(sys.argv[2]), CLIENTS, per_client, float(sys.argv[3])))
        return
    print("wattkeeper websocket benchmark (loopback; baseline measured in this run)\n")
    quiet, _, _ = run(period_deviation(load=False))
    loaded, connecting, stats = run(period_deviation(load=True))
    cycles = len(loaded)
    report(
        f"cycle period p99 deviation, {CLIENTS} ws clients x {CHANNELS} ch",
        f"{percentile(loaded, 99) * 1e3:.2f} ms",
        "< 10 ms",
        f"no clients: p99 {percentile(quiet, 99) * 1e3:.2f} ms, "
        f"median {median(quiet) * 1e3:.2f} ms; loaded median {median(loaded) * 1e3:.2f} ms",
    )
    report(
        f"worst cycle deviation while {CLIENTS} clients sign in",
        f"{max(connecting, default=0) * 1e3:.2f} ms",
        "",
        f"{len(connecting)} cycles; password check, getEdgeConfig and subscribe, 50 times",
    )
    report(
        "currentData notifications received",
        f"{stats.get('received', 0)}",
        "",
        f"{cycles} cycles of {PERIOD_MS} ms measured; fewest for one client {stats.get('min', 0)}",
    )


if __name__ == "__main__":
    main()
