"""An independent reader: the `goodwe` library from PyPI (the one Home Assistant's GoodWe
integration uses) reads the simulated inverter over Modbus/TCP while the edge drives it, and
decodes the same PV, battery, grid power and SoC as the edge reports.

goodwe speaks Modbus/TCP to any port but 8899 (there: GoodWe's UDP AA55 / RTU-over-UDP
protocol), with unit id 0xF7; see docs/adr/0080-fenecon-home-goodwe.md."""

from __future__ import annotations

import goodwe
import pytest

from wattkeeper.controllers.fix_active_power import FACTORY as FIX


@pytest.mark.parametrize("home", ["tcp"], indirect=True)  # goodwe has no serial transport
async def test_goodwe_library_reads_what_the_edge_reports(home) -> None:
    home.simulator.home.pv_w = 2500.0
    await home.build(None, controlMode="REMOTE")
    config = home.registry.validate("ctrlFix0", FIX.factory_id, {"power": 4000})
    home.manager.add(home.registry.build("ctrlFix0", FIX.factory_id, "", config, home.ctx))
    await home.until(lambda: home.value("ess0/DcDischargePower") == 1500)  # 4000 − 2500 PV
    await home.until(lambda: home.value("meter0/ActivePower") == -3400)  # 600 load − 4000

    inverter = await goodwe.connect(
        "127.0.0.1", port=home.simulator.port, family="ET", timeout=1, retries=1
    )
    data = await inverter.read_runtime_data()
    home.cycle.run_once()

    assert inverter.serial_number == home.value("ess0/SerialNumber")
    assert inverter.model_name == "GW10K-ET"
    pv = home.value("charger0/ActualPower") + home.value("charger1/ActualPower")
    assert data["ppv"] == pv == 2500
    assert data["ppv1"] == home.value("charger0/ActualPower")
    assert data["pbattery1"] == home.value("ess0/DcDischargePower")  # + discharge in both
    # GoodWe counts feed-in positive, OpenEMS purchase positive
    assert data["meter_active_power_total"] == -home.value("meter0/ActivePower")
    assert data["active_power"] == -home.value("meter0/ActivePower")
    assert data["battery_soc"] == home.value("battery0/Soc") == home.value("ess0/Soc")
    assert data["house_consumption"] == 600
