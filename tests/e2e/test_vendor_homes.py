"""issue 19, end to end: each vendor's example site against its simulator, driven over HTTP:
POST /rest/channel/ess0/SetActivePowerEquals moves the simulated battery, and what the edge
reports (read back over Modbus) is what the device does."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from wattkeeper.config.site import load_site
from wattkeeper.simulator.described_server import VendorSimulator

EXAMPLES = Path(__file__).parents[2] / "examples"
VENDORS = {
    "huawei-home.toml": "huawei-sun2000",
    "victron-home.toml": "victron-gx",
    "sungrow-home.toml": "sungrow-sh",
    "sma-home.toml": "sma-sbs",
    "kostal-home.toml": "kostal-plenticore",
}

pytestmark = pytest.mark.slow


@pytest.mark.parametrize("example", sorted(VENDORS))
async def test_the_example_site_drives_the_simulated_vendor_device(
    start_edge, example: str
) -> None:
    simulator = VendorSimulator(VENDORS[example], "127.0.0.1", 0, load_w=700.0, pv_w=0.0)
    await simulator.start()
    try:
        site = load_site(EXAMPLES / example)
        ess = next(entry for entry in site.components if entry.id == "ess0")
        assert ess.properties["model"] == VENDORS[example]
        ess.properties.update(port=simulator.port, pollPeriodMs=100, timeoutMs=300)
        live = await start_edge(site)
        await live.until(lambda: live.value("ess0/Soc") == 50, timeout=10)
        async with httpx.AsyncClient(auth=("x", "owner")) as client:
            response = await client.post(
                f"{live.url}/rest/channel/ess0/SetActivePowerEquals", json={"value": -2500}
            )
            assert response.status_code == 200, response.text
            await live.until(lambda: live.value("ess0/ActivePower") == -2500, timeout=10)
            assert simulator.device.battery_w == -2500
            if "meter0" in {entry.id for entry in site.components}:
                # 700 W household + 2500 W charging, bought from the grid
                await live.until(lambda: live.value("meter0/ActivePower") == 3200, timeout=10)
    finally:
        await simulator.stop()


async def test_a_refusing_device_is_answered_not_applicable_over_http(start_edge) -> None:
    """Kostal without external battery management: the REST write is a 400 with the sentence
    for the installer, and ess0 shows ControlRefused and the same sentence in ControlHint."""
    from wattkeeper.protocols.described.model import load
    from wattkeeper.simulator.described_device import VendorFault

    simulator = VendorSimulator(
        "kostal-plenticore", "127.0.0.1", 0, faults=[VendorFault.REFUSE_CONTROL]
    )
    await simulator.start()
    try:
        site = load_site(EXAMPLES / "kostal-home.toml")
        ess = next(entry for entry in site.components if entry.id == "ess0")
        ess.properties.update(port=simulator.port, pollPeriodMs=100, timeoutMs=300)
        live = await start_edge(site)
        await live.until(lambda: live.value("ess0/ControlRefused") == 1, timeout=10)
        say = load("kostal-plenticore").control.enable.say  # type: ignore[union-attr]
        assert live.value("ess0/ControlHint") == say
        async with httpx.AsyncClient(auth=("x", "owner")) as client:
            response = await client.post(
                f"{live.url}/rest/channel/ess0/SetActivePowerEquals", json={"value": -2500}
            )
        assert response.status_code == 400
        assert "not applicable" in response.text and "External battery management" in response.text
        assert simulator.device.writes == 0
    finally:
        await simulator.stop()
