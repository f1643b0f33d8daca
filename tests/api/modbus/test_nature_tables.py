"""Meters and DC chargers in the register map: read with pymodbus where OpenEMS puts them."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from typing import Any

import pytest
from pymodbus.client import AsyncModbusTcpClient

from tests.api.conftest import Api, demo_with_write_access
from tests.api.modbus.conftest import CONTROLLER, RO
from tests.api.modbus.test_modbus_clients import F32, F64
from wattkeeper.config.site import ComponentEntry
from wattkeeper.protocols.openems_modbus import java_string_hash

IDS = ["_sum", "ess0", "meter0", "charger0"]
# _sum from 200 (300 long), ess0 from 500 (OpenemsComponent 80 + SymmetricEss, ManagedSymmetricEss,
# HybridEss 100 each = 380), meter0 from 880 (80 + ElectricityMeter 200), charger0 from 1160.
METER0, CHARGER0 = 880, 1160
METER_TABLE = METER0 + 20 + 80  # after the block header and the OpenemsComponent table
CHARGER_TABLE = CHARGER0 + 20 + 80
#: ElectricityMeter's records (+2 past the table's hash and length): OpenEMS's offsets
METER_RECORDS = {
    "Frequency": 0,
    "ActivePower": 6,
    "ReactivePower": 8,
    "ActiveProductionEnergy": 10,
    "ActiveConsumptionEnergy": 12,
    "Voltage": 14,
    "Current": 16,
    "ActivePowerL1": 100,
    "ActivePowerL2": 102,
    "ActivePowerL3": 104,
    "VoltageL1": 112,
    "CurrentL3": 122,
    "ActiveConsumptionEnergyL3": 134,
}


@pytest.fixture
async def site(make_api: Callable[..., Api]) -> AsyncIterator[tuple[Api, AsyncModbusTcpClient]]:
    config = demo_with_write_access()
    props = {"port": 0, "component.ids": IDS}
    config.components.append(ComponentEntry(id=CONTROLLER, factory=RO, properties=props))
    api = make_api(config)
    api.step(3)
    await api.edge.modbus.start()
    port = api.edge.modbus.servers[CONTROLLER].port
    client = AsyncModbusTcpClient("127.0.0.1", port=port, timeout=2, retries=0)
    assert await client.connect()
    yield api, client
    client.close()
    await api.edge.modbus.stop()


async def _registers(client: AsyncModbusTcpClient, address: int, count: int) -> list[int]:
    reply = await client.read_holding_registers(address, count=count, device_id=1)
    assert not reply.isError(), reply
    return list(reply.registers)


async def _float(client: AsyncModbusTcpClient, address: int, kind: Any = F32) -> Any:
    words = 2 if kind is F32 else 4
    return client.convert_from_registers(await _registers(client, address, words), kind)


async def test_meter_and_charger_blocks_as_openems_lays_them_out(
    site: tuple[Api, AsyncModbusTcpClient],
) -> None:
    api, client = site
    header = await _registers(client, METER0 + 16, 1)
    assert header == [280]
    assert await _registers(client, METER_TABLE, 2) == [java_string_hash("ElectricityMeter"), 200]
    assert await _registers(client, CHARGER0 + 16, 1) == [180]
    assert await _registers(client, CHARGER_TABLE, 2) == [java_string_hash("EssDcCharger"), 100]

    for name, offset in METER_RECORDS.items():
        rest = await api.value(f"meter0/{name}")
        assert rest is not None, name
        # float32 keeps 24 bits: an energy counter may round
        assert await _float(client, METER_TABLE + 2 + offset) == pytest.approx(rest, rel=1e-6), name
    assert await api.value("meter0/ActivePower") != 0  # the evening's grid draw, not a blank

    assert await _float(client, CHARGER_TABLE + 2) == await api.value("charger0/ActualPower")
    energy = await _float(client, CHARGER_TABLE + 4, F64)
    assert energy == await api.value("charger0/ActualEnergy")


async def test_get_modbus_protocol_lists_the_meter_and_the_charger(
    site: tuple[Api, AsyncModbusTcpClient],
) -> None:
    api, _ = site
    response = await api.rpc("getModbusProtocol", {})
    assert response.status_code == 200, response.text
    rows = {row["ref"]: row for row in response.json()["result"]["table"]}
    power = rows[METER_TABLE + 2 + 6]
    assert (power["name"], power["type"], power["unit"], power["access"]) == (
        "meter0/ActivePower",
        "float32",
        "W",
        "RO",
    )
    assert rows[METER_TABLE + 2 + 104]["name"] == "meter0/ActivePowerL3"
    assert rows[METER_TABLE + 2 + 2]["name"] == "Reserved"
    assert rows[CHARGER_TABLE + 2]["name"] == "charger0/ActualPower"
    assert rows[CHARGER_TABLE + 2 + 2]["type"] == "float64"
