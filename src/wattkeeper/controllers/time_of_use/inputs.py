"""The optimiser's instance for now: the slot grid, prices on it, forecasts, the battery."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from wattkeeper.forecast.profile import QuarterProfile
from wattkeeper.optimiser import Battery, Grid, Objective, Problem
from wattkeeper.optimiser.slots import average, durations_h, grid
from wattkeeper.prices.series import PriceSeries

QUARTER = timedelta(minutes=15)


def quarter_start(when: datetime) -> datetime:
    return when.replace(minute=when.minute // 15 * 15, second=0, microsecond=0)


def slot_mean(profile: QuarterProfile, start: datetime, end: datetime, zone: ZoneInfo) -> float:
    """The profile's mean over [start, end), quarter by quarter in local time, in kW."""
    values = []
    at = start
    while at < end:
        values.append(profile.expect(at.astimezone(zone)))
        at += QUARTER
    return max(sum(values) / len(values), 0.0) / 1000.0 if values else 0.0


def problem_for(
    now: datetime,
    horizon: timedelta,
    prices: PriceSeries,
    feed_in: float,
    consumption: QuarterProfile,
    production: QuarterProfile,
    battery: Battery,
    zone: ZoneInfo,
    objective: Objective,
    import_limit_kw: float | None,
) -> tuple[tuple[datetime, ...], Problem]:
    start = quarter_start(now.astimezone(UTC))
    bounds = tuple(grid(start, start + horizon))
    n = len(bounds) - 1
    slots = list(itertools.pairwise(bounds))
    return bounds, Problem(
        durations_h=durations_h(bounds),
        import_price=average(bounds, prices.as_tuples()),
        export_price=(feed_in,) * n,
        pv_kw=tuple(slot_mean(production, a, b, zone) for a, b in slots),
        load_kw=tuple(slot_mean(consumption, a, b, zone) for a, b in slots),
        battery=battery,
        grid=Grid(import_limit_kw=None if import_limit_kw is None else (import_limit_kw,) * n),
        objective=objective,
        starts=bounds[:-1],
    )
