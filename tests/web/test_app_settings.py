"""The web UI's App Center installs and configures the Modbus/TCP apps through their settings."""

from __future__ import annotations

import pytest
from pymodbus.client import AsyncModbusTcpClient

from tests.web.conftest import LiveSite, fresh_demo_site, login, new_page
from tests.web.test_monitoring_ui import assert_clean
from tests.web.test_monitoring_ui import eventually as until
from wattkeeper.licence_vendor import issue_offline
from wattkeeper.testing.eventually import eventually

RO = "App.Api.ModbusTcp.ReadOnly"
RW = "App.Api.ModbusTcp.ReadWrite"
CONTROLLER = "ctrlApiModbusTcp0"

pytestmark = pytest.mark.asyncio(loop_scope="module")


async def test_owner_installs_and_configures_the_modbus_apps(browser, tmp_path) -> None:
    site = await LiveSite(fresh_demo_site(), tmp_path / "edge").start()
    await site.edge.modbus.start()
    try:
        page = await new_page(browser, site.url)
        await login(page, "owner")
        await page.goto("/#/apps")
        message = page.get_by_test_id("apps-message")
        card = page.locator(f"article[data-app='{RO}']")
        assert "Modbus has no login" in await card.inner_text()
        await card.get_by_test_id("app-settings").locator("summary").click()
        assert await card.get_by_test_id("app-prop-PORT").input_value() == "502"
        assert await card.get_by_test_id("app-prop-COMPONENT_IDS").input_value() == "_sum"
        await card.get_by_test_id("app-prop-PORT").fill("0")  # any free port, for the test
        await card.get_by_test_id("app-install").click()
        await card.get_by_test_id("app-remove").wait_for()
        await eventually(lambda: CONTROLLER in site.edge.modbus.servers)
        port = site.edge.modbus.servers[CONTROLLER].port
        client = AsyncModbusTcpClient("127.0.0.1", port=port, timeout=2, retries=0)
        assert await client.connect()
        assert (await client.read_holding_registers(0, count=1)).registers == [0x6201]
        client.close()

        # the installed app's settings show its values and save changes
        await card.get_by_test_id("app-settings").locator("summary").click()
        await card.get_by_test_id("app-prop-MAX_CONCURRENT_CONNECTIONS").fill("2")
        await card.get_by_test_id("app-prop-ALLOWED_CLIENTS").fill("127.0.0.1, 10.0.0.0/8")
        await card.get_by_test_id("app-save").click()
        await eventually(
            lambda: site.edge.modbus.servers[CONTROLLER].state.limits.max_connections == 2
        )
        assert site.edge.modbus.servers[CONTROLLER].state.limits.allowed == (
            "127.0.0.1",
            "10.0.0.0/8",
        )
        # a bad address is refused with the edge's reason
        await card.get_by_test_id("app-settings").locator("summary").click()
        await card.get_by_test_id("app-prop-ALLOWED_CLIENTS").fill("not-an-address")
        await card.get_by_test_id("app-save").click()

        async def refused() -> bool:
            return "not an IP address" in await message.inner_text()

        await until(refused)

        # write access: key and timeout in the same form
        key = issue_offline(RW, site.data_dir).key.formatted()
        write = page.locator(f"article[data-app='{RW}']")
        await write.get_by_test_id("app-settings").locator("summary").click()
        assert await write.get_by_test_id("app-prop-COMPONENT_IDS").input_value() == "_sum, ess0"
        await write.get_by_test_id("app-prop-PORT").fill("0")
        await write.get_by_test_id("app-prop-API_TIMEOUT").fill("30")
        await write.get_by_test_id("app-key").fill(key)
        await write.get_by_test_id("app-install").click()
        await write.get_by_test_id("app-remove").wait_for()
        controller = site.edge.manager.get(CONTROLLER)
        assert controller.config.api_timeout == 30
        assert controller.config.component_ids == ["_sum", "ess0"]
        assert_clean(page)
        await page.context.close()
    finally:
        await site.edge.modbus.stop()
        await site.stop()
