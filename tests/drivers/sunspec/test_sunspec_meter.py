"""`SunSpec.Meter` against the simulated grid meter over loopback."""

from __future__ import annotations

import logging
from typing import Any

import pytest

from wattkeeper.core.state import COMMUNICATION_FAILED, Level
from wattkeeper.drivers.sunspec import ESS_FACTORY, METER_FACTORY
from wattkeeper.drivers.sunspec.meter import SunSpecMeter
from wattkeeper.natures.meter import MeterType
from wattkeeper.simulator.devices import Fault

Site = Any  # tests/drivers/sunspec/conftest.py: Site


async def meter_of(site: Site, **properties: object) -> SunSpecMeter:
    meter: SunSpecMeter = await site.add(METER_FACTORY, "meter0", unitId=2, **properties)
    await site.until(lambda: meter.value("ActivePower") is not None)
    return meter


async def test_every_mapped_channel(site: Site) -> None:
    meter = await meter_of(site)
    assert meter.meter_type is MeterType.GRID
    assert meter.value("ActivePower") == 600  # load 600 W, no PV, battery idle: buying
    assert meter.value("ActivePowerL1") == 200
    assert meter.value("ReactivePower") == 0
    assert meter.value("Voltage") == 230_000
    assert meter.value("VoltageL3") == 230_000
    assert meter.value("Current") == 2610  # 600 W over 3 × 230 V: 2.61 A, in mA as OpenEMS
    assert meter.value("CurrentL2") == 870
    assert meter.value("Frequency") == 50_000  # mHz
    assert meter.value("ActiveProductionEnergy") == 500_000  # bought (TotWhImp)
    assert meter.value("ActiveConsumptionEnergy") == 200_000  # sold (TotWhExp)
    assert meter.value("State") == Level.OK
    assert meter.link.session.map is not None and meter.link.session.map.ids == [1, 203]


async def test_grid_follows_the_battery(site: Site) -> None:
    meter = await meter_of(site)
    ess = await site.add(ESS_FACTORY, "ess0", unitId=1)
    await site.until(lambda: ess.value("Soc") is not None)
    ess.apply_power(1000, 0)  # discharge 1 kW into a 600 W load: 400 W feed-in
    await ess.flush()
    await site.until(lambda: meter.value("ActivePower") == -400)


async def test_inverted_production_meter(site: Site) -> None:
    meter = await meter_of(site, type="PRODUCTION", invert=True)
    assert meter.meter_type is MeterType.PRODUCTION
    assert meter.value("ActivePower") == -600
    assert meter.value("ActiveProductionEnergy") == 200_000
    assert meter.value("ActiveConsumptionEnergy") == 500_000


async def test_meter_lost_and_back_logs_once(site: Site, caplog: pytest.LogCaptureFixture) -> None:
    meter = await meter_of(site)
    caplog.set_level(logging.INFO, logger="wattkeeper.core.component")
    await site.simulator.set_faults(Fault.DISCONNECT)
    await site.until(lambda: meter.has_state(COMMUNICATION_FAILED))
    for _ in range(5):
        site.cycle()
    assert meter.value("ActivePower") is None
    assert meter.value("Voltage") is None
    assert meter.value("State") == Level.FAULT
    await site.simulator.set_faults()
    await site.until(lambda: meter.value("ActivePower") == 600)
    assert meter.value("State") == Level.OK
    records = [r for r in caplog.records if r.name == "wattkeeper.core.component"]
    assert [r.levelno for r in records] == [logging.WARNING, logging.INFO]
    assert "does not answer" in records[0].getMessage()
    assert "recovered" in records[1].getMessage()


async def test_wrong_unit_is_a_failure(site: Site) -> None:
    meter: SunSpecMeter = await site.add(METER_FACTORY, "meter0", unitId=1)  # the inverter
    await site.until(lambda: meter.has_state(COMMUNICATION_FAILED))
    assert "203/201/202/204 not found" in meter.state_reasons[0]
