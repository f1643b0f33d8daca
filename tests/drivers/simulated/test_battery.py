"""The simulated battery inside a running edge, on a fake clock."""

from __future__ import annotations

import pytest

# simulates hours of cycles: left out of the fast stage
pytestmark = pytest.mark.slow

SITE = """
[[components]]
id = "ess0"
factory = "Simulator.EssSymmetric.Reacting"
[components.properties]
capacity = 10000
maxChargePower = 5000
maxDischargePower = 5000
initialSoc = {soc}

[[components]]
id = "ctrlFix0"
factory = "Controller.Ess.FixActivePower"
[components.properties]
"ess.id" = "ess0"
power = {power}
"""


def test_soc_after_one_simulated_hour(make_edge) -> None:
    site = make_edge(SITE.format(soc=50, power=2000))
    site.step(3601)
    battery = site.edge.manager.get("ess0")
    assert battery.soc_exact == pytest.approx(30.0, abs=0.1)
    assert site.value("ess0/Soc") == 30
    assert site.value("ess0/ActiveDischargeEnergy") == pytest.approx(2000, abs=5)


def test_empty_battery_stops_discharging(make_edge) -> None:
    site = make_edge(SITE.format(soc=1, power=5000))
    site.step(1200)
    assert site.value("ess0/Soc") == 0
    assert site.value("ess0/AllowedDischargePower") == 0
    assert site.value("ess0/ActivePower") == 0


def test_full_battery_stops_charging(make_edge) -> None:
    site = make_edge(SITE.format(soc=99, power=-5000))
    site.step(1800)
    assert site.value("ess0/Soc") == 100
    assert site.value("ess0/AllowedChargePower") == 0
    assert site.value("ess0/ActivePower") == 0
