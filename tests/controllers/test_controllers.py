"""Controllers as tables: readings in → exactly one real cycle (scheduler, solver) → setpoint out."""

from __future__ import annotations

from typing import Any

import pytest

from wattkeeper.controllers import balancing, emergency_reserve, fix_active_power
from wattkeeper.core.controller import Controller
from wattkeeper.core.state import Level
from wattkeeper.testing.dummies import DummyManagedEss, DummyMeter
from wattkeeper.testing.one_cycle import OneCycle

BALANCING = balancing.FACTORY
RESERVE = emergency_reserve.FACTORY
FIX = fix_active_power.FACTORY


def site(**ess: Any) -> tuple[OneCycle, DummyManagedEss]:
    """One battery (±5000 W unless told) and a grid meter at 0 W."""
    battery = DummyManagedEss("ess0", **ess)
    return OneCycle().add(battery, DummyMeter("meter0")), battery


# grid meter (+ buy), battery ActivePower, target, limits → battery setpoint
@pytest.mark.parametrize(
    ("grid", "ess_power", "target", "limits", "setpoint"),
    [
        (1200, 300, 0, {}, 1500),  # the battery takes over what the grid delivers
        (-800, 0, 0, {}, -800),  # and charges from what would be fed in
        (0, 700, 0, {}, 700),  # balanced: it holds its power
        (500, 200, -1000, {}, 1700),  # a non-zero target: 1000 W fed in on purpose
        (-1500, -500, 1000, {}, -3000),  # a positive target: buy 1000 W
        # noon, 8 kW surplus: charge at the limit, the rest is fed in
        (-8000, 0, 0, {}, -5000),
        (4000, 0, 0, {"allowed_discharge": 3000}, 3000),  # discharge limit
        (None, 300, 0, {}, 0),  # meter unknown: no constraint, the battery rests
        (1200, None, 0, {}, 0),  # battery power unknown: likewise
        (1200, 0, 0, {"allowed_charge": None}, 0),  # unknown limits: not usable this cycle
    ],
)
def test_balancing(
    grid: int | None, ess_power: int | None, target: int, limits: dict[str, Any], setpoint: int
) -> None:
    harness, battery = site(active_power=ess_power, **limits)
    harness.manager.get_as("meter0", DummyMeter).set("ActivePower", grid)
    harness.controller(BALANCING, "ctrlBalancing0", targetGridSetpoint=target)
    harness.run()
    assert battery.setpoint == setpoint
    assert harness.value("ess0/DebugSetActivePower") == setpoint


@pytest.mark.parametrize(("load", "target"), [(1800, 0), (300, 0), (2500, -1000), (-2000, 0)])
def test_balancing_holds_the_grid_at_the_target_from_the_second_cycle(
    load: int, target: int
) -> None:
    """Closed loop on an ideal inverter: grid = household - battery, the battery follows."""
    harness, battery = site(reacting=True)
    meter = harness.manager.get_as("meter0", DummyMeter)
    harness.controller(BALANCING, "ctrlBalancing0", targetGridSetpoint=target)
    meter.set("ActivePower", load)
    harness.run()
    for _ in range(3):
        meter.set("ActivePower", load - (battery.setpoint or 0))
        harness.run()
        assert harness.value("meter0/ActivePower") == target  # within one cycle, and stays


# SoC, reserve, reserve on?, fixed power asked → setpoint, ActualReserveSoc
@pytest.mark.parametrize(
    ("soc", "reserve", "enabled", "asked", "setpoint", "actual"),
    [
        (22, 20, True, 5000, 5000, 20),  # above the reserve: discharging is fine
        (20, 20, True, 5000, 0, 20),  # at the reserve: no more discharge
        (15, 20, True, 5000, 0, 20),  # below it: likewise
        (15, 20, True, -3000, -3000, 20),  # charging is always allowed
        (15, 20, False, 5000, 5000, None),  # switched off: no reserve, channel null
        (35, 40, True, 5000, 0, 40),
    ],
)
def test_emergency_reserve(
    soc: int, reserve: int, enabled: bool, asked: int, setpoint: int, actual: int | None
) -> None:
    harness, battery = site(soc=soc)
    harness.controller(
        RESERVE, "ctrlEmergencyCapacityReserve0", reserveSoc=reserve, isReserveSocEnabled=enabled
    )
    harness.controller(FIX, "ctrlFix0", power=asked)
    harness.run()
    assert battery.setpoint == setpoint
    harness.run()  # the controller's channel is published with the next process image
    # OpenEMS's UI charts the reserve in force from this channel
    assert harness.value("ctrlEmergencyCapacityReserve0/ActualReserveSoc") == actual


