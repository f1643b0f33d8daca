"""The controller in real cycles: plans off the cycle's path, applies the current slot, falls
back visibly, yields to the REST write app's held set-point, answers getSchedule."""

from __future__ import annotations

import threading
import time
from datetime import UTC, datetime
from typing import Any

import pytest

from wattkeeper.controllers import api_rest, balancing
from wattkeeper.controllers.time_of_use import controller as tou
from wattkeeper.controllers.time_of_use.controller import TimeOfUse
from wattkeeper.core.errors import WriteRejected
from wattkeeper.optimiser import Plan, Problem, solve
from wattkeeper.testing.dummies import DummyManagedEss, DummyMeter
from wattkeeper.testing.one_cycle import OneCycle

# Tuesday 00:00 in Berlin: the cheapest hour of the two-rate night starts now
MIDNIGHT = datetime(2025, 11, 24, 23, 0, tzinfo=UTC).timestamp()
TARIFF: dict[str, Any] = {
    "defaultPrice": 0.40,
    "windows": [
        {
            "days": ["mon", "tue", "wed", "thu", "fri", "sat", "sun"],
            "start": "00:00",
            "end": "01:00",
            "price": 0.05,
        },
    ],
    "feedInPrice": 0.08,
}
CID = "ctrlEssTimeOfUseTariff0"


def home(soc: int = 10, **config: Any) -> tuple[OneCycle, DummyManagedEss, TimeOfUse]:
    harness = OneCycle(start=MIDNIGHT)
    battery = DummyManagedEss("ess0", soc=soc, capacity=10_000)
    harness.add(battery, DummyMeter("meter0", active_power=500))
    controller = harness.controller(tou.FACTORY, CID, **{**TARIFF, **config})
    assert isinstance(controller, TimeOfUse)
    harness.controller(balancing.FACTORY, "ctrlBalancing0")
    return harness, battery, controller


def planned(harness: OneCycle, controller: TimeOfUse) -> None:
    """One cycle to ask for a plan, wait for the worker, one cycle to apply it."""
    harness.run()
    controller.planner.wait(30)
    harness.run()


def test_the_cheap_hour_charges_from_the_grid_at_full_power() -> None:
    harness, battery, controller = home()
    harness.run()
    # no plan yet: self-consumption, and it says so
    assert harness.value(f"{CID}/PlanStatus") == "planning"
    assert harness.value(f"{CID}/BatteryPowerDecidedBy") == "self-consumption"
    controller.planner.wait(30)
    harness.run()
    assert harness.value(f"{CID}/PlanStatus") == "optimal"
    assert harness.value(f"{CID}/StateMachine") == 3  # CHARGE_GRID
    assert harness.value(f"{CID}/EvccBatteryMode") == "charge"
    assert harness.value(f"{CID}/QuarterlyPrices") == pytest.approx(50.0)
    assert battery.setpoint == -5000
    assert harness.value(f"{CID}/BatteryPowerDecidedBy") == CID


def test_the_rest_write_apps_held_set_point_wins_and_the_channel_says_who_decided() -> None:
    harness, battery, controller = home()
    rest = harness.controller(api_rest.READ_WRITE, "ctrlApiRest0", apiTimeout=60)
    assert isinstance(rest, api_rest.RestApiWorker)
    planned(harness, controller)
    assert battery.setpoint == -5000
    rest.hold("ess0/SetActivePowerEquals", 1000)
    harness.run()
    assert battery.setpoint == 1000
    assert harness.value(f"{CID}/BatteryPowerDecidedBy") == "ctrlApiRest0"
    # the lease ends: the plan takes over again
    harness.run(61)
    harness.run()
    assert battery.setpoint == -5000
    assert harness.value(f"{CID}/BatteryPowerDecidedBy") == CID


def test_the_solve_never_runs_on_the_cycles_path() -> None:
    release = threading.Event()

    def slow(problem: Problem) -> Plan:
        release.wait(30)
        return solve(problem)

    harness, battery, controller = home()
    controller.planner = tou.Planner(slow)
    started = time.perf_counter()
    for _ in range(5):
        harness.run()
    elapsed = time.perf_counter() - started
    assert controller.planner.busy
    assert elapsed < 1.0  # five cycles while the solve is blocked
    assert harness.value(f"{CID}/PlanStatus") == "planning"
    assert battery.setpoint == 500  # self-consumption: the battery covers what the grid delivered
    release.set()
    controller.planner.wait(30)
    harness.run()
    assert harness.value(f"{CID}/StateMachine") == 3


