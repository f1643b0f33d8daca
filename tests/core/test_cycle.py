"""The real-time loop: an early wake-up runs a cycle at once, but never closer than the spacing."""

from __future__ import annotations

import asyncio
import time

from wattkeeper.app import Edge
from wattkeeper.config.site import demo_site
from wattkeeper.core.clock import SystemClock


def slow_edge(tmp_path, period_ms: int, spacing_ms: int) -> Edge:
    site = demo_site()
    site.edge.period_ms = period_ms
    site.edge.min_spacing_ms = spacing_ms
    return Edge(site, tmp_path, SystemClock())


async def test_wake_runs_a_cycle_without_waiting_for_the_period(tmp_path) -> None:
    edge = slow_edge(tmp_path, period_ms=60_000, spacing_ms=10)
    task = asyncio.create_task(edge.cycle.run_forever())
    try:
        while edge.cycle.number < 1:
            await asyncio.sleep(0.001)
        edge.cycle.wake()
        async with asyncio.timeout(30):  # far below the 60 s period
            while edge.cycle.number < 2:
                await asyncio.sleep(0.001)
    finally:
        edge.cycle.stop()
        await task
    assert edge.cycle.number == 2


async def test_wakes_cannot_make_the_cycle_spin(tmp_path) -> None:
    edge = slow_edge(tmp_path, period_ms=60_000, spacing_ms=50)
    task = asyncio.create_task(edge.cycle.run_forever())
    started = time.monotonic()
    try:
        for _ in range(400):
            edge.cycle.wake()
            await asyncio.sleep(0.001)
    finally:
        elapsed = time.monotonic() - started
        edge.cycle.stop()
        await task
    # at most one cycle per spacing interval (plus the first and the one at stop)
    assert edge.cycle.number <= elapsed / 0.05 + 3
    assert edge.cycle.number >= 2
