"""The planning grid: quarter hours for the first hours, then hours; series averaged onto it."""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from datetime import datetime, timedelta

QUARTER = timedelta(minutes=15)
HOUR = timedelta(hours=1)


def grid(start: datetime, end: datetime, fine: timedelta = timedelta(hours=6)) -> list[datetime]:
    """Slot boundaries from `start` (on a quarter hour) to `end`: 15 min until `fine`, then whole
    hours (the first coarse slot is shortened to reach the hour)."""
    if start.minute % 15 or start.second or start.microsecond:
        raise ValueError(f"the grid starts on a quarter hour, not {start.isoformat()}")
    bounds = [start]
    switch = start + fine
    while bounds[-1] < end:
        at = bounds[-1]
        step = QUARTER if at < switch else HOUR - timedelta(minutes=at.minute)
        bounds.append(min(at + step, end))
    return bounds


def durations_h(bounds: Sequence[datetime]) -> tuple[float, ...]:
    return tuple((b - a).total_seconds() / 3600.0 for a, b in itertools.pairwise(bounds))


def average(
    bounds: Sequence[datetime], series: Sequence[tuple[datetime, datetime, float]]
) -> tuple[float, ...]:
    """Each slot's time-weighted mean of a step series [(from, to, value)]; NaN in a gap."""
    out = []
    for a, b in itertools.pairwise(bounds):
        covered = 0.0
        total = 0.0
        for s, e, value in series:
            lo, hi = max(a, s), min(b, e)
            if hi > lo:
                seconds = (hi - lo).total_seconds()
                covered += seconds
                total += seconds * value
        span = (b - a).total_seconds()
        out.append(total / span if covered >= span - 1e-6 else float("nan"))
    return tuple(out)
