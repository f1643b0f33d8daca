"""Every plan against an independent optimum (dynamic programming over a fine SoC grid), 0.1 %."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.optimiser.dp_reference import no_battery_cost, optimum
from tests.optimiser.plan_check import replay
from wattkeeper.optimiser import Battery, Problem, solve
from wattkeeper.optimiser.plan import PlanStatus

price = st.floats(min_value=0.0, max_value=0.6, allow_nan=False)
power = st.floats(min_value=0.0, max_value=5.0, allow_nan=False)


@st.composite
def instances(draw: st.DrawFn, negative: bool = False) -> Problem:
    n = draw(st.integers(min_value=4, max_value=16))
    low = -0.2 if negative else 0.0
    imports = draw(st.lists(st.floats(min_value=low, max_value=0.6), min_size=n, max_size=n))
    share = draw(st.floats(min_value=0.0, max_value=1.0))
    return Problem(
        durations_h=tuple(draw(st.sampled_from([0.25, 0.5, 1.0])) for _ in range(n)),
        import_price=tuple(imports),
        # feed-in never above the import price: the realistic case (and V stays convex)
        export_price=tuple(p * share for p in imports),
        pv_kw=tuple(draw(st.lists(power, min_size=n, max_size=n))),
        load_kw=tuple(draw(st.lists(power, min_size=n, max_size=n))),
        battery=Battery(
            capacity_kwh=10.0,
            soc=draw(st.sampled_from([0.1, 0.3, 0.55, 0.9])),
            max_charge_kw=draw(st.sampled_from([2.0, 4.0, 6.0])),
            max_discharge_kw=draw(st.sampled_from([2.0, 4.0, 6.0])),
            charge_efficiency=draw(st.sampled_from([0.9, 0.95, 1.0])),
            discharge_efficiency=draw(st.sampled_from([0.9, 0.96, 1.0])),
            soc_min=0.1,
            soc_max=draw(st.sampled_from([0.9, 1.0])),
            wear_cost_per_kwh=draw(st.sampled_from([0.0, 0.02])),
        ),
        terminal_value_per_kwh=draw(st.sampled_from([0.0, 0.1, 0.25])),
    )


def within_a_thousandth(problem: Problem) -> None:
    plan = solve(problem)
    assert plan.status is PlanStatus.OPTIMAL, plan.reasons
    replay(problem, plan)
    reference = optimum(problem, step_kwh=0.01)
    scale = max(1.0, abs(no_battery_cost(problem)), abs(reference))
    # the DP is restricted to its grid, so it can only be worse; never better than the MILP
    assert plan.objective_value <= reference + 1e-6 * scale
    assert reference - plan.objective_value <= 1e-3 * scale, (reference, plan.objective_value)


@pytest.mark.slow
@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(instances())
def test_plans_match_the_dynamic_programme(problem: Problem) -> None:
    within_a_thousandth(problem)


@pytest.mark.slow
@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(instances(negative=True))
def test_negative_prices_never_charge_and_discharge_at_once(problem: Problem) -> None:
    # being paid to import makes burning energy in the battery pay: the switch must hold
    within_a_thousandth(problem)
