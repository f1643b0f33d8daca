"""Removing the Modbus/TCP write app through the App Center puts back what it replaced, no more."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from tests.api.conftest import Api
from tests.api.modbus.test_modbus_apps import CONTROLLER, RO, RW, connect
from tests.api.modbus.test_modbus_clients import f32
from tests.apps.test_app_center import app_call, apps, fresh_demo
from wattkeeper.licence_vendor import issue_offline
from wattkeeper.testing.eventually import eventually


@pytest.fixture
async def api(tmp_path: Path) -> AsyncIterator[Api]:
    made = await fresh_demo(tmp_path)
    await made.edge.modbus.start()
    yield made
    await made.edge.modbus.stop()
    await made.client.aclose()


async def _install(api: Api, app_id: str, **params: Any) -> dict[str, Any]:
    response = await app_call(api, "addAppInstance", {"appId": app_id, **params})
    assert response.status_code == 200, response.text
    instance: dict[str, Any] = response.json()["result"]["instance"]
    return instance


async def _install_write_app(api: Api, tmp_path: Path) -> dict[str, Any]:
    key = issue_offline(RW, tmp_path).key.formatted()
    properties = {"PORT": 0, "COMPONENT_IDS": "_sum, ess0"}
    instance = await _install(api, RW, key=key, properties=properties)
    servers = api.edge.modbus.servers
    await eventually(lambda: CONTROLLER in servers and servers[CONTROLLER].state.writer is not None)
    return instance


async def _remove(api: Api, instance: dict[str, Any]) -> None:
    response = await app_call(api, "deleteAppInstance", {"instanceId": instance["instanceId"]})
    assert response.status_code == 200, response.text


async def test_the_read_only_app_comes_back_as_it_was(api: Api, tmp_path: Path) -> None:
    mine = {"PORT": 0, "COMPONENT_IDS": "_sum, meter0", "ALLOWED_CLIENTS": "127.0.0.1"}
    await _install(api, RO, alias="evcc reads", properties=mine)
    write_app = await _install_write_app(api, tmp_path)
    client = await connect(api)
    assert not (await client.write_registers(706, f32(2000.0))).isError()
    held = api.edge.manager.get(CONTROLLER).held_writes()
    assert [h.address for h in held] == ["ess0/SetActivePowerEquals"]

    await _remove(api, write_app)
    catalog = await apps(api)
    assert catalog[RO]["installed"] and not catalog[RW]["installed"]
    [restored] = api.edge.apps.instances_of(RO)
    assert restored.alias == "evcc reads"
    assert restored.properties["COMPONENT_IDS"] == ["_sum", "meter0"]
    assert restored.properties["ALLOWED_CLIENTS"] == ["127.0.0.1"]
    # the open connection is still served, now from the read-only map
    await eventually(lambda: api.edge.modbus.servers[CONTROLLER].state.writer is None)
    api.step()
    assert (await client.read_holding_registers(0, count=1)).registers == [0x6201]
    block = await client.read_holding_registers(500, count=16)
    assert bytes(b for w in block.registers for b in w.to_bytes(2)).rstrip(b"\0") == b"meter0"
    assert (await client.write_registers(706, f32(1000.0))).exception_code == 1
    assert api.edge.manager.find(CONTROLLER) is not None
    assert api.edge.manager.get(CONTROLLER).factory_id == "Controller.Api.ModbusTcp.ReadOnly"
    client.close()
    # kept in the state file: an edge restarted before the removal would restore it too
    [stored] = [i for i in api.edge.apps.store.load() if i.app_id == RO]
    assert stored.properties == restored.properties


async def test_the_write_app_alone_leaves_modbus_off(api: Api, tmp_path: Path) -> None:
    write_app = await _install_write_app(api, tmp_path)
    port = api.edge.modbus.servers[CONTROLLER].port
    stored = [i for i in api.edge.apps.store.load() if i.app_id == RW]
    assert [i.replaced for i in stored] == [[]]

    await _remove(api, write_app)
    catalog = await apps(api)
    assert not catalog[RO]["installed"] and not catalog[RW]["installed"]
    await eventually(lambda: CONTROLLER not in api.edge.modbus.servers)
    with pytest.raises(OSError):  # no port the user did not ask for stays open
        await asyncio.open_connection("127.0.0.1", port)
    await _install(api, RO, properties={"PORT": 0})  # read access alone is one install away
    client = await connect(api)
    assert (await client.read_holding_registers(0, count=1)).registers == [0x6201]
    client.close()


async def test_a_restore_that_fails_keeps_the_write_app(api: Api, tmp_path: Path) -> None:
    await _install(api, RO, properties={"PORT": 0})
    write_app = await _install_write_app(api, tmp_path)
    [instance] = api.edge.apps.instances_of(RW)
    instance.replaced[0].properties["PORT"] = -1  # e.g. a state file from a looser version

    response = await app_call(api, "deleteAppInstance", {"instanceId": write_app["instanceId"]})
    assert response.status_code == 400 and "PORT" in response.text
    assert [i.instance_id for i in api.edge.apps.instances_of(RW)] == [write_app["instanceId"]]
    assert api.edge.apps.instances_of(RO) == []
    controller = api.edge.manager.get(CONTROLLER)
    assert controller.factory_id == "Controller.Api.ModbusTcp.ReadWrite"