def test_a_failed_solve_falls_back_to_self_consumption_visibly() -> None:
    def broken(problem: Problem) -> Plan:
        raise RuntimeError("solver library missing")

    harness, battery, controller = home()
    controller.planner = tou.Planner(broken)
    planned(harness, controller)
    assert harness.value(f"{CID}/PlanStatus") == "fallback"
    assert "solver library missing" in str(harness.value(f"{CID}/PlanReason"))
    assert harness.value(f"{CID}/StateMachine") == 1  # BALANCING
    assert harness.value(f"{CID}/BatteryPowerDecidedBy") == "self-consumption"
    assert battery.setpoint == 500


def test_a_plan_is_never_used_past_its_horizon() -> None:
    release = threading.Event()
    calls = []

    def first_fast_then_stuck(problem: Problem) -> Plan:
        calls.append(problem)
        if len(calls) > 1:
            release.wait(30)
        return solve(problem)

    harness, _battery, controller = home(horizonHours=1)
    controller.planner = tou.Planner(first_fast_then_stuck)
    planned(harness, controller)
    assert harness.value(f"{CID}/StateMachine") == 3
    harness.run(2 * 3600)  # the re-plan is stuck; the old plan ended an hour ago
    assert harness.value(f"{CID}/PlanStatus") == "fallback"
    assert (
        harness.value(f"{CID}/PlanReason") == "the plan ended: self-consumption until the next one"
    )
    assert harness.value(f"{CID}/StateMachine") == 1
    release.set()
    controller.planner.wait(30)


def test_the_soc_leaving_the_plan_makes_a_new_plan() -> None:
    calls: list[Problem] = []

    def counting(problem: Problem) -> Plan:
        calls.append(problem)
        return solve(problem)

    harness, battery, controller = home()
    controller.planner = tou.Planner(counting)
    planned(harness, controller)
    assert len(calls) == 1
    harness.run()
    assert len(calls) == 1  # same quarter hour, SoC as planned: no new plan
    battery.update(Soc=60)  # someone charged it: 50 points off the plan
    harness.run()
    harness.run()
    controller.planner.wait(30)
    assert len(calls) == 2
    assert calls[1].battery.soc == pytest.approx(0.6)


async def test_get_schedule_answers_in_openems_shape_every_15_minutes() -> None:
    harness, _battery, controller = home()
    planned(harness, controller)
    answer = await controller.json_api("getSchedule", {}, may_write=False)
    entries = answer["schedule"]
    assert set(entries[0]) == {
        "timestamp",
        "price",
        "state",
        "grid",
        "production",
        "consumption",
        "ess",
        "soc",
    }
    assert entries[0]["timestamp"] == "2025-11-24T23:00:00Z"
    assert entries[1]["timestamp"] == "2025-11-24T23:15:00Z"
    assert len(entries) == 36 * 4
    assert entries[0]["price"] == pytest.approx(50.0) and entries[0]["state"] == 3
    assert entries[0]["ess"] == -5000 and entries[0]["soc"] == 10
    modes = controller.json_api("getBatteryModes", {}, may_write=False)["modes"]
    assert modes[0] == {
        "start": "2025-11-24T23:00:00Z",
        "end": "2025-11-24T23:15:00Z",
        "mode": "charge",
        "power": 5000,
        "state": "CHARGE_GRID",
    }


