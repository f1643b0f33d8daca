"""`SunSpec.Charger`: PV trackers of model 160 (GEN24 layout) as EssDcCharger channels,
checked against what pysunspec2 decodes from the same device."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from sunspec2.modbus import client as ss_client
from tests.drivers.sunspec.conftest import Site

from wattkeeper.core.state import Level
from wattkeeper.drivers.sunspec import CHARGER_FACTORY, ESS_FACTORY
from wattkeeper.drivers.sunspec.charger import MODULE_MISSING, SunSpecCharger
from wattkeeper.simulator.clock import ManualClock
from wattkeeper.simulator.devices import Fault, Layout
from wattkeeper.simulator.server import DeviceSimulator


@pytest.fixture
async def gen24_site(tmp_path: Path) -> AsyncIterator[Site]:
    simulator = DeviceSimulator(
        "127.0.0.1", 0, clock=ManualClock(), pv_w=3000.0, layout=Layout.GEN24, slow_delay=0.5
    )
    await simulator.start()
    site = Site(simulator, tmp_path)
    yield site
    await site.close()
    await simulator.stop()


def modules(port: int) -> list[Any]:
    device = ss_client.SunSpecModbusClientDeviceTCP(slave_id=1, ipaddr="127.0.0.1", ipport=port)
    try:
        device.scan()
        mppt = device.models[160][0]
        assert mppt.error_info == ""
        return list(mppt.groups["module"])
    finally:
        device.disconnect()


async def add_charger(site: Site, component_id: str, **properties: Any) -> SunSpecCharger:
    """A charger has no connection of its own: no host/port properties."""
    config = CHARGER_FACTORY.model.model_validate(properties)
    charger = CHARGER_FACTORY.build(component_id, "", config, site.ctx)
    assert isinstance(charger, SunSpecCharger)
    site.manager.add(charger)
    site.components.append(charger)
    await charger.start()
    return charger


async def chargers(site: Site, *numbers: int) -> list[SunSpecCharger]:
    await site.add(ESS_FACTORY, "ess0", unitId=1)
    return [
        await add_charger(site, f"charger{i}", module=number, **{"ess.id": "ess0"})
        for i, number in enumerate(numbers)
    ]


async def test_pv_modules_equal_what_pysunspec2_decodes(gen24_site: Site) -> None:
    pv1, pv2 = await chargers(gen24_site, 1, 2)
    await gen24_site.until(lambda: pv2.value("ActualPower") is not None)
    theirs = await asyncio.to_thread(modules, gen24_site.simulator.port)
    for charger, module in zip((pv1, pv2), theirs, strict=False):
        assert charger.value("ActualPower") == round(module.DCW.cvalue)
        assert charger.value("ActualEnergy") == round(module.DCWH.cvalue)
        assert charger.value("Voltage") == round(module.DCV.cvalue * 1000)
        assert charger.value("Current") == round(module.DCA.cvalue * 1000)
        assert charger.value("MaxActualPower") == charger.value("ActualPower")
    assert (pv1.value("ActualPower"), pv2.value("ActualPower")) == (1800, 1200)  # 3 kW PV
    assert pv1.value("Voltage") == 420_000 and pv1.value("Current") == 4290
    assert pv1.value("ActualEnergy") == 60_000
    assert pv1.state_level is Level.OK


async def test_battery_and_absent_modules_are_refused(gen24_site: Site) -> None:
    battery, absent = await chargers(gen24_site, 3, 9)
    await gen24_site.until(
        lambda: battery.has_state(MODULE_MISSING) and absent.has_state(MODULE_MISSING)
    )
    assert "'StCha 3'" in " ".join(battery.state_reasons)
    assert "4 module(s)" in " ".join(absent.state_reasons)
    assert battery.value("ActualPower") is None and absent.value("ActualPower") is None


async def test_lost_device_leaves_the_charger_unknown(gen24_site: Site) -> None:
    (pv1,) = await chargers(gen24_site, 1)
    await gen24_site.until(lambda: pv1.value("ActualPower") == 1800)
    await gen24_site.simulator.set_faults(Fault.DISCONNECT)
    await gen24_site.until(lambda: pv1.value("ActualPower") is None)
    assert pv1.value("Voltage") is None
    assert pv1.value("MaxActualPower") == 1800  # the largest power seen stays


async def test_no_such_ess(gen24_site: Site) -> None:
    charger = await add_charger(gen24_site, "charger0", **{"ess.id": "ess7"})
    gen24_site.cycle()
    assert charger.has_state(MODULE_MISSING)
    assert "no SunSpec.Ess 'ess7'" in charger.state_reasons[0]
