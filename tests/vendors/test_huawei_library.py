"""issue 19, Huawei: the other side is huawei-solar (the library of Home Assistant's Huawei
integration), run in its own Python 3.12+ venv: it reads our simulated SUN2000 + LUNA2000
and finds what the edge reports; its forcible-charge writes move the simulated battery the
way they move a real one, and the edge sees that; the edge's own setpoint reads back in it."""

from __future__ import annotations

import pytest

from tests.vendors.py312 import python312, run_client
from tests.vendors.rig import Rig

pytestmark = pytest.mark.slow


async def test_huawei_solar_reads_what_the_edge_reports_and_its_writes_move_the_battery() -> None:
    python312()  # skip early, before a simulator starts, if the interpreter is missing
    rig = await Rig("huawei-sun2000", load_w=800.0, pv_w=0.0).start()
    try:
        await rig.cycle()
        port = str(rig.simulator.port)
        seen = await run_client("huawei_client.py", "127.0.0.1", port)
        assert seen["device_class"] == "SUN2000Device"
        assert seen["model_name"] == rig.value("DeviceModel") == "SUN2000-10KTL-M1"
        assert seen["serial_number"] == rig.value("DeviceSerial")
        assert seen["storage_state_of_capacity"] == rig.value("Soc")
        assert seen["active_power"] == rig.value("ActivePower") == 800  # the battery covers 800 W
        assert seen["storage_charge_discharge_power"] == -rig.value(
            "DcDischargePower"
        )  # + charging
        assert seen["storage_rated_capacity"] == rig.value("Capacity")
        assert seen["storage_maximum_charge_power"] == -rig.value("AllowedChargePower")
        assert seen["storage_total_discharge"] * 1000 == rig.value("ActiveDischargeEnergy")

        # the edge's setpoint, as huawei-solar reads it back
        rig.write(-2000)
        await rig.cycle()
        seen = await run_client("huawei_client.py", "127.0.0.1", port)
        assert seen["forcible_charge_discharge_write"] == 1  # CHARGE
        assert seen["storage_forcible_charge_power"] == 2000
        assert seen["storage_forced_charging_and_discharging_period"] == 2
        assert seen["storage_charge_discharge_power"] == 2000

        # huawei-solar's own forcible discharge moves the battery; the edge sees it
        rig.write(None)  # the edge lets go (release: forcible stop), then the library commands
        await rig.cycle()
        writes = [
            "storage_forcible_discharge_power=1500",
            "storage_forcible_charge_discharge_setting_mode=0",
            "storage_forced_charging_and_discharging_period=2",
            "forcible_charge_discharge_write=2",
        ]
        seen = await run_client("huawei_client.py", "127.0.0.1", port, *writes)
        assert rig.simulator.device.battery_w == 1500
        assert seen["storage_charge_discharge_power"] == -1500
        await rig.cycle()
        assert rig.value("DcDischargePower") == 1500
    finally:
        await rig.stop()
