"""Home Assistant's `ha_openems` integration, replayed against a real edge on loopback.

The requests are the integration's own (its `openems.py`), sent with its transport library
(`jsonrpc-websocket`): login, getEdges, getEdgeConfig, getChannelsOfComponent for each component,
the `_PropertyAlias` read, `_host/getSystemUpdateState`, a 60-channel subscription, and a REST
write to the port the REST controller's configuration names."""

from __future__ import annotations

import asyncio
import uuid
from typing import Any

import httpx
from jsonrpc_websocket import Server

from tests.clients.conftest import Served, reference_unit

# the integration's default-enabled channels (its config/default_channels.json) on this site
DEFAULT_CHANNELS = {
    "_sum": [
        "ConsumptionActivePower", "ConsumptionActivePowerL1", "ConsumptionActivePowerL2",
        "ConsumptionActivePowerL3", "ConsumptionMaxActivePower", "EssActivePower",
        "EssActivePowerL1", "EssActivePowerL2", "EssActivePowerL3", "EssMaxDischargePower",
        "EssMinDischargePower", "EssSoc", "GridActivePower", "GridActivePowerL1",
        "GridActivePowerL2", "GridActivePowerL3", "GridMaxActivePower", "GridMinActivePower",
        "GridMode", "ProductionAcActivePower", "ProductionActivePower",
        "ProductionDcActualPower", "ProductionMaxActivePower", "State",
    ],
    "charger0": ["ActualPower"],
    "ctrlEmergencyCapacityReserve0": ["_PropertyIsReserveSocEnabled", "_PropertyReserveSoc"],
    "ess0": ["Capacity", "DcDischargePower", "Soc"],
    "meter0": ["ActivePower", "ActivePowerL1", "ActivePowerL2", "ActivePowerL3"],
    "meter1": ["ActivePower", "ActivePowerL1", "ActivePowerL2", "ActivePowerL3"],
    "meter2": ["ActivePower", "ActivePowerL1", "ActivePowerL2", "ActivePowerL3"],
}  # fmt: skip
# entities a user enables on top, up to the 60 channels of the replay
EXTRA_CHANNELS = {
    "ess0": ["ActivePower", "DcChargeEnergy", "DcDischargeEnergy", "AllowedChargePower"],
    "meter0": [
        "VoltageL1", "VoltageL2", "VoltageL3", "CurrentL1", "CurrentL2", "CurrentL3",
        "Frequency", "ActiveProductionEnergy",
    ],
    "charger0": ["Voltage", "Current"],
    "_sum": ["GridBuyActiveEnergy", "GridSellActiveEnergy"],
    "_cycle": ["MeasuredCycleTime"],
    "_meta": ["SystemTimeUtc"],
}  # fmt: skip


def envelope(method: str, **params: Any) -> dict[str, Any]:
    return {"jsonrpc": "2.0", "method": method, "params": params, "id": str(uuid.uuid4())}


