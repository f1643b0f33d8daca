"""The web UI's App Center installs and configures App.Api.Mqtt against Debian's mosquitto."""

from __future__ import annotations

from typing import Any

import pytest

from tests.mqtt.broker import USERS, Mosquitto
from tests.mqtt.conftest import broker  # noqa: F401  (the broker of this module)
from tests.web.conftest import LiveSite, fresh_demo_site, login, new_page
from wattkeeper.testing.eventually import eventually

pytestmark = [pytest.mark.asyncio(loop_scope="module"), pytest.mark.external]

APP = "App.Api.Mqtt"
MQTT_ID = "ctrlControllerApiMqtt0"


async def test_owner_installs_and_reconfigures_the_mqtt_app(
    browser: Any,
    broker: Mosquitto,  # noqa: F811  (the fixture imported above)
    tmp_path: Any,
) -> None:
    site = await LiveSite(fresh_demo_site(), tmp_path / "edge").start()
    try:
        page = await new_page(browser, site.url)
        await login(page, "owner")
        await page.goto("/#/apps")
        card = page.locator(f"article[data-app='{APP}']")
        message = page.get_by_test_id("apps-message")
        await card.get_by_test_id("app-settings").locator("summary").click()
        await card.get_by_test_id("app-prop-URI").fill(broker.uri)
        await card.get_by_test_id("app-prop-USERNAME").fill("edge")
        await card.get_by_test_id("app-prop-PASSWORD").fill(USERS["edge"])
        await card.get_by_test_id("app-prop-CLIENT_ID").fill("uiedge")
        await card.get_by_test_id("app-prop-COMMAND_USER").fill("owner")
        await card.get_by_test_id("app-install").click()
        await message.wait_for()
        await page.wait_for_function(
            "document.querySelector('[data-testid=apps-message]').textContent === 'Done'"
        )
        component = site.edge.manager.get(MQTT_ID)
        assert component.config.command_user == "owner"
        await eventually(lambda: component.value("Connected") == 1, timeout=5)
        # reconfigure: the stored password is not shown, and kept when left empty
        settings = card.get_by_test_id("app-settings")
        await settings.locator("summary").click()
        assert await settings.get_by_test_id("app-prop-PASSWORD").input_value() == ""
        assert await settings.get_by_test_id("app-prop-CLIENT_ID").input_value() == "uiedge"
        await settings.get_by_test_id("app-prop-CLIENT_ID").fill("uiedge2")
        await settings.get_by_test_id("app-prop-HOME_ASSISTANT").uncheck()
        await settings.get_by_test_id("app-save").click()

        def rebuilt() -> bool:
            found = site.edge.manager.find(MQTT_ID)
            return found is not None and found.config.client_id == "uiedge2"

        await eventually(rebuilt, timeout=5)
        fresh = site.edge.manager.get(MQTT_ID)
        assert fresh.config.home_assistant is False
        assert fresh.config.password.get_secret_value() == USERS["edge"]
        await eventually(lambda: fresh.value("Connected") == 1, timeout=5)
        assert page.errors == []  # type: ignore[attr-defined]
        await page.context.close()
    finally:
        await site.stop()
