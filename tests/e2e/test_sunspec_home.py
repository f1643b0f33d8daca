"""issue 5, end to end: the example site on real Modbus traffic, driven through REST."""

from __future__ import annotations

from pathlib import Path

import httpx

from wattkeeper.config.site import load_site
from wattkeeper.simulator.server import DeviceSimulator

EXAMPLE = Path(__file__).parents[2] / "examples" / "sunspec-home.toml"


async def test_rest_setpoint_drives_the_simulated_inverter(start_edge, tmp_path: Path) -> None:
    simulator = DeviceSimulator("127.0.0.1", 0, load_w=600.0, pv_w=0.0)
    await simulator.start()
    try:
        site = load_site(EXAMPLE)
        for entry in site.components:
            if entry.properties.get("port") == 5502:  # the example's simulator port
                entry.properties.update(port=simulator.port, pollPeriodMs=100, timeoutMs=300)
        live = await start_edge(site)
        # self-consumption first: the battery covers the household's 600 W
        await live.until(lambda: live.value("ess0/ActivePower") == 600, timeout=20)

        async with httpx.AsyncClient(auth=("x", "owner")) as client:
            response = await client.post(
                f"{live.url}/rest/channel/ess0/SetActivePowerEquals", json={"value": -2500}
            )
            assert response.status_code == 200
            # what the device reports (read back over Modbus) is what ess0/ActivePower shows
            await live.until(lambda: live.value("ess0/ActivePower") == -2500, timeout=20)
            assert simulator.battery.storctl_mod & 0x1  # charge control enabled on the device
            assert simulator.battery.power_w == -2500
            response = await client.get(
                f"{live.url}/rest/channel/meter0/ActivePower", auth=("x", "user")
            )
            assert response.json()["value"] == 3100  # 600 W load + 2500 W charging from the grid
    finally:
        await simulator.stop()


async def test_changing_a_device_port_at_run_time_reconnects(start_edge) -> None:
    """updateComponentConfig on a Modbus device rebuilds its connection with the new settings."""
    first = DeviceSimulator("127.0.0.1", 0, load_w=600.0, pv_w=0.0)
    second = DeviceSimulator("127.0.0.1", 0, load_w=600.0, pv_w=0.0, initial_soc=80.0)
    await first.start()
    await second.start()
    try:
        site = load_site(EXAMPLE)
        for entry in site.components:
            if entry.properties.get("port") == 5502:
                entry.properties.update(port=first.port, pollPeriodMs=100, timeoutMs=300)
        live = await start_edge(site)
        await live.until(lambda: live.value("ess0/Soc") == 50, timeout=20)
        await live.edge.configurator.update("ess0", {"port": second.port})
        await live.until(lambda: live.value("ess0/Soc") == 80, timeout=20)
        assert live.edge.manager.get("ess0").config.port == second.port
    finally:
        await first.stop()
        await second.stop()


async def test_the_household_load_stays_positive_while_the_sun_shines(start_edge) -> None:
    """The PV meter (unit 3) shows the edge the AC PV that the grid meter nets out."""
    simulator = DeviceSimulator("127.0.0.1", 0, load_w=700.0, pv_w=3000.0)
    await simulator.start()
    try:
        site = load_site(EXAMPLE)
        for entry in site.components:
            if entry.properties.get("port") == 5502:
                entry.properties.update(port=simulator.port, pollPeriodMs=100, timeoutMs=300)
        live = await start_edge(site)
        await live.until(lambda: live.value("_sum/ProductionActivePower") == 3000, timeout=20)

        def load_is_the_household() -> bool:
            load = live.value("_sum/ConsumptionActivePower")
            return isinstance(load, int) and abs(load - 700) <= 50

        await live.until(load_is_the_household, timeout=20)
        assert live.value("meter1/ActivePower") == 3000
    finally:
        await simulator.stop()