def test_pushed_prices_replace_the_tariff_and_make_a_new_plan() -> None:
    harness, _battery, controller = home()
    planned(harness, controller)
    with pytest.raises(WriteRejected, match="owner"):
        controller.json_api("setPrices", {"prices": []}, may_write=False)
    with pytest.raises(WriteRejected, match=r"prices\[0\].price must be a number"):
        controller.json_api(
            "setPrices",
            {
                "prices": [
                    {
                        "start": "2025-11-24T23:00:00+00:00",
                        "end": "2025-11-25T00:00:00+00:00",
                        "price": "cheap",
                    }
                ]
            },
            may_write=True,
        )
    pushed = {
        "start": "2025-11-24T23:00:00+00:00",
        "end": "2025-11-25T00:00:00+00:00",
        "price": 0.60,
    }
    assert controller.json_api("setPrices", {"prices": [pushed]}, may_write=True) == {"accepted": 1}
    planned(harness, controller)
    assert harness.value(f"{CID}/QuarterlyPrices") == pytest.approx(600.0)
    assert harness.value(f"{CID}/StateMachine") != 3  # the dear hour is no time to charge


@pytest.mark.slow  # a day of fetches and plans over loopback HTTP
def test_day_ahead_prices_from_awattar_with_surcharges_and_a_visible_missing_state() -> None:
    from tests.prices.loopback import Recorded, fixture, serving

    answers = {"status": 200}

    def marketdata(q: object, h: object, b: object) -> tuple[int, str, bytes]:
        if answers["status"] != 200:
            return answers["status"], "text/plain", b"maintenance"
        return 200, "application/json", fixture("awattar-marketdata.json")

    recorded = Recorded(routes={"/v1/marketdata": marketdata})
    with serving(recorded) as base:
        harness = OneCycle(start=datetime(2026, 12, 7, 0, 0, tzinfo=UTC).timestamp())
        battery = DummyManagedEss("ess0", soc=50, capacity=10_000)
        harness.add(battery, DummyMeter("meter0", active_power=500))
        properties = {
            "priceSource": "awattar",
            "priceUrl": base,
            "surchargePerKwh": 0.18,
            "vat": 0.19,
        }
        controller = harness.controller(tou.FACTORY, CID, **properties)
        assert isinstance(controller, TimeOfUse) and controller.market is not None
        harness.run()
        # the first cycle cannot wait for the network: no price yet, and it says so
        assert harness.value(f"{CID}/PriceState") == "missing"
        assert harness.value(f"{CID}/QuarterlyPrices") is None
        controller.market.wait(30)
        controller.planner.wait(30)  # the first plan (without prices) is done: prices re-plan
        harness.run()
        # 01:00 Berlin = 00:00 UTC: the fixture's second hour, 84.1 €/MWh
        assert harness.value(f"{CID}/QuarterlyPrices") == pytest.approx(
            (0.0841 + 0.18) * 1.19 * 1000
        )
        assert harness.value(f"{CID}/PriceState") == "ok"
        controller.planner.wait(30)
        harness.run()
        assert harness.value(f"{CID}/PlanStatus") == "relaxed"  # the prices end tonight
        assert "import prices end after slot" in str(harness.value(f"{CID}/PlanReason"))
        # the server fails from now on: the prices run out, the state says late, then missing
        answers["status"] = 503
        harness.run(18 * 3600)
        controller.market.wait(30)
        harness.run()
        assert harness.value(f"{CID}/PriceState") == "late"
        assert "HTTP 503" in str(harness.value(f"{CID}/PriceError"))
        harness.run(6 * 3600)
        controller.market.wait(30)
        harness.run()
        controller.planner.wait(30)
        harness.run()
        assert harness.value(f"{CID}/PriceState") == "missing"
        assert harness.value(f"{CID}/PlanStatus") == "fallback"
        assert harness.value(f"{CID}/StateMachine") == 1


def test_the_grid_terms_reach_the_plan() -> None:
    calls: list[Problem] = []

    def counting(problem: Problem) -> Plan:
        calls.append(problem)
        return solve(problem)

    window = {"days": ["mon", "tue", "wed", "thu", "fri", "sat", "sun"], "start": "01:00",
              "end": "02:00", "limit": 4200}  # fmt: skip
    harness, _battery, controller = home(
        gridImportLimit=11_000, gridExportLimit=6_000, dimmingWindows=[window]
    )
    controller.planner = tou.Planner(counting)
    planned(harness, controller)
    grid = calls[0].grid
    assert grid.import_limit_kw is not None and grid.export_limit_kw is not None
    assert 4.2 in grid.import_limit_kw and max(grid.import_limit_kw) == 11.0
    assert set(grid.export_limit_kw) == {6.0}
