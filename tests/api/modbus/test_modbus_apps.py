"""The App Center installs, configures and removes both Modbus/TCP apps on a running edge."""

from __future__ import annotations

import asyncio
from pathlib import Path

from pymodbus.client import AsyncModbusTcpClient

from tests.api.conftest import Api
from tests.api.modbus.test_modbus_clients import f32
from tests.apps.test_app_center import app_call, apps, fresh_demo
from wattkeeper.licence_vendor import issue_offline
from wattkeeper.testing.eventually import eventually

RO = "App.Api.ModbusTcp.ReadOnly"
RW = "App.Api.ModbusTcp.ReadWrite"
CONTROLLER = "ctrlApiModbusTcp0"


async def connect(api: Api) -> AsyncModbusTcpClient:
    await eventually(lambda: CONTROLLER in api.edge.modbus.servers)
    port = api.edge.modbus.servers[CONTROLLER].port
    client = AsyncModbusTcpClient("127.0.0.1", port=port, timeout=2, retries=0)
    assert await client.connect()
    return client


async def test_install_configure_and_remove_both_apps(tmp_path: Path) -> None:
    api = await fresh_demo(tmp_path)
    await api.edge.modbus.start()
    try:
        catalog = await apps(api)
        assert not catalog[RO]["licensed"] and catalog[RW]["licensed"]
        for app_id in (RO, RW):
            assert "Modbus has no login" in catalog[app_id]["description"]
            names = {p["name"] for p in catalog[app_id]["properties"]}
            assert {"CONTROLLER_ID", "COMPONENT_IDS", "PORT", "ALLOWED_CLIENTS"} <= names
        defaults = {p["name"]: p["defaultValue"] for p in catalog[RO]["properties"]}
        assert defaults["PORT"] == 502 and defaults["MAX_CONCURRENT_CONNECTIONS"] == 5

        response = await app_call(api, "addAppInstance", {"appId": RO, "properties": {"PORT": 0}})
        assert response.status_code == 200, response.text
        client = await connect(api)
        assert (await client.read_holding_registers(0, count=1)).registers == [0x6201]
        refused = await client.write_registers(706, f32(1000.0))
        assert refused.exception_code == 1
        client.close()

        key = issue_offline(RW, tmp_path).key.formatted()
        properties = {"PORT": 0, "API_TIMEOUT": 10, "COMPONENT_IDS": "_sum, ess0"}
        response = await app_call(
            api, "addAppInstance", {"appId": RW, "key": key, "properties": properties}
        )
        assert response.status_code == 200, response.text
        instance = response.json()["result"]["instance"]
        catalog = await apps(api)
        assert catalog[RW]["installed"] and not catalog[RO]["installed"]
        await eventually(lambda: api.edge.modbus.servers[CONTROLLER].state.writer is not None)
        client = await connect(api)
        assert not (await client.write_registers(706, f32(3000.0))).isError()
        api.step(2)
        assert await api.value("ess0/ActivePower") == 3000
        api.step(9)  # 11 s: the app's timeout of 10 s ran out
        assert api.edge.manager.get(CONTROLLER).held_writes() == []
        client.close()

        # the protocol table, as OpenEMS's UI asks for it
        table = await api.rpc(
            "componentJsonApi",
            {"componentId": CONTROLLER, "payload": {"method": "getModbusProtocol"}},
        )
        assert table.status_code == 200, table.text
        rows = {row["ref"]: row for row in table.json()["result"]["table"]}
        assert rows[706] == {
            "ref": 706,
            "name": "ess0/SetActivePowerEquals",
            "value": rows[706]["value"],
            "unit": "W",
            "type": "float32",
            "access": "WO",
        }
        assert rows[0]["value"] == '"25089"' and rows[302]["name"] == "_sum/EssSoc"
        direct = await api.rpc("getModbusProtocol", {})
        assert direct.json()["result"]["table"] == table.json()["result"]["table"]

        response = await app_call(
            api,
            "updateAppInstance",
            {"instanceId": instance["instanceId"], "properties": {"ALLOWED_CLIENTS": "10.0.0.1"}},
        )
        assert response.status_code == 200, response.text
        await eventually(
            lambda: api.edge.modbus.servers[CONTROLLER].state.limits.allowed == ("10.0.0.1",)
        )
        port = api.edge.modbus.servers[CONTROLLER].port
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        writer.write(bytes.fromhex("000100000006010300000001"))
        assert await asyncio.wait_for(reader.read(100), 2) == b""
        writer.close()

        bad = await app_call(
            api,
            "updateAppInstance",
            {"instanceId": instance["instanceId"], "properties": {"ALLOWED_CLIENTS": "nope"}},
        )
        assert bad.status_code == 400 and "'nope' is not an IP address" in bad.text

        response = await app_call(api, "deleteAppInstance", {"instanceId": instance["instanceId"]})
        assert response.status_code == 200, response.text
        # the read-only app it replaced is back (test_modbus_app_removal.py); removing it too
        # turns Modbus off
        [read_only] = api.edge.apps.instances_of(RO)
        response = await app_call(api, "deleteAppInstance", {"instanceId": read_only.instance_id})
        assert response.status_code == 200, response.text
        await eventually(lambda: CONTROLLER not in api.edge.modbus.servers)
        try:
            await asyncio.open_connection("127.0.0.1", port)
            raise AssertionError("the port still answers")
        except OSError:
            pass
    finally:
        await api.edge.modbus.stop()
        await api.client.aclose()
