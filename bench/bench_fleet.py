"""Benchmark of the fleet backend: sustained ingest, remote-write latency, and a sizing.

Run on demand: `python bench/bench_fleet.py [--edges 1000] [--values 50] [--seconds 30]`
(needs Debian's postgresql and nats-server: scripts/fleet-deps.sh). Starts on loopback a
PostgreSQL, a nats-server and two `wattkeeper backend` nodes (processes of their own); the
simulated edges (the real uplink: websocket, disk outbox, confirmations) run in this process,
half on each node. Baselines from the same run: the same rows inserted straight into
PostgreSQL (the store's ceiling without websocket and NATS), and a user request that reaches
no edge (getEdges) next to the remote write.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import secrets
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx
import psutil

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.common import percentile, report
from wattkeeper.backend.engines import LocalNats, LocalPostgres, free_port
from wattkeeper.backend.schema import RAW
from wattkeeper.backend.store import FleetStore
from wattkeeper.uplink.simulated import SimulatedEdge

FLEET = 100_000


def start_node(postgres: LocalPostgres, bus: LocalNats) -> tuple[subprocess.Popen[str], str]:
    port = free_port()
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "wattkeeper",
            "backend",
            "--database",
            postgres.url,
            "--nats",
            bus.url,
            "--port",
            str(port),
        ],
        stdout=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    assert process.stdout is not None
    process.stdout.readline()
    return process, f"127.0.0.1:{port}"


def stop_node(process: subprocess.Popen[str]) -> None:
    process.terminate()
    process.wait()
    if process.stdout:
        process.stdout.close()


async def baseline_insert(store: FleetStore, values: int, batches: int) -> float:
    """Rows per second of the store's own INSERT, no websocket, no NATS: the ceiling."""
    await store.add_edge("baseline", "baseline-key")
    now = time.time() - 3600
    rows = [(f"meter{i // 10}/Value{i % 10}", now, float(i)) for i in range(values)]
    started = time.perf_counter()
    tasks = []
    for batch in range(batches):
        stamp = now + batch
        tasks.append(store.insert(RAW, "baseline", [(c, stamp, v) for c, _, v in rows]))
        if len(tasks) == 8:  # a few at once, as several sockets would
            await asyncio.gather(*tasks)
            tasks = []
    await asyncio.gather(*tasks)
    return values * batches / (time.perf_counter() - started)


