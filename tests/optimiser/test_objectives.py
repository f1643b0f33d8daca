"""The three objectives: lowest cost, most self-consumption, lowest import peak."""

from __future__ import annotations

from dataclasses import replace

import pytest

from tests.optimiser.plan_check import replay
from wattkeeper.optimiser import Battery, Objective, Problem, solve

N = 12
LOAD = (0.5,) * 4 + (4.0,) * 2 + (0.5,) * 6
BASE = Problem(
    durations_h=(1.0,) * N,
    import_price=(0.1,) * 6 + (0.4,) * 6,
    export_price=(0.05,) * N,
    pv_kw=(0.0,) * 6 + (2.0,) * 3 + (0.0,) * 3,
    load_kw=LOAD,
    battery=Battery(capacity_kwh=6.0, soc=0.2, max_charge_kw=3.0, max_discharge_kw=3.0),
    terminal_value_per_kwh=0.0,
)


def test_lowest_peak_flattens_the_import_that_lowest_cost_lets_spike() -> None:
    cheap = solve(BASE)
    flat = solve(replace(BASE, objective=Objective.PEAK))
    replay(BASE, flat)
    assert max(flat.import_kw) < max(cheap.import_kw)
    assert max(flat.import_kw) == pytest.approx(max(flat.import_kw[:6]))
    assert flat.cost >= cheap.cost - 1e-9


def test_most_self_consumption_imports_least() -> None:
    # a generous feed-in makes the cheapest plan export PV and fill the battery from the grid
    problem = replace(BASE, export_price=(0.3,) * N)
    cheap = solve(problem)
    own = solve(replace(problem, objective=Objective.SELF_CONSUMPTION))
    replay(problem, own)
    assert sum(cheap.export_kw) > 1.0
    assert sum(own.import_kw) < sum(cheap.import_kw) - 1.0
    # what the evening needs is stored from PV, so nothing is imported after the sun
    assert sum(own.import_kw[6:]) == pytest.approx(0.0, abs=1e-6)
