"""Helpers shared by the benchmarks: timing statistics and a site builder."""

from __future__ import annotations

import asyncio
import statistics
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from tempfile import mkdtemp

from wattkeeper.config.site import SiteConfig, demo_site
from wattkeeper.edge.app import Edge
from wattkeeper.edge.cycle_thread import CycleThread
from wattkeeper.testing.cycle_starts import record_cycle_starts as record_starts
from wattkeeper.testing.fake_clock import FakeClock

#: niceness of the load-generating client processes (REST hammers, websocket clients): 0 runs
#: them beside the edge at equal priority; 10 makes them stand-ins for clients on other
#: machines, which take no CPU time from the edge (`bench_snapshot.py --clients-nice 10`)
CLIENT_NICE = 0
#: (times, seconds in all) the network thread stood aside for a cycle's start, per threaded run
STOOD_ASIDE: list[tuple[int, float]] = []


def cpu_ticks() -> tuple[int, int]:
    """(stolen, all) clock ticks of every CPU since boot, from /proc/stat; (0, 0) elsewhere.

    Steal is time a virtual machine's CPU was ready to run but the host ran something else: a
    timing figure taken while it rose says more about the host than about the edge."""
    try:
        with open("/proc/stat") as stat:
            fields = [int(x) for x in stat.readline().split()[1:]]
    except (OSError, ValueError):
        return 0, 0
    return (fields[7] if len(fields) > 7 else 0), sum(fields[:8])


def steal_share(before: tuple[int, int], after: tuple[int, int]) -> float:
    """Share of all CPU time between two `cpu_ticks()` readings that the host took."""
    total = after[1] - before[1]
    return (after[0] - before[0]) / total if total > 0 else 0.0


def client_command(args: list[str]) -> list[str]:
    """`args` run at CLIENT_NICE."""
    return ["nice", "-n", str(CLIENT_NICE), *args] if CLIENT_NICE else list(args)


def timeit(fn: Callable[[], object], repeat: int, warmup: int = 20) -> list[float]:
    """Seconds per call, one sample per call."""
    for _ in range(warmup):
        fn()
    samples = []
    for _ in range(repeat):
        started = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - started)
    return samples


def percentile(samples: list[float], pct: float) -> float:
    ordered = sorted(samples)
    index = min(len(ordered) - 1, max(0, round(pct / 100 * (len(ordered) - 1))))
    return ordered[index]


def median(samples: list[float]) -> float:
    return statistics.median(samples)


def edge_on_fake_clock(site: SiteConfig | None = None) -> tuple[Edge, FakeClock]:
    clock = FakeClock(1_782_036_000.0)
    return Edge(site or demo_site(), Path(mkdtemp(prefix="wk-bench-")), clock), clock


def report(name: str, value: str, target: str = "", baseline: str = "") -> None:
    extra = f"  [{baseline}]" if baseline else ""
    goal = f"  target {target}" if target else ""
    print(f"{name:<52} {value:>14}{goal}{extra}")


async def start_cycle(edge: Edge, threaded: str) -> Callable[[], Awaitable[None]]:
    """Run the edge's cycle on this event loop (""), or in its own thread ("thread"; "rt":
    with real-time priority, as `wattkeeper run` does where allowed, edge/cycle_thread.py);
    returns what waits for it to end once `edge.stop()` has stopped it."""
    if threaded:
        runner = CycleThread(edge.cycle, real_time=threaded == "rt")
        runner.start()

        async def stopped() -> None:
            await runner.stop()
            STOOD_ASIDE.append((runner.stood_aside, runner.stood_aside_s))

        return stopped
    task = asyncio.create_task(edge.cycle.run_forever())

    async def ended() -> None:
        await task

    return ended


def record_cycle_starts(edge: Edge) -> list[float]:
    """Perf-counter time of every cycle start from now on (appended as cycles run)."""
    return record_starts(edge.cycle, time.perf_counter)
