"""issue 13, end to end: examples/fenecon-home.toml against the FENECON Home simulator on
real Modbus traffic, driven through REST (the document's write)."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from wattkeeper.config.site import load_site
from wattkeeper.protocols.goodwe.modes import EmsPowerMode
from wattkeeper.simulator.fenecon.server import FeneconHomeSimulator

EXAMPLE = Path(__file__).parents[2] / "examples" / "fenecon-home.toml"


def point_at(site, port: int) -> None:
    for entry in site.components:
        if entry.properties.get("port") == 5502:  # the example's simulator port
            entry.properties.update(port=port, pollPeriodMs=100, timeoutMs=300)


async def test_the_documents_write_moves_the_battery_through_the_goodwe_registers(
    start_edge,
) -> None:
    simulator = FeneconHomeSimulator("127.0.0.1", 0, load_w=600.0, pv_w=2000.0)
    await simulator.start()
    try:
        site = load_site(EXAMPLE)
        point_at(site, simulator.port)
        live = await start_edge(site)
        # self-consumption: balancing asks exactly grid + ess, so SMART hands over to AUTO
        await live.until(lambda: live.value("battery0/Soc") == 50, timeout=20)
        await live.until(lambda: simulator.inverter.ems_mode == EmsPowerMode.AUTO, timeout=20)
        assert live.value("charger0/ActualPower") == 1200  # 60 % of 2000 W on string 1
        assert live.value("charger1/ActualPower") == 800

        async with httpx.AsyncClient(auth=("x", "owner")) as client:
            response = await client.post(
                f"{live.url}/rest/channel/ess0/SetActivePowerEquals", json={"value": 5000}
            )
            assert response.status_code == 200
            # 5000 W AC with 2000 W PV: the battery discharges 3000 W
            await live.until(lambda: live.value("ess0/ActivePower") == 5000, timeout=20)
            assert simulator.inverter.ems_mode == EmsPowerMode.DISCHARGE_BAT
            assert simulator.inverter.ems_power == 3000
            assert round(simulator.battery.power_w) == 3000
            assert live.value("ess0/DcDischargePower") == 3000
            grid = await client.get(f"{live.url}/rest/channel/meter0/ActivePower")
            assert grid.json()["value"] == -4400  # 5000 W out, 600 W load: 4400 W fed in
    finally:
        await simulator.stop()


@pytest.mark.parametrize(
    ("setpoint", "pv", "mode", "power", "battery"),
    [
        (-3000, 0.0, EmsPowerMode.CHARGE_BAT, 3000, -3000),  # charge from the grid
        (4000, 1000.0, EmsPowerMode.DISCHARGE_BAT, 3000, 3000),  # discharge, PV helps
        (1000, 3500.0, EmsPowerMode.CHARGE_BAT, 2500, -2500),  # PV surplus into the battery
    ],
)
async def test_rest_setpoints_reach_47511_and_47512(
    start_edge, setpoint: int, pv: float, mode: EmsPowerMode, power: int, battery: int
) -> None:
    simulator = FeneconHomeSimulator("127.0.0.1", 0, load_w=600.0, pv_w=pv)
    await simulator.start()
    try:
        site = load_site(EXAMPLE)
        point_at(site, simulator.port)
        live = await start_edge(site)
        await live.until(lambda: live.value("battery0/Soc") == 50, timeout=20)
        async with httpx.AsyncClient(auth=("x", "owner")) as client:
            response = await client.post(
                f"{live.url}/rest/channel/ess0/SetActivePowerEquals", json={"value": setpoint}
            )
            assert response.status_code == 200
            # the registers as the inverter holds them, read behind the bus
            await live.until(
                lambda: simulator.registers(247, 47511, 2) == [int(mode), power], timeout=20
            )
            await live.until(lambda: round(simulator.battery.power_w) == battery, timeout=20)
            await live.until(lambda: live.value("ess0/ActivePower") == setpoint, timeout=20)
    finally:
        await simulator.stop()
