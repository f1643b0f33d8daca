"""The App Center speaks OpenEMS's app property names and answers the UI's key requests."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx

from tests.api.conftest import OWNER, Api
from tests.apps.test_app_center import RO, RW, app_call, fresh_demo, swap_adjacent_different
from wattkeeper.licence_vendor import issue_offline


async def app_center(api: Api, method: str, params: dict[str, Any]) -> httpx.Response:
    payload = {"jsonrpc": "2.0", "id": "k", "method": method, "params": params}
    return await api.rpc("appCenter", {"payload": payload}, auth=OWNER)


async def test_openems_property_names_install_and_update(tmp_path: Path) -> None:
    api = await fresh_demo(tmp_path)
    key = issue_offline(RW, tmp_path).key.formatted()
    response = await app_call(
        api,
        "addAppInstance",
        {
            "appId": RW,
            "key": key,
            "alias": "REST",
            "properties": {"CONTROLLER_ID": "ctrlApiRest0", "API_TIMEOUT": 30},
        },
    )
    assert response.status_code == 200, response.text
    result = response.json()["result"]
    assert result["instanceId"] == result["instance"]["instanceId"]
    assert result["instance"]["properties"] == {"CONTROLLER_ID": "ctrlApiRest0", "API_TIMEOUT": 30}
    assert api.edge.manager.get("ctrlApiRest0").config.api_timeout == 30
    # an older client's name still works, and the instance keeps one name per property
    update = await app_call(
        api,
        "updateAppInstance",
        {"instanceId": result["instanceId"], "properties": {"apiTimeout": 15}},
    )
    assert update.json()["result"]["instance"]["properties"] == {
        "CONTROLLER_ID": "ctrlApiRest0",
        "API_TIMEOUT": 15,
    }
    moved = await app_call(
        api,
        "updateAppInstance",
        {"instanceId": result["instanceId"], "properties": {"CONTROLLER_ID": "ctrlApiRest1"}},
    )
    assert moved.status_code == 400 and "cannot change" in moved.json()["error"]["message"]
    unknown = await app_call(
        api,
        "updateAppInstance",
        {"instanceId": result["instanceId"], "properties": {"API_TIMEOUTS": 5}},
    )
    assert unknown.status_code == 400
    assert "API_TIMEOUTS" in unknown.json()["error"]["message"]
    assert api.edge.manager.get("ctrlApiRest0").config.api_timeout == 15  # nothing half-applied


async def test_assistant_and_descriptor_in_openems_shape(tmp_path: Path) -> None:
    api = await fresh_demo(tmp_path)
    assistant = (await app_call(api, "getAppAssistant", {"appId": RW})).json()["result"]
    assert assistant["name"] and assistant["alias"]
    timeout = next(f for f in assistant["fields"] if f["key"] == "API_TIMEOUT")
    assert timeout["type"] == "input" and timeout["defaultValue"] == 60
    assert timeout["templateOptions"]["type"] == "number"
    assert timeout["templateOptions"]["min"] == 0
    assert (await app_call(api, "getAppDescriptor", {"appId": RW})).json()["result"] == {}
    missing = await app_call(api, "getAppAssistant", {"appId": "App.Nope"})
    assert missing.status_code == 404 and "App.Nope" in missing.json()["error"]["message"]


async def test_key_requests_of_the_ui(tmp_path: Path) -> None:
    api = await fresh_demo(tmp_path)
    key = issue_offline(RW, tmp_path).key.formatted()

    async def applicable(key: str, app_id: str = RW) -> bool:
        reply = await app_center(api, "isKeyApplicable", {"key": key, "appId": app_id})
        result = reply.json()["result"]
        assert result["additionalInfo"]["keyId"] == key  # the UI compares it with its input
        return bool(result["isKeyApplicable"])

    assert await applicable(key)
    assert not await applicable(swap_adjacent_different(key.replace("-", "")))  # a typo
    assert not await applicable(key, RO)  # a key for another app
    free = await app_center(api, "isAppFree", {"appId": "App.Ess.SelfConsumptionOptimization"})
    assert free.json()["result"] == {"isAppFree": True}
    assert (await app_center(api, "getRegisteredKeys", {})).json()["result"] == {"keys": []}

    inner = {
        "jsonrpc": "2.0",
        "id": "i",
        "method": "componentJsonApi",
        "params": {
            "componentId": "_appManager",
            "payload": {
                "jsonrpc": "2.0",
                "id": "a",
                "method": "addAppInstance",
                "params": {"appId": RW, "alias": "", "properties": {}},
            },
        },
    }
    refused = await app_center(api, "installAppWithSuppliedKey", {"installRequest": inner})
    assert refused.status_code == 400 and "licence key" in refused.json()["error"]["message"]
    wrong = await app_center(
        api, "installAppWithSuppliedKey", {"installRequest": {**inner, "method": "getEdges"}}
    )
    assert wrong.status_code == 400 and "componentJsonApi" in wrong.json()["error"]["message"]
    guest = await api.rpc(
        "appCenter",
        {"payload": {"method": "installAppWithSuppliedKey", "params": {"installRequest": inner}}},
        auth={"Authorization": "Basic eDp1c2Vy"},
    )
    assert guest.status_code in (401, 403)
