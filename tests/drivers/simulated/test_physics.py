"""Battery physics of the simulated home."""

from __future__ import annotations

import pytest

from wattkeeper.drivers.simulated.physics import derate, integrate, load_power, pv_power


def test_one_hour_at_known_power() -> None:
    energy = 5000.0
    for _ in range(3600):
        energy = integrate(energy, 10_000, 2000, 1.0).energy_wh
    assert energy == pytest.approx(3000.0)


def test_cannot_discharge_when_empty_nor_charge_when_full() -> None:
    empty = integrate(1.0, 10_000, 5000, 3600)
    assert empty.energy_wh == 0.0
    assert empty.power_w == pytest.approx(1.0)  # only what was left flowed
    assert derate(0.0) == (1.0, 0.0)
    assert derate(100.0) == (0.0, 1.0)
    full = integrate(9_999.0, 10_000, -5000, 3600)
    assert full.energy_wh == 10_000
    assert full.power_w == pytest.approx(-1.0)


def test_power_fades_near_full_and_empty() -> None:
    assert derate(50.0) == (1.0, 1.0)
    charge, discharge = derate(98.0)
    assert 0.05 <= charge < 1.0 and discharge == 1.0
    charge, discharge = derate(2.0)
    assert charge == 1.0 and 0.05 <= discharge < 1.0


def test_pv_is_zero_at_night_and_peaks_at_noon_in_summer() -> None:
    assert pv_power(8000, 172, 0.5, 50.0) == 0.0
    noon = pv_power(8000, 172, 12.0, 50.0)
    assert 6000 < noon <= 8000
    assert pv_power(8000, 355, 12.0, 50.0) < noon / 2  # winter
    assert pv_power(8000, 172, 9.0, 50.0) < noon


def test_load_has_an_evening_peak() -> None:
    assert load_power(500, 19.0) > load_power(500, 3.0) * 3
