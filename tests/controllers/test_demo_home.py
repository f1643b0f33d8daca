"""Controllers on the simulated demo home, over many cycles: the closed loop with real physics.

The controllers' rules cycle by cycle are the tables of test_controllers.py."""

from __future__ import annotations

import pytest

EVENING = 1_782_068_400.0  # 2026-06-21 19:00 UTC: no sun, household evening peak


def test_balancing_keeps_the_grid_at_zero_on_the_demo_home(make_edge) -> None:
    site = make_edge(start=EVENING)
    site.step(30)
    grid = [abs(site.value("_sum/GridActivePower")) for _ in range(60) if not site.step()]
    # the battery follows the household within one cycle; what remains is load noise
    assert max(grid) < 300
    assert sum(grid) / len(grid) < 120
    assert site.value("_sum/EssActivePower") > 300


def test_balancing_at_noon_charges_at_the_limit_and_feeds_in_the_rest(make_edge) -> None:
    site = make_edge()
    site.step(30)
    surplus = site.value("_sum/ProductionActivePower") - site.value("_sum/ConsumptionActivePower")
    assert surplus > 5000
    # the hybrid inverter's battery (DC side) charges at its limit; its PV covers the rest
    assert site.value("ess0/DcDischargePower") == -5000
    assert abs(site.value("_sum/GridActivePower") + (surplus - 5000)) < 300


def test_balancing_reaches_a_non_zero_target(make_edge) -> None:
    site = make_edge(start=EVENING)
    site.edge.manager.get("ctrlBalancing0").update_config(
        site.edge.manager.get("ctrlBalancing0").config.model_copy(
            update={"target_grid_setpoint": -1000}
        )
    )
    site.step(40)
    assert abs(site.value("_sum/GridActivePower") + 1000) < 300


@pytest.mark.slow  # a simulated evening: left out of the fast stage
def test_emergency_reserve_holds_the_soc(make_edge) -> None:
    site = make_edge(
        """
[[components]]
id = "ess0"
factory = "Simulator.EssSymmetric.Reacting"
[components.properties]
initialSoc = 22
[[components]]
id = "ctrlEmergencyCapacityReserve0"
factory = "Controller.Ess.EmergencyCapacityReserve"
[components.properties]
reserveSoc = 20
[[components]]
id = "ctrlFix0"
factory = "Controller.Ess.FixActivePower"
[components.properties]
power = 5000
"""
    )
    site.step(3 * 3600, seconds=1)
    assert 19 <= site.value("ess0/Soc") <= 20
    assert site.value("ess0/ActivePower") <= 0
    # OpenEMS's UI charts the reserve in force from this channel
    assert site.value("ctrlEmergencyCapacityReserve0/ActualReserveSoc") == 20
