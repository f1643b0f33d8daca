"""The optimiser's instance for now: the slot grid, prices on it, forecasts, the battery."""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from wattkeeper.controllers.time_of_use.config import NO_LIMIT_KW
from wattkeeper.forecast.profile import QuarterProfile
from wattkeeper.optimiser import Battery, Grid, Objective, Problem
from wattkeeper.optimiser.slots import average, durations_h, grid
from wattkeeper.prices.series import PriceSeries
from wattkeeper.prices.tariff import FixedTariff

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


@dataclass(frozen=True)
class GridTerms:
    """What the grid pays and allows, before it is laid on the slots."""

    feed_in: float  # €/kWh, fixed, or where the market has no price
    feed_in_market: PriceSeries | None = None  # €/kWh per step when feed-in follows the market
    import_limit_kw: float | None = None  # the fuse
    dimming: FixedTariff | None = None  # lower import limits in windows ("price" = kW)
    export_limit_kw: float | None = None


def export_prices(bounds: tuple[datetime, ...], terms: GridTerms) -> tuple[float, ...]:
    if terms.feed_in_market is None:
        return (terms.feed_in,) * (len(bounds) - 1)
    market = average(bounds, terms.feed_in_market.as_tuples())
    return tuple(terms.feed_in if math.isnan(p) else p for p in market)


def import_limits(bounds: tuple[datetime, ...], terms: GridTerms) -> tuple[float, ...] | None:
    """Per slot the lowest limit in force at any quarter hour of it (a limit is not averaged)."""
    if terms.dimming is None or not terms.dimming.windows:
        return (
            None if terms.import_limit_kw is None else (terms.import_limit_kw,) * (len(bounds) - 1)
        )
    fuse = math.inf if terms.import_limit_kw is None else terms.import_limit_kw
    windows = terms.dimming.series(bounds[0], bounds[-1])
    limits = []
    for a, b in itertools.pairwise(bounds):
        at, lowest = a, fuse
        while at < b:
            limit = windows.at(at)
            if limit is not None and limit < NO_LIMIT_KW:  # outside the windows: no limit
                lowest = min(lowest, limit)
            at += QUARTER
        limits.append(lowest)
    return tuple(limits)


def problem_for(
    now: datetime,
    horizon: timedelta,
    prices: PriceSeries,
    terms: GridTerms,
    consumption: QuarterProfile,
    production: QuarterProfile,
    battery: Battery,
    zone: ZoneInfo,
    objective: Objective,
) -> tuple[tuple[datetime, ...], Problem]:
    start = quarter_start(now.astimezone(UTC))
    bounds = tuple(grid(start, start + horizon))
    n = len(bounds) - 1
    slots = list(itertools.pairwise(bounds))
    export_limit = terms.export_limit_kw
    return bounds, Problem(
        durations_h=durations_h(bounds),
        import_price=average(bounds, prices.as_tuples()),
        export_price=export_prices(bounds, terms),
        pv_kw=tuple(slot_mean(production, a, b, zone) for a, b in slots),
        load_kw=tuple(slot_mean(consumption, a, b, zone) for a, b in slots),
        battery=battery,
        grid=Grid(
            import_limit_kw=import_limits(bounds, terms),
            export_limit_kw=None if export_limit is None else (export_limit,) * n,
        ),
        objective=objective,
        starts=bounds[:-1],
    )
