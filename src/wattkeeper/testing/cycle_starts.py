"""When each cycle starts: for tests (on the fake clock) and benchmarks (on the CPU's counter)."""

from __future__ import annotations

from collections.abc import Callable

from wattkeeper.core.cycle import Cycle
from wattkeeper.core.events import CycleDone


def record_cycle_starts(cycle: Cycle, now: Callable[[], float]) -> list[float]:
    """`now()` at the start of every cycle from here on (appended as cycles run).

    Taken where `run_once` starts: a cycle listener's clock would include the listeners that
    run before it (the history commit, for one)."""
    starts: list[float] = []
    run_once = cycle.run_once

    def timed() -> CycleDone:
        starts.append(now())
        return run_once()

    cycle.run_once = timed  # type: ignore[method-assign]
    return starts
