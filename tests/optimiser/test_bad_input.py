"""Bad or contradictory input: the best feasible plan and why, or no plan and why — never raises."""

from __future__ import annotations

import math
from dataclasses import replace

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.optimiser.plan_check import replay
from wattkeeper.optimiser import Battery, Ev, Grid, Problem, solve
from wattkeeper.optimiser.plan import PlanStatus

N = 8
BASE = Problem(
    durations_h=(1.0,) * N,
    import_price=(0.3,) * N,
    export_price=(0.05,) * N,
    pv_kw=(0.0,) * N,
    load_kw=(1.0,) * N,
    battery=Battery(capacity_kwh=10.0, soc=0.5, max_charge_kw=3.0, max_discharge_kw=3.0),
    terminal_value_per_kwh=0.2,
)
# the battery out of the way, so the EV's own choices show
IDLE = replace(BASE.battery, soc=0.0, max_charge_kw=0.0, max_discharge_kw=0.0)


def test_an_ev_target_that_cannot_be_met_charges_all_it_can_and_says_so() -> None:
    problem = replace(BASE, ev=Ev(energy_kwh=50.0, departure=4, max_kw=11.0))
    plan = solve(problem)
    assert plan.status is PlanStatus.RELAXED
    assert "EV target cannot be met: 44.00 of 50.00 kWh" in plan.reasons[0]
    assert plan.ev_kw[:4] == pytest.approx((11.0,) * 4)
    replay(problem, plan)


def test_a_reachable_ev_target_is_met_in_the_cheapest_hours_before_departure() -> None:
    prices = (0.4, 0.1, 0.4, 0.2, 0.05, 0.05, 0.05, 0.05)
    ev = Ev(energy_kwh=15.0, departure=4, max_kw=11.0)
    problem = replace(BASE, battery=IDLE, import_price=prices, ev=ev)
    plan = solve(problem)
    assert plan.status is PlanStatus.OPTIMAL
    assert plan.ev_kw == pytest.approx((0.0, 11.0, 0.0, 4.0, 0.0, 0.0, 0.0, 0.0))


def test_an_ev_minimum_without_time_sharing_is_a_real_switch() -> None:
    # 13 kWh: 11 in the cheapest hour; the 2 left are below the 4.1 kW minimum, so the
    # charger runs at 4.1 kW in the next hour and 8.9 in the cheapest instead
    prices = (0.4, 0.1, 0.4, 0.2, 0.05, 0.05, 0.05, 0.05)
    ev = Ev(energy_kwh=13.0, departure=4, max_kw=11.0, min_kw=4.1, time_share=False)
    plan = solve(replace(BASE, battery=IDLE, import_price=prices, ev=ev))
    assert plan.status is PlanStatus.OPTIMAL
    assert plan.ev_kw == pytest.approx((0.0, 8.9, 0.0, 4.1, 0.0, 0.0, 0.0, 0.0))
    shared = solve(
        replace(BASE, battery=IDLE, import_price=prices, ev=replace(ev, time_share=True))
    )
    assert shared.ev_kw[3] == pytest.approx(2.0)
    assert shared.cost < plan.cost


def test_a_battery_below_its_reserve_charges_back_first_and_says_so() -> None:
    battery = replace(BASE.battery, soc=0.0, reserve=0.5)
    plan = solve(replace(BASE, battery=battery))
    assert plan.status is PlanStatus.RELAXED
    assert plan.reasons[0] == (
        "battery starts below its floor (0.00 of 5.00 kWh): the plan charges it back first"
    )
    assert plan.reasons[1].startswith("battery below its floor (SoC minimum or reserve) by up to")
    assert plan.charge_kw[0] == pytest.approx(3.0)
    assert plan.energy_kwh[2] == pytest.approx(5.0)
    assert min(plan.energy_kwh[2:]) >= 5.0 - 1e-6


def test_an_import_limit_below_the_load_gives_way_with_a_reason() -> None:
    problem = replace(
        BASE, battery=replace(BASE.battery, soc=0.0), grid=Grid(import_limit_kw=(0.5,) * N)
    )
    plan = solve(problem)
    assert plan.status is PlanStatus.RELAXED
    assert "grid import above its limit by up to 0.50 kW" in plan.reasons[0]


def test_prices_that_end_early_plan_as_far_as_they_reach() -> None:
    prices = (0.3, 0.3, 0.3, math.nan, 0.3, 0.3, 0.3, 0.3)
    plan = solve(replace(BASE, import_price=prices))
    assert plan.status is PlanStatus.RELAXED
    assert plan.slots == 3
    assert plan.reasons[0] == "import prices end after slot 3 of 8: planned 3 slots"


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        ({"import_price": (math.nan,) * N}, "nothing to plan"),
        ({"battery": replace(BASE.battery, capacity_kwh=0.0)}, "battery capacity must be positive"),
        ({"battery": replace(BASE.battery, charge_efficiency=1.5)}, "charge efficiency must be"),
        ({"battery": replace(BASE.battery, soc_min=0.9, soc_max=0.2)}, "SoC limits"),
        ({"load_kw": (-1.0,) * N}, "forecasts must not be negative"),
        # found by the fuzz test below: a finite price this large overflowed the plan's cost
        ({"import_price": (0.3, -1.2e308) * (N // 2)}, "import prices must be within ±1000"),
        ({"export_price": (5e3,) * N}, "export prices must be within ±1000 per kWh, slot 0"),
        ({"load_kw": (1e9,) * N}, "consumption forecast must be at most 100000 kW"),
        ({"durations_h": ()}, "nothing to plan"),
    ],
)
def test_input_that_cannot_be_planned_gives_no_plan_and_the_reason(
    change: dict[str, object], reason: str
) -> None:
    plan = solve(replace(BASE, **change))  # type: ignore[arg-type]
    assert plan.status is PlanStatus.NO_PLAN
    assert reason in plan.reasons[0]


finite_or_not = st.one_of(st.floats(allow_nan=True, allow_infinity=True), st.just(0.3))


@pytest.mark.fuzz
@settings(max_examples=60, deadline=None)
@given(
    prices=st.lists(finite_or_not, min_size=0, max_size=6),
    soc=st.floats(allow_nan=True, allow_infinity=True),
    load=st.floats(min_value=-1, max_value=1e4),
    limit=st.floats(min_value=-5, max_value=50),
)
def test_any_input_gives_a_plan_or_a_reason_never_an_exception(
    prices: list[float], soc: float, load: float, limit: float
) -> None:
    n = len(prices)
    problem = Problem(
        durations_h=(0.25,) * n,
        import_price=tuple(prices),
        export_price=(0.0,) * n,
        pv_kw=(1.0,) * n,
        load_kw=(load,) * n,
        battery=replace(BASE.battery, soc=soc),
        grid=Grid(import_limit_kw=(limit,) * n),
        ev=Ev(energy_kwh=5.0, departure=n, max_kw=3.0),
    )
    plan = solve(problem)
    assert plan.status is PlanStatus.NO_PLAN or plan.slots > 0
    if plan.status is not PlanStatus.OPTIMAL:
        assert plan.reasons
