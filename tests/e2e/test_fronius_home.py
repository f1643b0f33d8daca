"""issue 19, Fronius GEN24: the example site against the GEN24 simulator (SunSpec gen24 layout,
Smart Meter at unit 200), with pysunspec2 — the SunSpec Alliance's own client — as the other
side: it finds at units 1 and 200 what the edge reports, and sees the REST setpoint as plain
124 control (StorCtl_Mod, InWRte) that is handed back (StorCtl_Mod = 0) when the lease ends."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import httpx
import pytest
from sunspec2.modbus import client as ss_client

from wattkeeper.config.site import load_site
from wattkeeper.simulator.clock import ManualClock
from wattkeeper.simulator.fronius import FRONIUS_METER_UNIT, FroniusGen24Simulator

EXAMPLE = Path(__file__).parents[2] / "examples" / "fronius-home.toml"

pytestmark = pytest.mark.slow


def scan(port: int, unit: int) -> dict[int, Any]:
    device = ss_client.SunSpecModbusClientDeviceTCP(
        slave_id=unit, ipaddr="127.0.0.1", ipport=port, timeout=5
    )
    try:
        device.scan()
        return {mid: found[0] for mid, found in device.models.items() if isinstance(mid, int)}
    finally:
        device.disconnect()


async def test_the_fronius_example_on_plain_sunspec_124(start_edge) -> None:
    simulator = FroniusGen24Simulator("127.0.0.1", 0, clock=ManualClock(), load_w=700.0, pv_w=0.0)
    await simulator.start()
    try:
        site = load_site(EXAMPLE)
        for entry in site.components:
            if entry.properties.get("port") == 5502:
                entry.properties.update(port=simulator.port, pollPeriodMs=100, timeoutMs=300)
            if entry.id == "ctrlApiRest0":
                entry.properties.update(apiTimeout=2)
        live = await start_edge(site)
        await live.until(lambda: live.value("ess0/Soc") == 50, timeout=10)
        await live.until(lambda: live.value("meter0/ActivePower") is not None, timeout=10)

        inverter = await asyncio.to_thread(scan, simulator.port, 1)
        meter = await asyncio.to_thread(scan, simulator.port, FRONIUS_METER_UNIT)
        assert list(meter) == [1, 203]
        assert inverter[124].ChaState.cvalue == live.value("ess0/Soc")
        assert meter[203].W.cvalue == live.value("meter0/ActivePower")
        assert inverter[124].StorCtl_Mod.value == 0  # the GEN24's own mode: nothing held

        async with httpx.AsyncClient(auth=("x", "owner")) as client:
            response = await client.post(
                f"{live.url}/rest/channel/ess0/SetActivePowerEquals", json={"value": -2500}
            )
            assert response.status_code == 200, response.text
        await live.until(lambda: live.value("ess0/ActivePower") == -2500, timeout=10)
        storage = (await asyncio.to_thread(scan, simulator.port, 1))[124]
        assert storage.StorCtl_Mod.value == 3  # both limits on: the power is pinned
        assert storage.InWRte.cvalue == 50.0  # 2500 W of WChaMax 5000 W
        assert storage.InOutWRte_RvrtTms.value == 60

        # the lease (2 s) ends: the GEN24 gets its own mode back
        await live.until(lambda: simulator.battery.storctl_mod == 0, timeout=10)
        storage = (await asyncio.to_thread(scan, simulator.port, 1))[124]
        assert storage.StorCtl_Mod.value == 0
    finally:
        await simulator.stop()