async def test_home_assistant_integration_sets_up_and_reads_numbers(served: Served) -> None:
    server = Server(served.ws_url, session=None, heartbeat=5)
    updates: list[dict[str, Any]] = []
    received = asyncio.Event()

    def edge_rpc(**kwargs: Any) -> None:  # the integration's callback for pushed edgeRpc
        payload = kwargs["payload"]
        if payload["method"] == "currentData":
            updates.append(payload["params"])
            received.set()

    server.edgeRpc = edge_rpc
    await server.ws_connect()
    try:
        login = await server.authenticateWithPassword(username="owner", password="owner")
        # (`user.hasMultipleEdges` belongs to the authenticate reply's shape, another change)
        assert login["user"]["globalRole"] == "owner" and login["token"]
        edges = await server.getEdges(page=0, limit=20, searchParams={})
        edge_id = edges["edges"][0]["id"]

        reply = await server.edgeRpc(edgeId=edge_id, payload=envelope("getEdgeConfig"))
        components = reply["payload"]["result"]["components"]
        assert {"_sum", "_host", "_meta", "_cycle", "ess0", "charger0", "meter0"} <= set(components)
        for component_id in list(components):
            call = envelope(
                "componentJsonApi",
                componentId="_componentManager",
                payload=envelope("getChannelsOfComponent", componentId=component_id),
            )
            reply = await server.edgeRpc(edgeId=edge_id, payload=call)
            channels = reply["payload"]["result"]["channels"]
            components[component_id]["channels"] = channels
            natures = served.edge.manager.get(component_id).nature_ids()
            for channel in channels:
                unit = reference_unit(natures, channel["id"])
                assert unit is None or channel["unit"] == unit, (component_id, channel)
        # the integration finds every component's alias through its `_PropertyAlias` channel
        alias_components = [
            name
            for name, component in components.items()
            if any(c["id"] == "_PropertyAlias" for c in component["channels"])
        ]
        assert {"ess0", "charger0", "meter0", "ctrlApiRest0"} <= set(alias_components)
        info = await _values_via_second_connection(
            served, edge_id, ["_host/Hostname"] + [f"{c}/_PropertyAlias" for c in alias_components]
        )
        assert isinstance(info["_host/Hostname"], str) and info["_host/Hostname"]
        assert info["ess0/_PropertyAlias"] == "Home battery"

        call = envelope(
            "componentJsonApi", componentId="_host", payload=envelope("getSystemUpdateState")
        )
        update = (await server.edgeRpc(edgeId=edge_id, payload=call))["payload"]["result"]
        assert list(update) == ["updated"] and update["updated"]["version"]

        subscribed = [
            f"{component}/{channel}"
            for table in (DEFAULT_CHANNELS, EXTRA_CHANNELS)
            for component, names in table.items()
            for channel in names
        ]
        assert len(subscribed) == 60
        await server.subscribeEdges(edges=[edge_id])
        await server.edgeRpc(
            edgeId=edge_id, payload=envelope("subscribeChannels", count=0, channels=subscribed)
        )
        await asyncio.wait_for(received.wait(), 5)
        data = updates[-1]
        assert set(data) == set(subscribed)
        for address in subscribed:
            value = data[address]
            assert isinstance(value, int | float) and not isinstance(value, bool), (address, value)
        assert 0 <= data["_sum/State"] <= 3 and data["_sum/GridMode"] == 1
        assert data["meter0/Frequency"] == 50_000  # mHz
        assert 200_000 < data["meter0/VoltageL1"] < 260_000  # mV
        assert data["charger0/ActualPower"] > 0 and data["charger0/Voltage"] > 100_000  # noon

        # the integration builds its REST URL from the REST controller's `port` property
        port = components["ctrlApiRest0"]["properties"]["port"]
        assert port == served.port
        async with httpx.AsyncClient(auth=("x", "owner")) as client:
            response = await client.post(
                f"http://127.0.0.1:{port}/rest/channel/ess0/SetActivePowerEquals",
                json={"value": 1200},
            )
        assert response.status_code == 200, response.text
        deadline = asyncio.get_running_loop().time() + 5
        while served.value("ess0/DebugSetActivePower") != 1200:
            assert asyncio.get_running_loop().time() < deadline
            await asyncio.sleep(0.02)
    finally:
        await server.close()


async def _values_via_second_connection(
    served: Served, edge_id: str, channels: list[str]
) -> dict[str, Any]:
    """The integration's `get_channel_values_via_websocket`: a fresh login, one subscription,
    the first currentData, close."""
    server = Server(served.ws_url, session=None, heartbeat=5)
    await server.ws_connect()
    data: dict[str, Any] = {}
    received = asyncio.Event()

    def callback(**kwargs: Any) -> None:
        if kwargs["payload"]["method"] == "currentData":
            data.update(kwargs["payload"]["params"])
            received.set()

    try:
        await server.authenticateWithPassword(username="owner", password="owner")
        server.edgeRpc = callback
        await server.subscribeEdges(edges=[edge_id])
        await server.edgeRpc(
            edgeId=edge_id, payload=envelope("subscribeChannels", count=0, channels=channels)
        )
        await asyncio.wait_for(received.wait(), 5)
    finally:
        await server.close()
    return data
