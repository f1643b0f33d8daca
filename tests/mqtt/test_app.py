"""App.Api.Mqtt in the App Center: installed and configured over JSON-RPC (as the web UI does),
connected to the real broker, secrets never shown back, removed again."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.apps.test_app_center import app_call, apps, fresh_demo
from tests.mqtt.broker import USERS, Mosquitto, Watcher
from wattkeeper.testing.eventually import eventually

pytestmark = [pytest.mark.external, pytest.mark.slow]

APP = "App.Api.Mqtt"
MQTT_ID = "ctrlControllerApiMqtt0"


async def test_install_configure_and_remove_the_mqtt_app(
    tmp_path: Path, broker: Mosquitto, watcher: Callable[..., Watcher]
) -> None:
    api = await fresh_demo(tmp_path / "edge")
    try:
        entry = (await apps(api))[APP]
        kinds = {p["name"]: p["type"] for p in entry["properties"]}
        assert kinds["PASSWORD"] == "password" and kinds["HOME_ASSISTANT"] == "checkbox"
        assert kinds["URI"] == "text"
        response = await app_call(
            api,
            "addAppInstance",
            {
                "appId": APP,
                "alias": "",
                "properties": {
                    "URI": broker.uri,
                    "USERNAME": "edge",
                    "PASSWORD": USERS["edge"],
                    "CLIENT_ID": "site1",
                    "COMMAND_USER": "owner",
                },
            },
        )
        assert response.status_code == 200, response.text
        instance = response.json()["result"]["instance"]
        assert instance["properties"]["PASSWORD"] == "**********"  # never shown back
        component = api.edge.manager.get(MQTT_ID)
        await eventually(lambda: component.value("Connected") == 1, timeout=5)

        # a wrong property is refused with its name, and nothing changes
        response = await app_call(
            api,
            "updateAppInstance",
            {"instanceId": instance["instanceId"], "properties": {"URI": "http://x"}},
        )
        assert "uri" in response.json()["error"]["message"].lower()
        assert api.edge.manager.get(MQTT_ID) is component
        # a new client id rebuilds the connection; the masked password keeps the stored one
        response = await app_call(
            api,
            "updateAppInstance",
            {
                "instanceId": instance["instanceId"],
                "properties": {**instance["properties"], "CLIENT_ID": "site2"},
            },
        )
        assert response.status_code == 200, response.text
        rebuilt = api.edge.manager.get(MQTT_ID)
        assert rebuilt is not component and rebuilt.config.client_id == "site2"
        assert rebuilt.config.password.get_secret_value() == USERS["edge"]
        await eventually(lambda: rebuilt.value("Connected") == 1, timeout=5)
        later = watcher("edge/site2/#")
        async with asyncio.timeout(8):
            while not later.has("edge/site2/channel/_sum/EssSoc"):
                api.step()
                await asyncio.sleep(0.02)
        response = await app_call(api, "deleteAppInstance", {"instanceId": instance["instanceId"]})
        assert response.status_code == 200, response.text
        assert MQTT_ID not in api.edge.manager
    finally:
        await api.client.aclose()
        await api.edge.stop()
