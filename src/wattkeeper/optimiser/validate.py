"""Input checks: bad or partial input becomes a shorter horizon or a reason, never an error."""

from __future__ import annotations

import math
from dataclasses import replace

from wattkeeper.optimiser.problem import Problem

#: per kWh: far beyond any market (EPEX's day-ahead limits are -0.5 .. 4 EUR/kWh), yet small
#: enough that a year of slots times the largest power cannot overflow a float in the solver
PRICE_LIMIT = 1000.0
#: kW, beyond any site this plans for; a larger forecast is a unit mistake, not a home
POWER_LIMIT = 100_000.0


def check(problem: Problem) -> tuple[Problem | None, list[str]]:
    """The instance to solve (cut where prices or forecasts end), or None, with the reasons."""
    reasons: list[str] = []
    bat = problem.battery
    if bat.capacity_kwh <= 0 or not math.isfinite(bat.capacity_kwh):
        return None, [f"battery capacity must be positive, got {bat.capacity_kwh} kWh"]
    for name, value in (
        ("charge efficiency", bat.charge_efficiency),
        ("discharge efficiency", bat.discharge_efficiency),
    ):
        if not 0 < value <= 1:
            return None, [f"{name} must be in (0, 1], got {value}"]
    if bat.max_charge_kw < 0 or bat.max_discharge_kw < 0:
        return None, ["battery power limits must not be negative"]
    if not 0 <= bat.soc_min <= bat.soc_max <= 1:
        return None, [
            f"SoC limits must satisfy 0 <= min <= max <= 1, got {bat.soc_min}..{bat.soc_max}"
        ]
    series = {
        "durations": problem.durations_h,
        "import prices": problem.import_price,
        "export prices": problem.export_price,
        "PV forecast": problem.pv_kw,
        "consumption forecast": problem.load_kw,
    }
    usable = problem.slots
    for name, values in series.items():
        known = _known_prefix(values, usable)
        if known < usable:
            reasons.append(f"{name} end after slot {known} of {usable}: planned {known} slots")
            usable = known
    if any(d <= 0 for d in problem.durations_h[:usable]):
        return None, ["slot durations must be positive"]
    if any(v < 0 for v in (*problem.pv_kw[:usable], *problem.load_kw[:usable])):
        return None, ["forecasts must not be negative"]
    for name in ("import prices", "export prices"):
        for i, price in enumerate(series[name][:usable]):
            if abs(price) > PRICE_LIMIT:
                return None, [
                    f"{name} must be within ±{PRICE_LIMIT:g} per kWh, slot {i} is {price}"
                ]
    for name in ("PV forecast", "consumption forecast"):
        for i, power in enumerate(series[name][:usable]):
            if power > POWER_LIMIT:
                return None, [f"{name} must be at most {POWER_LIMIT:g} kW, slot {i} is {power}"]
    if usable == 0:
        return None, [*reasons, "nothing to plan: no slot has prices and forecasts"]
    if usable < problem.slots:
        problem = _cut(problem, usable)
    return problem, reasons


def _known_prefix(values: tuple[float, ...], limit: int) -> int:
    for i, value in enumerate(values[:limit]):
        if value is None or not math.isfinite(value):
            return i
    return min(len(values), limit)


def _cut(problem: Problem, n: int) -> Problem:
    grid = problem.grid
    grid = replace(
        grid,
        import_limit_kw=None if grid.import_limit_kw is None else grid.import_limit_kw[:n],
        export_limit_kw=None if grid.export_limit_kw is None else grid.export_limit_kw[:n],
    )
    return replace(
        problem,
        durations_h=problem.durations_h[:n],
        import_price=problem.import_price[:n],
        export_price=problem.export_price[:n],
        pv_kw=problem.pv_kw[:n],
        load_kw=problem.load_kw[:n],
        grid=grid,
        starts=None if problem.starts is None else problem.starts[:n],
    )
