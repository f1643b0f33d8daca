"""Replays a plan slot by slot and checks every limit, independently of the MILP's own rows."""

from __future__ import annotations

import math

from wattkeeper.optimiser import Plan, Problem

TOL = 1e-6


def replay(problem: Problem, plan: Plan, strict_floor: bool = True) -> float:
    """The plan's bill; fails on the first broken limit or energy that does not add up."""
    bat = problem.battery
    energy = plan.energy_kwh[0]
    assert math.isclose(energy, min(max(bat.soc, 0.0), 1.0) * bat.capacity_kwh, abs_tol=1e-6)
    bill = 0.0
    for t in range(plan.slots):
        dt = problem.durations_h[t]
        c, d = plan.charge_kw[t], plan.discharge_kw[t]
        i, e = plan.import_kw[t], plan.export_kw[t]
        ev, cut = plan.ev_kw[t], plan.curtailed_kw[t]
        assert c <= bat.max_charge_kw + TOL and d <= bat.max_discharge_kw + TOL, t
        assert min(c, d) <= TOL, f"slot {t} charges and discharges at once"
        assert min(i, e) <= TOL, f"slot {t} imports and exports at once"
        assert cut <= problem.pv_kw[t] + TOL
        balance = i + d + problem.pv_kw[t] - cut - c - e - ev - problem.load_kw[t]
        assert abs(balance) < 1e-5, f"slot {t} power does not balance: {balance}"
        if problem.grid.export_limit_kw is not None:
            assert e <= problem.grid.export_limit_kw[t] + TOL
        energy += (c * bat.charge_efficiency - d / bat.discharge_efficiency) * dt
        assert abs(energy - plan.energy_kwh[t + 1]) < 1e-5, f"slot {t} energy does not add up"
        assert -TOL <= energy <= bat.capacity_kwh + TOL
        if strict_floor:
            assert bat.floor_kwh - 1e-5 <= energy <= bat.ceiling_kwh + 1e-5, f"slot {t} SoC out"
        if problem.ev is not None:
            window = problem.ev.arrival <= t < problem.ev.departure
            assert ev <= (problem.ev.max_kw if window else 0.0) + TOL
        bill += (problem.import_price[t] * i - problem.export_price[t] * e) * dt
    assert math.isclose(bill, plan.cost, abs_tol=1e-6)
    return bill
