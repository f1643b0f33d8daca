"""`_Property<Name>` channels: OpenEMS's naming and typing rule, fresh after a config change,
readable by REST and subscribable by websocket."""

from __future__ import annotations

import enum
from typing import Literal

import pytest
from pydantic import SecretStr
from websockets.asyncio.client import connect

from tests.api.conftest import ADMIN, Api
from tests.api.test_websocket import Live
from tests.api.ws_support import WsClient
from tests.conformance.reference import reference
from wattkeeper.config import property_channels as pc
from wattkeeper.core.channel import ChannelType


def test_names_follow_openems_rule() -> None:
    examples = reference()["property_channels"]["naming"]["examples"]
    for attribute, expected in examples.items():
        attribute = attribute.split(" ")[0]  # "modbus.id (Config method modbus_id)"
        assert pc.channel_id(attribute) == expected


class Mode(enum.Enum):
    A = "A"


@pytest.mark.parametrize(
    ("annotation", "value", "expected"),
    [
        (int, 5, ChannelType.INTEGER),
        (int | None, None, ChannelType.INTEGER),
        (float, 1.5, ChannelType.DOUBLE),
        (bool, True, ChannelType.BOOLEAN),
        (str, "x", ChannelType.STRING),
        (Mode, "A", ChannelType.STRING),
        (Literal["GRID", "PRODUCTION"], "GRID", ChannelType.STRING),
        (list[str], ["ess1"], ChannelType.STRING),
        (list[int], [1], ChannelType.INTEGER),
        (list[int], [1, 2], ChannelType.STRING),  # OpenEMS: an array of several is a string
    ],
)
def test_types_follow_openems_rule(annotation, value, expected) -> None:
    assert pc.channel_type(annotation, value) is expected


def test_passwords_and_target_filters_get_no_channel() -> None:
    assert pc.excluded("password", str)
    assert pc.excluded("apiKey", SecretStr | None)
    assert pc.excluded("ess.target", str)
    assert not pc.excluded("ess.id", str)


def test_every_configured_property_is_a_channel(api: Api) -> None:
    edge = api.edge
    checked = 0
    for entry in edge.configurator.entries():
        component = edge.manager.get(entry.id)
        assert component.value("_PropertyId") == entry.id
        assert component.value("_PropertyEnabled") == 1
        for attribute, value in pc.properties_of(component.config).items():
            channel = component.channel(pc.channel_id(attribute))
            assert channel.doc.access.value == "RO" and channel.doc.unit == ""
            expected = pc.channel_value(channel.doc.type, value)
            assert channel.value == expected, channel.address
            checked += 1
    assert checked > 15
    assert edge.manager.channel("ess0/_PropertyCapacity").value == 10_000
    assert edge.manager.channel("charger0/_PropertyEssId").value == "ess0"
    assert edge.manager.channel("_cycle/_PropertyCycleTime").value == 1000


async def test_property_channels_follow_a_config_change_over_rest(api: Api) -> None:
    assert await api.value("ctrlApiRest0/_PropertyApiTimeout") == 60
    reply = await api.rpc(
        "updateComponentConfig",
        {"componentId": "ctrlApiRest0", "properties": [{"name": "apiTimeout", "value": 120}]},
    )
    assert reply.status_code == 200 and "result" in reply.json(), reply.text
    assert await api.value("ctrlApiRest0/_PropertyApiTimeout") == 120
    reply = await api.rpc(
        "updateComponentConfig",
        {"componentId": "ess0", "properties": [{"name": "capacity", "value": 12_000}]},
    )
    assert reply.status_code == 200, reply.text
    assert await api.value("ess0/_PropertyCapacity") == 12_000
    every = (await api.get("/rest/channel/ctrlApiRest0/_Property.*", auth=ADMIN)).json()
    assert {c["address"].split("/")[1] for c in every} >= {
        "_PropertyId", "_PropertyAlias", "_PropertyEnabled", "_PropertyApiTimeout",
        "_PropertyPort", "_PropertyDebugMode",
    }  # fmt: skip
    assert all(c["accessMode"] == "RO" for c in every)


async def test_property_channels_by_websocket_after_a_config_change(live: Live) -> None:
    async with connect(live.url()) as ws:
        client = WsClient(ws)
        await client.login("admin")
        await client.edge(
            "subscribeChannels",
            {"count": 1, "channels": ["ctrlApiRest0/_PropertyApiTimeout", "ess0/_PropertyAlias"]},
        )
        live.step()
        first = await _current_data(client)
        assert first["ctrlApiRest0/_PropertyApiTimeout"] == 60
        assert first["ess0/_PropertyAlias"] == "Home battery"
        reply = await client.edge(
            "updateComponentConfig",
            {"componentId": "ctrlApiRest0", "properties": [{"name": "apiTimeout", "value": 30}]},
        )
        assert "result" in reply, reply
        live.step()
        assert (await _current_data(client))["ctrlApiRest0/_PropertyApiTimeout"] == 30


async def _current_data(client: WsClient) -> dict[str, object]:
    while True:
        message = await client.receive()
        payload = message.get("params", {}).get("payload", {})
        if payload.get("method") == "currentData":
            data: dict[str, object] = payload["params"]
            return data