async def main(count: int, values: int, seconds: int) -> None:
    postgres, bus = LocalPostgres.start(), LocalNats.start()
    nodes = [start_node(postgres, bus) for _ in range(2)]
    folder = Path(tempfile.mkdtemp(prefix="wk-bench-fleet-"))
    store = await FleetStore.open(postgres.url, size=4)
    try:
        await store.add_user("bench", "bench")
        ceiling = await baseline_insert(store, values, 2000)
        edges = []
        for index in range(count):
            edge_id, key = f"edge{index}", secrets.token_hex(8)
            await store.add_edge(edge_id, key)
            await store.grant("bench", edge_id, "owner")
            uri = f"ws://{nodes[index % 2][1]}/edge"
            edges.append(SimulatedEdge(edge_id, [uri], key, folder, time.time, values, seed=index))
        for edge in edges:
            edge.link.start()
        while sum(e.link.connected_to is not None for e in edges) < count:
            await asyncio.sleep(0.1)
        node_pids = [p.pid for p, _ in nodes]
        pg_pid = postgres.process.pid  # type: ignore[union-attr]
        cpu_before = {pid: cpu_seconds(pid) for pid in [*node_pids, *tree(pg_pid)]}
        write_latencies: list[float] = []
        plain_latencies: list[float] = []
        started = time.monotonic()
        async with httpx.AsyncClient(auth=("bench", "bench"), timeout=30) as client:
            print(f"{count} edges connected; running {seconds} s", file=sys.stderr)
            writer = asyncio.create_task(
                remote_writes(client, nodes[1][1], edges, write_latencies, plain_latencies)
            )
            slots = 20  # edges are not in step: each twentieth of a second, a twentieth of them
            for tick in range(seconds * slots):
                for edge in edges[tick % slots :: slots]:
                    edge.cycle()
                await asyncio.sleep(max(0.0, started + (tick + 1) / slots - time.monotonic()))
            samples = seconds * len(edges)
            writer.cancel()
        elapsed = time.monotonic() - started
        used = {pid: cpu_seconds(pid) - cpu_before.get(pid, 0.0) for pid in cpu_before}
        used.update({pid: cpu_seconds(pid) for pid in tree(pg_pid) if pid not in cpu_before})
        cpu = [100 * used[pid] / elapsed for pid in node_pids]
        pg_cpu = 100 * sum(used[pid] for pid in tree(pg_pid) if pid in used) / elapsed
        drain_started = time.monotonic()
        while any(e.link.pending() for e in edges):
            await asyncio.sleep(0.1)
        drained = time.monotonic() - drain_started
        quiet_writes: list[float] = []
        quiet_plain: list[float] = []
        async with httpx.AsyncClient(auth=("bench", "bench"), timeout=30) as client:
            # the same writes with the edges connected but not sending: the path's own cost
            quiet = asyncio.create_task(
                remote_writes(client, nodes[1][1], edges, quiet_writes, quiet_plain)
            )
            await asyncio.sleep(5)
            quiet.cancel()
        stored = await store.count(RAW)
        stored -= await store.count(RAW, "baseline")
        expected = sum(e.link.sampler.made for e in edges)  # changed values actually sent
        latencies = [x for e in edges for x in e.link.ack_latencies]
        size = await store.pool.fetchval(
            "SELECT sum(pg_total_relation_size(c.oid)) FROM pg_inherits i "
            "JOIN pg_class c ON c.oid = i.inhrelid JOIN pg_class p ON p.oid = i.inhparent "
            "WHERE p.relname = $1",
            RAW,
        )
        rate = expected / elapsed
        report("edge cycles run", f"{samples:,}", baseline=f"{elapsed:.1f} s")
        report("PostgreSQL INSERT alone (baseline)", f"{ceiling:,.0f} rows/s")
        report(
            f"ingest {count} edges x {values} values/s, 2 nodes",
            f"{rate:,.0f} values/s",
            baseline=f"{rate / ceiling:.0%} of the INSERT ceiling",
        )
        report(
            "values stored / made (no loss = 100%)",
            f"{stored / expected:.4%}",
            baseline=f"{stored:,} of {expected:,}; drained {drained:.1f} s after the run",
        )
        report("p50 edge send -> stored (confirmed)", f"{percentile(latencies, 50) * 1000:.0f} ms")
        report("p99 edge send -> stored (confirmed)", f"{percentile(latencies, 99) * 1000:.0f} ms")
        report("CPU per node (average of the two)", f"{sum(cpu) / 2:.0f} %")
        report("CPU of PostgreSQL", f"{pg_cpu:.0f} %")
        if write_latencies:
            p99_write = percentile(write_latencies, 99) * 1000
            p99_plain = percentile(plain_latencies, 99) * 1000
            report(
                "p99 remote write UI -> battery, under ingest",
                f"{p99_write:.0f} ms",
                target="< 500 ms",
                baseline=f"getEdges p99 {p99_plain:.0f} ms, {len(write_latencies)} writes",
            )
        if quiet_writes:
            report(
                "p99 remote write UI -> battery, fleet quiet",
                f"{percentile(quiet_writes, 99) * 1000:.0f} ms",
                target="< 500 ms",
                baseline=f"getEdges p99 {percentile(quiet_plain, 99) * 1000:.0f} ms, "
                f"{len(quiet_writes)} writes",
            )
        bytes_per_value = float(size) / max(1, stored)
        sizing(count, values, rate, sum(cpu) / 2, pg_cpu, bytes_per_value)
        for edge in edges:
            await edge.link.stop()
    finally:
        await store.close()
        for process, _ in nodes:
            stop_node(process)
        bus.stop()
        postgres.stop()


