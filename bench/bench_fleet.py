"""Benchmark of the fleet backend: sustained ingest, remote-write latency, and a sizing.

Run on demand: `python bench/bench_fleet.py [--edges 1000] [--values 50] [--seconds 30]
[--processes 2] [--targets 8]` (needs Debian's postgresql and nats-server:
scripts/fleet-deps.sh). Starts on loopback a PostgreSQL, a nats-server and two `wattkeeper
backend` nodes (processes of their own). The simulated edges (the real uplink: websocket, disk
outbox, confirmations) run in `--processes` child processes (bench/fleet_sim.py), each on its
own event loop, half of every process's edges on each node. This process keeps only the UI
client and a few target edges of the remote writes (`--targets`, connected like the others and
reporting like them), so a write measures node -> NATS -> node -> edge, not this process's
event loop. Baselines from the same run: the same rows inserted straight into PostgreSQL (the
store's ceiling without websocket and NATS), a user request that reaches no edge (getEdges)
next to the remote write, and the same writes with the fleet quiet.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import itertools
import json
import os
import secrets
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx
import psutil

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.common import percentile, report
from bench.fleet_sim import connect, drain, figures, run_cycles
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


class Simulators:
    """The child processes of simulated edges (bench/fleet_sim.py), driven line by line."""

    def __init__(self, processes: list[asyncio.subprocess.Process], folder: Path) -> None:
        self.processes = processes
        self.folder = folder

    @classmethod
    async def start(
        cls, count: int, parts: int, uris: list[str], secret: str, values: int, folder: Path
    ) -> Simulators:
        bounds = [count * part // parts for part in range(parts + 1)]
        script = str(Path(__file__).resolve().with_name("fleet_sim.py"))
        processes = [
            await asyncio.create_subprocess_exec(
                sys.executable,
                script,
                str(first),
                str(stop),
                str(values),
                str(folder),
                secret,
                *uris,
                stdin=asyncio.subprocess.PIPE,
                stdout=asyncio.subprocess.PIPE,
            )
            for first, stop in itertools.pairwise(bounds)
        ]
        simulators = cls(processes, folder)
        await simulators._expect("connected")
        return simulators

    async def _expect(self, word: str) -> list[str]:
        lines = await asyncio.gather(*(p.stdout.readline() for p in self.processes))  # type: ignore[union-attr]
        for line in lines:
            if not line.decode().startswith(word):
                raise RuntimeError(f"a simulator process answered {line!r}, not {word!r}")
        return [line.decode().split()[-1] for line in lines]

    async def command(self, line: str, answer: str) -> list[str]:
        for process in self.processes:
            assert process.stdin is not None
            process.stdin.write(f"{line}\n".encode())
            await process.stdin.drain()
        return await self._expect(answer)

    async def run(self, start: float, seconds: int) -> int:
        return sum(int(n) for n in await self.command(f"run {start} {seconds}", "ran"))

    async def drain(self) -> list[dict[str, Any]]:
        paths = [self.folder / f"figures-{p.pid}.json" for p in self.processes]
        for process, path in zip(self.processes, paths, strict=True):
            assert process.stdin is not None
            process.stdin.write(f"drain {path}\n".encode())
            await process.stdin.drain()
        await self._expect("drained")
        return [json.loads(path.read_text()) for path in paths]

    async def stop(self) -> None:
        for process in self.processes:
            if process.returncode is None and process.stdin is not None:
                with contextlib.suppress(ConnectionError):
                    process.stdin.write(b"stop\n")
                    process.stdin.close()
        for process in self.processes:
            try:
                await asyncio.wait_for(process.wait(), 10)
            except TimeoutError:
                process.kill()
                await process.wait()


async def main(count: int, values: int, seconds: int, parts: int, targets: int) -> None:
    postgres, bus = LocalPostgres.start(), LocalNats.start()
    nodes = [start_node(postgres, bus) for _ in range(2)]
    uris = [f"ws://{address}/edge" for _, address in nodes]
    folder = Path(tempfile.mkdtemp(prefix="wk-bench-fleet-"))
    store = await FleetStore.open(postgres.url, size=4)
    simulators: Simulators | None = None
    try:
        await store.add_user("bench", "bench")
        ceiling = await baseline_insert(store, values, 2000)
        secret = secrets.token_hex(8)
        for index in range(count):
            await store.add_edge(f"edge{index}", f"{secret}-{index}")
            await store.grant("bench", f"edge{index}", "owner")
        # the writes' targets, here, half on each node, reporting like the others
        own = []
        for index in range(targets):
            edge_id, key = f"target{index}", f"{secret}-t{index}"
            await store.add_edge(edge_id, key)
            await store.grant("bench", edge_id, "owner")
            uri = uris[index % 2]
            own.append(SimulatedEdge(edge_id, [uri], key, folder, time.time, values, seed=-index))
        simulators = await Simulators.start(count, parts, uris, secret, values, folder)
        await connect(own)
        node_pids = [p.pid for p, _ in nodes]
        sim_pids = [p.pid for p in simulators.processes]
        pg_pid = postgres.process.pid  # type: ignore[union-attr]
        me = os.getpid()
        cpu_before = {pid: cpu_seconds(pid) for pid in [*node_pids, *sim_pids, me, *tree(pg_pid)]}
        write_latencies: list[float] = []
        plain_latencies: list[float] = []
        print(f"{count} + {targets} edges connected; running {seconds} s", file=sys.stderr)
        start = time.time() + 0.5  # every process begins its cycles at this moment
        async with httpx.AsyncClient(auth=("bench", "bench"), timeout=30) as client:
            writer = asyncio.create_task(
                remote_writes(client, nodes[1][1], own, write_latencies, plain_latencies)
            )
            cycles = await asyncio.gather(
                simulators.run(start, seconds), run_cycles(own, start, seconds)
            )
            samples = sum(cycles)
            writer.cancel()
        elapsed = time.time() - start
        used = {pid: cpu_seconds(pid) - cpu_before.get(pid, 0.0) for pid in cpu_before}
        used.update({pid: cpu_seconds(pid) for pid in tree(pg_pid) if pid not in cpu_before})
        cpu = [100 * used[pid] / elapsed for pid in node_pids]
        sim_cpu = [100 * used[pid] / elapsed for pid in sim_pids]
        pg_cpu = 100 * sum(used[pid] for pid in tree(pg_pid) if pid in used) / elapsed
        drain_started = time.monotonic()
        children, _ = await asyncio.gather(simulators.drain(), drain(own))
        drained = time.monotonic() - drain_started
        quiet_writes: list[float] = []
        quiet_plain: list[float] = []
        async with httpx.AsyncClient(auth=("bench", "bench"), timeout=30) as client:
            # the same writes with the edges connected but not sending: the path's own cost
            quiet = asyncio.create_task(
                remote_writes(client, nodes[1][1], own, quiet_writes, quiet_plain)
            )
            await asyncio.sleep(5)
            quiet.cancel()
        stored = await store.count(RAW)
        stored -= await store.count(RAW, "baseline")
        mine = figures(own)
        expected = int(mine["made"]) + sum(int(c["made"]) for c in children)
        latencies = [*mine["latencies"], *(x for c in children for x in c["latencies"])]  # type: ignore[misc]
        size = await store.pool.fetchval(
            "SELECT sum(pg_total_relation_size(c.oid)) FROM pg_inherits i "
            "JOIN pg_class c ON c.oid = i.inhrelid JOIN pg_class p ON p.oid = i.inhparent "
            "WHERE p.relname = $1",
            RAW,
        )
        rate = expected / elapsed
        asked = (count + targets) * values
        report("edge cycles run", f"{samples:,}", baseline=f"{elapsed:.1f} s")
        report("PostgreSQL INSERT alone (baseline)", f"{ceiling:,.0f} rows/s")
        report(
            f"ingest {count}+{targets} edges x {values} values/s, 2 nodes",
            f"{rate:,.0f} values/s",
            baseline=f"{rate / ceiling:.0%} of the INSERT ceiling; {asked:,} asked",
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
        report(
            f"CPU per simulator process ({parts})",
            f"{sum(sim_cpu) / len(sim_cpu):.0f} %",
            baseline="the load generator: near 100 % means it, not the backend, is the limit",
        )
        report(
            "CPU of the bench's own process",
            f"{100 * used[me] / elapsed:.0f} %",
            baseline=f"the UI client and {targets} target edges: well below 100 %",
        )
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
        sizing(count + targets, values, rate, sum(cpu) / 2, pg_cpu, bytes_per_value)
        for edge in own:
            await edge.link.stop()
    finally:
        if simulators is not None:
            await simulators.stop()
        await store.close()
        for process, _ in nodes:
            stop_node(process)
        bus.stop()
        postgres.stop()
        shutil.rmtree(folder, ignore_errors=True)


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
    """One UI write every 100 ms through node 2, to target edges on both nodes (half cross
    NATS); the battery's moment is taken in this process, where the target edges run."""
    index = 0
    while True:
        edge = edges[index % len(edges)]
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
    parser.add_argument("--processes", type=int, default=2, help="simulator processes")
    parser.add_argument("--targets", type=int, default=8, help="write targets in this process")
    args = parser.parse_args()
    if args.processes < 1 or args.targets < 2 or args.edges < args.processes:
        parser.error("need at least 1 process, 2 targets and an edge per process")
    try:
        import uvloop

        uvloop.install()
    except ImportError:
        pass
    asyncio.run(main(args.edges, args.values, args.seconds, args.processes, args.targets))
