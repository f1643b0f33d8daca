"""POST /jsonrpc: envelope, roles, getEdgeConfig, updateComponentConfig, setChannelValue."""

from __future__ import annotations

import pytest

from tests.api.conftest import ADMIN, GUEST, OWNER


async def test_get_edge_config_lists_components_channels_and_the_rest_port(api) -> None:
    response = await api.rpc("getEdgeConfig", {}, auth=OWNER)
    assert response.status_code == 200
    result = response.json()["result"]
    rest = result["components"]["ctrlApiRest0"]
    assert rest["factoryId"] == "Controller.Api.Rest.ReadWrite"
    assert rest["properties"]["port"] == 8084
    assert rest["properties"]["apiTimeout"] == 60
    assert result["components"]["ess0"]["channels"]["Soc"] == {
        "type": "INTEGER",
        "accessMode": "RO",
        "unit": "%",
        "text": "State of charge, 0..100",
        "category": "OPENEMS_TYPE",
    }
    assert result["components"]["ctrlBalancing0"]["properties"]["ess.id"] == "ess0"
    factory = result["factories"]["Controller.Api.Rest.ReadWrite"]
    assert {
        "id": "apiTimeout",
        "name": "apiTimeout",
        "description": "Seconds; 0: never",
        "isRequired": False,
        "defaultValue": 60,
    } in factory["properties"]


async def test_jsonrpc_and_id_are_optional_and_a_trailing_slash_works(api) -> None:
    response = await api.client.post("/jsonrpc/", json={"method": "getEdgeConfig"}, headers=OWNER)
    assert response.status_code == 200
    body = response.json()
    assert body["jsonrpc"] == "2.0"
    assert "components" in body["result"]
    assert body["id"]


async def test_guest_may_not_use_jsonrpc_over_rest(api) -> None:
    response = await api.rpc("getEdgeConfig", {}, auth=GUEST)
    assert response.status_code == 403
    assert response.json()["error"]["code"] == 1002


@pytest.mark.parametrize(
    ("body", "status", "message"),
    [
        (b"{", 400, "not valid JSON"),
        (b"[]", 400, "must be a JSON object"),
        (b"{}", 400, 'no "method"'),
        (b'{"method": "nope"}', 400, "Unknown JSON-RPC method [nope]"),
        (
            b'{"method": "updateComponentConfig", "params": {"componentId": "nope0", "properties": []}}',
            404,
            "nope0",
        ),
        (
            b'{"method": "updateComponentConfig", "params": {"componentId": "ctrlApiRest0", "properties": [{"name": "apiTimeout", "value": -5}]}}',
            400,
            "apiTimeout",
        ),
        (
            b'{"method": "updateComponentConfig", "params": {"componentId": "ctrlApiRest0", "properties": [{"name": "apiTimout", "value": 5}]}}',
            400,
            "'apiTimout': unknown property",
        ),
        (
            b'{"method": "updateComponentConfig", "params": {"componentId": "ctrlApiRest0", "properties": 5}}',
            400,
            "properties",
        ),
        (b'{"method": "getEdgeConfig", "params": []}', 400, "params"),
    ],
)
async def test_bad_requests(api, body, status, message) -> None:
    response = await api.client.post("/jsonrpc", content=body, headers=ADMIN)
    assert response.status_code == status
    assert message in response.json()["error"]["message"]
    assert api.edge.manager.get("ctrlApiRest0").config.api_timeout == 60


async def test_update_component_config_is_persisted(api) -> None:
    response = await api.rpc(
        "updateComponentConfig",
        {
            "componentId": "ctrlBalancing0",
            "properties": [{"name": "targetGridSetpoint", "value": -300}],
        },
        auth=OWNER,
    )
    assert response.status_code == 200
    assert api.edge.manager.get("ctrlBalancing0").config.target_grid_setpoint == -300
    assert "-300" in (api.edge.data_dir / "state.json").read_text()


async def test_set_channel_value_is_admin_only_and_uses_the_lease(api) -> None:
    params = {"componentId": "ess0", "channelId": "SetActivePowerEquals", "value": 1500}
    assert (await api.rpc("setChannelValue", params, auth=OWNER)).status_code == 403
    assert (await api.rpc("setChannelValue", params, auth=ADMIN)).status_code == 200
    api.step(2)
    assert await api.value("ess0/ActivePower") == 1500
    assert api.edge.api.audit.read()[0]["via"] == "jsonrpc"


async def test_component_json_api_reaches_the_rest_worker(api) -> None:
    await api.post("ess0/SetActivePowerEquals", {"value": 10})
    response = await api.rpc(
        "componentJsonApi",
        {
            "componentId": "ctrlApiRest0",
            "payload": {"method": "getAuditLog", "params": {"limit": 1}},
        },
        auth=OWNER,
    )
    assert response.json()["result"]["entries"][0]["value"] == 10
