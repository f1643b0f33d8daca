"""Small instances whose optimum is known by hand: the plan must be that optimum."""

from __future__ import annotations

import pytest

from tests.optimiser.plan_check import replay
from wattkeeper.optimiser import Battery, Problem, solve
from wattkeeper.optimiser.plan import PlanStatus

HOURS = 24


def day(
    prices: list[float], soc: float = 0.0, eta: float = 0.95, pv: float = 0.0, **kw: object
) -> Problem:
    return Problem(
        durations_h=(1.0,) * len(prices),
        import_price=tuple(prices),
        export_price=(0.05,) * len(prices),
        pv_kw=(pv,) * len(prices),
        load_kw=(1.0,) * len(prices),
        battery=Battery(
            capacity_kwh=10.0,
            soc=soc,
            max_charge_kw=5.0,
            max_discharge_kw=5.0,
            charge_efficiency=eta,
            discharge_efficiency=eta,
        ),
        **kw,  # type: ignore[arg-type]
    )


def test_a_two_price_day_charges_in_the_cheap_block_and_discharges_in_the_dear_one() -> None:
    prices = [0.10] * 6 + [0.40] * 18
    problem = day(prices, terminal_value_per_kwh=0.0)
    plan = solve(problem)
    assert plan.status is PlanStatus.OPTIMAL
    replay(problem, plan)
    charged = [t for t in range(HOURS) if plan.charge_kw[t] > 1e-6]
    assert charged and max(charged) < 6
    # the battery is full when the dear block starts and empty at the end
    assert plan.energy_kwh[6] == pytest.approx(10.0)
    assert plan.energy_kwh[-1] == pytest.approx(0.0, abs=1e-6)
    # every dear kWh the battery can give replaces a dear import
    assert sum(plan.discharge_kw[6:]) == pytest.approx(10.0 * 0.95)
    expected = 0.10 * (6 + 10.0 / 0.95) + 0.40 * (18 - 10.0 * 0.95)
    assert plan.cost == pytest.approx(expected)


def test_a_flat_price_does_nothing() -> None:
    problem = day([0.30] * HOURS, soc=0.5, terminal_value_per_kwh=0.30)
    plan = solve(problem)
    replay(problem, plan)
    assert max(plan.charge_kw) == 0.0
    assert max(plan.discharge_kw) == 0.0
    assert plan.cost == pytest.approx(0.30 * HOURS)


@pytest.mark.parametrize(
    ("dear", "worth_it"),
    [
        (0.33, False),  # 0.30 / (0.9 * 0.9) = 0.370 > 0.33: the losses eat the spread
        (0.40, True),  # 0.370 < 0.40: it pays
    ],
)
def test_efficiency_losses_make_a_small_spread_not_worth_it(dear: float, worth_it: bool) -> None:
    prices = [0.30] * 6 + [dear] * 18
    problem = day(prices, eta=0.9, terminal_value_per_kwh=0.0)
    plan = solve(problem)
    replay(problem, plan)
    assert (max(plan.charge_kw) > 0) is worth_it


def test_surplus_pv_is_stored_when_the_evening_is_dear() -> None:
    prices = [0.30] * HOURS
    pv = [0.0] * 8 + [4.0] * 8 + [0.0] * 8
    problem = Problem(
        durations_h=(1.0,) * HOURS,
        import_price=tuple(prices),
        export_price=(0.08,) * HOURS,
        pv_kw=tuple(pv),
        load_kw=(1.0,) * HOURS,
        battery=Battery(capacity_kwh=10.0, soc=0.0, max_charge_kw=5.0, max_discharge_kw=5.0),
        terminal_value_per_kwh=0.0,
    )
    plan = solve(problem)
    replay(problem, plan)
    # storing is worth 0.30 * 0.95 * 0.95 = 0.27 per kWh, exporting only 0.08: it stores exactly
    # what the evening needs, and imports nothing then
    assert plan.energy_kwh[16] == pytest.approx(8.0 / 0.95)
    assert sum(plan.import_kw[16:]) == pytest.approx(0.0, abs=1e-6)


def test_the_package_solve_stays_the_function_after_the_first_solve() -> None:
    # the solver module is imported by the first solve (numpy and HiGHS load late): importing
    # it must not replace the package's `solve` with a module of the same name
    import wattkeeper.optimiser as optimiser

    optimiser.solve(Problem((0.25,), (0.3,), (0.08,), (0.0,), (0.5,), Battery(10, 0.5, 5, 5)))
    assert callable(optimiser.solve)
