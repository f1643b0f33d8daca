"""Solve an instance with HiGHS: LP first, binaries only in the slots whose answer they change."""

from __future__ import annotations

import time

import numpy as np

from wattkeeper.optimiser.branch import Outcome, search
from wattkeeper.optimiser.layout import Floats, Ints
from wattkeeper.optimiser.model import Model, build
from wattkeeper.optimiser.plan import Plan, PlanStatus, no_plan
from wattkeeper.optimiser.problem import Problem
from wattkeeper.optimiser.reasons import relaxations
from wattkeeper.optimiser.validate import check

TOLERANCE_KW = 1e-6


def solve(problem: Problem) -> Plan:
    """The cheapest plan (by the problem's objective); bad input gives a plan with reasons, or none.

    The relaxation with the switches continuous is a relaxation of the MILP: when its optimum
    already has no slot charging and discharging (or importing and exporting, or charging the EV
    below its minimum) at once, it is optimal for the MILP too. Otherwise a branch and bound
    fixes only the offending slots' switches (branch.py) — exact, and usually a few LPs.
    """
    started = time.perf_counter()
    checked, reasons = check(problem)
    if checked is None:
        return no_plan("; ".join(reasons))
    bat = checked.battery
    energy_start = bat.soc * bat.capacity_kwh
    if not 0 <= energy_start <= bat.capacity_kwh:
        reasons.append(f"measured SoC {bat.soc:.3f} outside 0..1: clamped")
        energy_start = min(max(energy_start, 0.0), bat.capacity_kwh)
    if energy_start < bat.floor_kwh - 1e-9:
        reasons.append(
            f"battery starts below its floor ({energy_start:.2f} of {bat.floor_kwh:.2f} kWh): "
            "the plan charges it back first"
        )
    model = build(checked, energy_start)
    outcome = search(model, lambda x: _offending(checked, model, x))
    if outcome.x is None:
        return no_plan(f"HiGHS found no plan: {outcome.failure}")
    reasons.extend(relaxations(checked, model, outcome.x))
    if outcome.failure:
        reasons.append(outcome.failure)
    return _plan(checked, model, outcome, reasons, started)


def _offending(problem: Problem, model: Model, x: Floats) -> Ints:
    both_battery = (x[model.charge] > TOLERANCE_KW) & (x[model.discharge] > TOLERANCE_KW)
    both_grid = (x[model.grid_import] > TOLERANCE_KW) & (x[model.grid_export] > TOLERANCE_KW)
    found = [model.battery_mode[both_battery], model.grid_mode[both_grid]]
    ev_switch = problem.ev is not None and not problem.ev.time_share
    if ev_switch and problem.ev is not None and model.ev is not None and model.ev_on is not None:
        ev = x[model.ev]
        below = (ev > TOLERANCE_KW) & (ev < problem.ev.min_kw - TOLERANCE_KW)
        found.append(model.ev_on[below])
    return np.unique(np.concatenate(found)).astype(np.int32)


def _plan(
    problem: Problem,
    model: Model,
    outcome: Outcome,
    reasons: list[str],
    started: float,
) -> Plan:
    x = outcome.x
    assert x is not None

    def take(cols: Ints | None) -> tuple[float, ...]:
        if cols is None:
            return (0.0,) * problem.slots
        return tuple(float(v) for v in np.clip(x[cols], 0.0, None))

    return Plan(
        status=PlanStatus.RELAXED if reasons else PlanStatus.OPTIMAL,
        durations_h=problem.durations_h,
        charge_kw=take(model.charge),
        discharge_kw=take(model.discharge),
        import_kw=take(model.grid_import),
        export_kw=take(model.grid_export),
        ev_kw=take(model.ev),
        curtailed_kw=take(model.curtail),
        energy_kwh=take(model.energy),
        cost=float(model.money @ x),
        objective_value=outcome.value,
        reasons=tuple(reasons),
        binaries=outcome.branched,
        solve_ms=(time.perf_counter() - started) * 1000.0,
        rounds=outcome.nodes,
    )