# relationship, power, what balancing alone would ask → setpoint
@pytest.mark.parametrize(
    ("relationship", "power", "mode", "balancing_wants", "setpoint"),
    [
        ("EQUALS", 2000, "MANUAL_ON", None, 2000),
        ("EQUALS", -2500, "MANUAL_ON", None, -2500),
        ("EQUALS", 2000, "MANUAL_ON", 4000, 2000),  # fixed beats balancing
        ("EQUALS", 9000, "MANUAL_ON", None, 5000),  # beyond the discharge limit: the limit
        ("LESS_OR_EQUALS", 1000, "MANUAL_ON", 3000, 1000),  # a ceiling that bites
        ("LESS_OR_EQUALS", 1000, "MANUAL_ON", 500, 500),  # a ceiling above the wish
        ("LESS_OR_EQUALS", -1000, "MANUAL_ON", None, -1000),  # a ceiling below 0 forces charge
        ("GREATER_OR_EQUALS", -1000, "MANUAL_ON", -3000, -1000),  # a charge cap that bites
        ("GREATER_OR_EQUALS", -1000, "MANUAL_ON", 200, 200),
        ("GREATER_OR_EQUALS", 1500, "MANUAL_ON", None, 1500),  # a floor above 0 forces discharge
        ("EQUALS", 2000, "MANUAL_OFF", 4000, 4000),  # switched off: balancing decides
        ("EQUALS", 2000, "MANUAL_OFF", None, 0),
    ],
)
def test_fix_active_power(
    relationship: str, power: int, mode: str, balancing_wants: int | None, setpoint: int
) -> None:
    harness, battery = site()
    harness.controller(FIX, "ctrlFix0", power=power, relationship=relationship, mode=mode)
    if balancing_wants is not None:
        harness.manager.get_as("meter0", DummyMeter).set("ActivePower", balancing_wants)
        harness.controller(BALANCING, "ctrlBalancing0")
    harness.run()
    assert battery.setpoint == setpoint


# controllers present (SoC 10 %, reserve 20 %) → order they run in, setpoint
@pytest.mark.parametrize(
    ("present", "order", "setpoint"),
    [
        (("balancing", "fix", "reserve"), ["reserve", "fix", "balancing"], 0),
        (("balancing", "fix"), ["fix", "balancing"], 3000),
        (("balancing", "reserve"), ["reserve", "balancing"], 0),
        (("balancing",), ["balancing"], 2000),
    ],
)
def test_priorities(present: tuple[str, ...], order: list[str], setpoint: int) -> None:
    """Emergency reserve before fixed power before balancing, whatever the order they were added."""
    harness, battery = site(soc=10)
    harness.manager.get_as("meter0", DummyMeter).set("ActivePower", 2000)
    build = {
        "balancing": lambda: harness.controller(BALANCING, "ctrlBalancing0"),
        "fix": lambda: harness.controller(FIX, "ctrlFix0", power=3000),
        "reserve": lambda: harness.controller(RESERVE, "ctrlReserve0", reserveSoc=20),
    }
    names = {"ctrlBalancing0": "balancing", "ctrlFix0": "fix", "ctrlReserve0": "reserve"}
    for name in present:
        build[name]()
    harness.run()
    assert [names[c.id] for c in harness.cycle.controllers()] == order
    assert battery.setpoint == setpoint


class Broken(Controller):
    def run(self) -> None:
        raise RuntimeError("boom")


def test_a_failing_controller_sets_run_failed_and_the_cycle_goes_on() -> None:
    harness, battery = site()
    harness.controller(FIX, "ctrlFix0", power=1000)
    harness.run()
    level_before = harness.value("_sum/State")
    broken = Broken("ctrlBroken0")
    broken.priority = 2000  # runs first: its failure must not keep the others from running
    harness.add(broken)
    for _ in range(3):
        harness.run()
    assert broken.value("RunFailed") == 1
    assert broken.value("State") == Level.FAULT
    assert harness.value("_sum/State") == Level.FAULT
    assert harness.cycle.number == 4
    assert battery.applied[-3:] == [(1000, 0)] * 3  # every cycle still reached the battery
    broken.run = lambda: None  # type: ignore[method-assign]
    harness.run()
    harness.run()
    assert broken.value("RunFailed") == 0
    assert broken.value("State") == Level.OK
    assert harness.value("_sum/State") == level_before
