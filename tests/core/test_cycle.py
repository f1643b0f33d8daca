"""The real-time loop on a fake clock: an early wake-up runs a cycle at once, never closer than
the spacing, and the period alone runs one when the clock gets there."""

from __future__ import annotations

import asyncio
import itertools
from collections.abc import AsyncIterator

import pytest

from wattkeeper.config.site import demo_site
from wattkeeper.core.cycle import WAKE_SETTLE_MS
from wattkeeper.edge.app import Edge
from wattkeeper.testing.cycle_starts import record_cycle_starts
from wattkeeper.testing.fake_clock import FakeClock

PERIOD_S = 60.0
SPACING_S = 0.05


async def settle() -> None:
    """Let the cycle task run until it waits again (no time passes on the fake clock)."""
    for _ in range(20):
        await asyncio.sleep(0)


@pytest.fixture
async def running(tmp_path) -> AsyncIterator[tuple[Edge, FakeClock]]:
    site = demo_site()
    site.edge.period_ms = int(PERIOD_S * 1000)
    site.edge.min_spacing_ms = int(SPACING_S * 1000)
    clock = FakeClock()
    edge = Edge(site, tmp_path, clock)
    task = asyncio.create_task(edge.cycle.run_forever())
    await settle()
    yield edge, clock
    edge.cycle.stop()
    await task


async def test_without_a_wake_the_next_cycle_waits_for_the_period(running) -> None:
    edge, clock = running
    assert edge.cycle.number == 1
    clock.advance(PERIOD_S - 1)
    await settle()
    assert edge.cycle.number == 1
    clock.advance(1)
    await settle()
    assert edge.cycle.number == 2


async def test_wake_runs_a_cycle_without_waiting_for_the_period(running) -> None:
    edge, clock = running
    started = clock.monotonic()
    edge.cycle.wake()
    await settle()
    assert edge.cycle.number == 2
    assert clock.monotonic() - started <= SPACING_S  # at most the spacing, not the period


async def test_wakes_cannot_make_the_cycle_spin(running) -> None:
    """A storm of writes: every one is applied, the batteries are written at most once per
    apply spacing, and full cycles run at most once per cycle spacing."""
    edge, clock = running
    applied: list[float] = []
    solve = edge.power.solve_and_apply

    def counted() -> None:
        applied.append(clock.monotonic())
        solve()

    edge.power.solve_and_apply = counted  # type: ignore[method-assign]
    started = clock.monotonic()
    for _ in range(100):
        woken_at = clock.monotonic()
        edge.cycle.wake()
        await settle()
        assert applied[-1] >= woken_at  # applied (at once, or once the apply spacing allowed)
        clock.advance(0.001)
    await settle()
    elapsed = clock.monotonic() - started
    apply_s = edge.cycle.apply_spacing_ms / 1000
    assert all(b - a >= apply_s - 1e-9 for a, b in itertools.pairwise(applied))
    # every cycle after a wake waited out the spacing first: one cycle per spacing at most
    assert edge.cycle.number >= elapsed / SPACING_S / 2
    assert edge.cycle.number - 1 <= elapsed / SPACING_S + 1


def cycle_starts(edge: Edge, clock: FakeClock) -> list[float]:
    """The fake clock's time at the start of every cycle from now on."""
    return record_cycle_starts(edge.cycle, clock.monotonic)


async def test_a_woken_cycle_waits_for_writes_that_come_together(running) -> None:
    """A client sets active and reactive power with two requests: the cycle the first wakes
    starts a few milliseconds later, so that the second is applied at once too (by the API's
    thread), not behind a cycle just begun."""
    edge, clock = running
    starts = cycle_starts(edge, clock)
    clock.advance(1)  # well past the spacing
    woken = clock.monotonic()
    edge.cycle.wake()
    await settle()
    assert len(starts) == 1
    assert starts[0] - woken >= WAKE_SETTLE_MS / 1000 - 1e-9


async def test_the_last_stretch_before_a_cycle_is_slept_exactly(running) -> None:
    """The loop's timers fire up to a millisecond late: with `precise_start_s` (the cycle's own
    thread sets it) the loop wakes that much early and the rest is slept exactly."""
    edge, clock = running
    slept: list[float] = []
    starts = cycle_starts(edge, clock)

    def exact(seconds: float) -> None:
        slept.append(seconds)
        clock.advance(seconds)

    edge.cycle.precise_start_s = 0.002
    edge.cycle.exact_sleep = exact
    clock.advance(1)
    edge.cycle.wake()  # a cycle now: the wait after it is the new kind
    await settle()
    assert len(starts) == 1 and slept == []
    clock.advance(starts[0] + PERIOD_S - 0.002 - clock.monotonic())
    await settle()
    assert slept == [pytest.approx(0.002)]
    assert starts[1] - starts[0] == pytest.approx(PERIOD_S)
