"""Benchmark of the edge's UI through a backend node: what live browsers cost (ADR 0155).

Run on demand: `python bench/bench_fleet_ui.py [--edges 50] [--browsers 200] [--seconds 20]`
(needs Debian's postgresql and nats-server: scripts/fleet-deps.sh). Starts on loopback a
PostgreSQL, a nats-server and one `wattkeeper backend` node (a process of its own, so its CPU
is its own); simulated edges (the real uplink) and the browsers (websockets, each a user who
owns one edge, subscribed to 30 of its channels) run in this process. Figures: `currentData`
per browser and second, the node's CPU per live browser, and a UI request's round trip to the
edge (`getCurrentData` inside `edgeRpc`) against a baseline from the same run: `getEdge`, which
the node answers from PostgreSQL without reaching the edge.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import secrets
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from websockets.asyncio.client import ClientConnection, connect

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.bench_fleet import cpu_seconds, start_node, stop_node
from bench.common import percentile, report
from wattkeeper.backend.engines import LocalNats, LocalPostgres
from wattkeeper.backend.store import FleetStore
from wattkeeper.uplink.simulated import SimulatedEdge

CHANNELS = 30


async def call(ws: ClientConnection, request_id: str, method: str, params: dict[str, Any]) -> Any:
    await ws.send(
        json.dumps({"jsonrpc": "2.0", "id": request_id, "method": method, "params": params})
    )
    while True:
        message = json.loads(await ws.recv())
        if message.get("id") == request_id:
            return message


async def browser(url: str, user: str, edge: SimulatedEdge, counts: list[int], slot: int) -> None:
    async with connect(url) as ws:
        await call(ws, "1", "authenticateWithPassword", {"username": user, "password": "bench"})
        channels = ["_sum/EssSoc", *edge.channels[: CHANNELS - 1]]
        payload = {"method": "subscribeChannels", "params": {"count": 1, "channels": channels}}
        await call(ws, "2", "edgeRpc", {"edgeId": edge.edge_id, "payload": payload})
        async for text in ws:
            if '"currentData"' in str(text):
                counts[slot] += 1


async def probe(
    url: str, user: str, edge_id: str, edge_ms: list[float], plain_ms: list[float]
) -> None:
    """A UI request that reaches the edge, then one that does not, every 100 ms."""
    async with connect(url) as ws:
        await call(ws, "1", "authenticateWithPassword", {"username": user, "password": "bench"})
        payload = {"method": "getCurrentData", "params": {"channels": ["_sum/EssSoc"]}}
        index = 0
        while True:
            index += 1
            started = time.perf_counter()
            await call(ws, f"e{index}", "edgeRpc", {"edgeId": edge_id, "payload": payload})
            edge_ms.append((time.perf_counter() - started) * 1000)
            started = time.perf_counter()
            await call(ws, f"p{index}", "getEdge", {"edgeId": edge_id})
            plain_ms.append((time.perf_counter() - started) * 1000)
            await asyncio.sleep(0.1)


async def main(count: int, browsers: int, seconds: int) -> None:
    os.environ["WATTKEEPER_SCRYPT_N"] = "1024"  # cheap sign-ins: the bench is about live values
    postgres, bus = LocalPostgres.start(), LocalNats.start()
    process, address = start_node(postgres, bus)
    folder = Path(tempfile.mkdtemp(prefix="wk-bench-fleet-ui-"))
    store = await FleetStore.open(postgres.url, size=4)
    url = f"ws://{address}/websocket"
    tasks: list[asyncio.Task[None]] = []
    edges: list[SimulatedEdge] = []
    try:
        for index in range(count):
            edge_id, key = f"edge{index}", secrets.token_hex(8)
            await store.add_edge(edge_id, key)
            edges.append(
                SimulatedEdge(
                    edge_id, [f"ws://{address}/edge"], key, folder, time.time, 50, seed=index
                )
            )
        for index in range(browsers + 1):  # one user per browser (a user has at most 8 live)
            await store.add_user(f"user{index}", "bench")
            await store.grant(f"user{index}", edges[index % count].edge_id, "owner")
        for edge in edges:
            edge.link.start()
        while sum(e.link.connected_to is not None for e in edges) < count:
            await asyncio.sleep(0.1)
        edge_ms: list[float] = []
        plain_ms: list[float] = []
        tasks.append(
            asyncio.create_task(
                probe(url, f"user{browsers}", edges[browsers % count].edge_id, edge_ms, plain_ms)
            )
        )
        await asyncio.sleep(3)
        if tasks[0].done():
            tasks[0].result()  # the probe failed: say why
        quiet_edge, quiet_plain = list(edge_ms), list(plain_ms)
        counts = [0] * browsers
        for index in range(browsers):
            tasks.append(
                asyncio.create_task(
                    browser(url, f"user{index}", edges[index % count], counts, index)
                )
            )
        await asyncio.sleep(3)  # everybody signed in and subscribed
        edge_ms.clear()
        plain_ms.clear()
        counts[:] = [0] * browsers
        cpu_before, started = cpu_seconds(process.pid), time.monotonic()
        print(f"{count} edges, {browsers} live browsers; running {seconds} s", file=sys.stderr)
        await asyncio.sleep(seconds)
        elapsed = time.monotonic() - started
        node_cpu = 100 * (cpu_seconds(process.pid) - cpu_before) / elapsed
        received = list(counts)
        rate = sum(received) / elapsed / browsers
        report(
            "currentData per browser and second",
            f"{rate:.2f}",
            target="about 1",
            baseline=f"slowest browser {min(received) / elapsed:.2f}/s",
        )
        report(
            f"node CPU with {browsers} live browsers",
            f"{node_cpu:.0f} %",
            baseline=f"{node_cpu / browsers:.2f} % per live browser",
        )
        report(
            "p50 / p99 UI -> edge -> UI (getCurrentData), quiet",
            f"{percentile(quiet_edge, 50):.1f} / {percentile(quiet_edge, 99):.1f} ms",
            baseline=f"getEdge (PostgreSQL only) {percentile(quiet_plain, 50):.1f} / "
            f"{percentile(quiet_plain, 99):.1f} ms",
        )
        report(
            f"p50 / p99 UI -> edge -> UI, {browsers} live browsers",
            f"{percentile(edge_ms, 50):.1f} / {percentile(edge_ms, 99):.1f} ms",
            baseline=f"getEdge {percentile(plain_ms, 50):.1f} / {percentile(plain_ms, 99):.1f} ms",
        )
    finally:
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        for edge in edges:
            await edge.link.stop()
        await store.close()
        stop_node(process)
        bus.stop()
        postgres.stop()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--edges", type=int, default=50)
    parser.add_argument("--browsers", type=int, default=200)
    parser.add_argument("--seconds", type=int, default=20)
    args = parser.parse_args()
    asyncio.run(main(args.edges, args.browsers, args.seconds))