def tree(pid: int) -> list[int]:
    root = psutil.Process(pid)
    return [pid, *(child.pid for child in root.children(recursive=True))]


def cpu_seconds(pid: int) -> float:
    try:
        times = psutil.Process(pid).cpu_times()
    except psutil.NoSuchProcess:
        return 0.0
    return float(times.user + times.system)


async def remote_writes(
    client: httpx.AsyncClient,
    node: str,
    edges: list[SimulatedEdge],
    latencies: list[float],
    plain: list[float],
) -> None:
    """One UI write every 100 ms through node 2, to edges on both nodes (half cross NATS)."""
    index = 0
    while True:
        edge = edges[(index * 7) % len(edges)]
        index += 1
        body = {
            "jsonrpc": "2.0",
            "id": index,
            "method": "edgeRpc",
            "params": {
                "edgeId": edge.edge_id,
                "payload": {
                    "method": "setOverride",
                    "params": {"address": "ess0/SetActivePowerEquals", "value": 1000 + index},
                },
            },
        }
        started = time.perf_counter()
        answer = await client.post(f"http://{node}/jsonrpc", json=body)
        if answer.status_code == 200 and edge.setpoint_at >= started:
            latencies.append(edge.setpoint_at - started)
        started = time.perf_counter()
        await client.post(
            f"http://{node}/jsonrpc",
            json={"jsonrpc": "2.0", "id": 0, "method": "getEdges", "params": {"search": "edge1"}},
        )
        plain.append(time.perf_counter() - started)
        await asyncio.sleep(0.1)


def sizing(
    count: int, values: int, rate: float, node_cpu: float, pg_cpu: float, bytes_per_value: float
) -> None:
    """The fleet of 100,000 edges, from this run's figures; the assumptions are printed."""
    per_core_node = rate / 2 / max(node_cpu / 100, 0.01)  # values/s one node core handles
    per_core_pg = rate / max(pg_cpu / 100, 0.01)
    fleet_rate = FLEET * values
    headroom = 0.6  # run nodes and the database at 60 % of a core each, for bursts and failover
    nodes = fleet_rate / (per_core_node * headroom)
    pg_cores = fleet_rate / (per_core_pg * headroom)
    raw_day = fleet_rate * 86_400 * bytes_per_value
    aggregates_year = FLEET * values * 288 * 365 * bytes_per_value
    print()
    print(f"Sizing for {FLEET:,} edges (assumptions: {values} changed values per edge per second,")
    print(f"as measured here; one node = one core; {headroom:.0%} load per core; measured")
    print(f"{bytes_per_value:.0f} bytes per stored value incl. index; aggregates: every channel,")
    print("one value per 5 minutes; CPU scales linearly with values/s, as nodes share nothing):")
    report("values per second, whole fleet", f"{fleet_rate:,.0f}")
    report(
        "backend node cores (1 node per core)",
        f"{nodes:,.0f}",
        baseline=f"{per_core_node:,.0f} values/s per node core measured",
    )
    report(
        "PostgreSQL cores for ingest",
        f"{pg_cores:,.0f}",
        baseline=f"{per_core_pg:,.0f} values/s per PostgreSQL core measured",
    )
    report("raw values per day on disk", f"{raw_day / 1e12:,.1f} TB")
    report("5-minute aggregates per year on disk", f"{aggregates_year / 1e12:,.1f} TB")


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--edges", type=int, default=1000)
    parser.add_argument("--values", type=int, default=50)
    parser.add_argument("--seconds", type=int, default=30)
    args = parser.parse_args()
    try:
        import uvloop

        uvloop.install()
    except ImportError:
        pass
    asyncio.run(main(args.edges, args.values, args.seconds))
