"""A device added as a register table (the worked example of docs/devices.md), read from a
plain pymodbus server over loopback."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from pymodbus.server import ModbusTcpServer
from pymodbus.simulator import DataType, SimData, SimDevice

from wattkeeper.config.registry import BuildContext, Factory
from wattkeeper.core.clock import SystemClock
from wattkeeper.core.manager import ComponentManager
from wattkeeper.core.state import COMMUNICATION_FAILED
from wattkeeper.drivers.modbus_device import (
    ChannelMapping,
    DeviceMap,
    ModbusConfig,
    RegisterMapMeter,
)
from wattkeeper.natures.meter import MeterType
from wattkeeper.protocols.registers import CodecError, Point, RegisterTable, RegType, WordOrder

# ---- the worked example, as in docs/devices.md -----------------------------------------------
LITTLE = WordOrder.LITTLE

ACME_PM3 = RegisterTable(
    "acme-pm3",
    (
        Point("Voltage", 0, RegType.UINT16, -1, unit="V"),  # 0.1 V
        Point("Current", 1, RegType.UINT16, -2, unit="A"),  # 0.01 A
        Point("Power", 2, RegType.INT32, word_order=LITTLE, unit="W"),  # + import
        Point("Frequency", 4, RegType.UINT16, -2, unit="Hz"),
        Point("ImportWh", 6, RegType.UINT32, 1, word_order=LITTLE, unit="Wh"),  # 10 Wh
        Point("ExportWh", 8, RegType.UINT32, 1, word_order=LITTLE, unit="Wh"),
    ),
)

ACME_MAP = DeviceMap(
    ACME_PM3,
    base=0x1000,
    input_registers=True,
    channels=(
        ChannelMapping("Voltage", "Voltage", 1000),  # V -> mV
        ChannelMapping("Current", "Current"),
        ChannelMapping("ActivePower", "Power"),
        ChannelMapping("Frequency", "Frequency"),
        ChannelMapping("ActiveProductionEnergy", "ImportWh"),  # bought
        ChannelMapping("ActiveConsumptionEnergy", "ExportWh"),  # sold
    ),
)


class AcmeConfig(ModbusConfig):
    type: MeterType = MeterType.GRID


class AcmeMeter(RegisterMapMeter):
    device_map = ACME_MAP


def build(component_id: str, alias: str, config: Any, ctx: BuildContext) -> AcmeMeter:
    return AcmeMeter(component_id, alias, config, ctx.clock, config.type)


FACTORY = Factory("Acme.Meter.PM3", AcmeConfig, build, "Acme PM3 three-phase meter")
# -----------------------------------------------------------------------------------------------

RAW = [
    2301,  # 230.1 V
    1250,  # 12.50 A
    0xF830,  # -2000 W, low word first ...
    0xFFFF,  # ... then the high word
    5002,  # 50.02 Hz
    0,  # unused register
    0x86A0,  # 100000 × 10 Wh, low word
    0x0001,
    0x2710,  # 10000 × 10 Wh
    0x0000,
]


@pytest.fixture
async def acme_port() -> AsyncIterator[int]:
    device = SimDevice(5, simdata=[SimData(0x1000, values=RAW, datatype=DataType.REGISTERS)])
    server = ModbusTcpServer([device], address=("127.0.0.1", 0))
    await server.serve_forever(background=True)
    port = int(server.transport.sockets[0].getsockname()[1])
    yield port
    await server.shutdown()


async def test_worked_example_meter(acme_port: int, tmp_path: Path) -> None:
    ctx = BuildContext(SystemClock(), ComponentManager(), tmp_path)
    config = FACTORY.model.model_validate(
        {"ip": "127.0.0.1", "port": acme_port, "modbus.unitId": 5, "pollPeriodMs": 50}
    )
    meter = FACTORY.build("meter1", "", config, ctx)
    assert isinstance(meter, AcmeMeter)
    ctx.manager.add(meter)
    await meter.start()
    try:
        async with asyncio.timeout(5):
            while meter.value("ActivePower") is None:
                ctx.manager.freeze_process_image(ctx.clock.monotonic())
                await asyncio.sleep(0.01)
        assert meter.value("ActivePower") == -2000  # feeding in
        assert meter.value("Voltage") == 230_100
        assert meter.value("Current") == 12
        assert meter.value("Frequency") == 50
        assert meter.value("ActiveProductionEnergy") == 1_000_000
        assert meter.value("ActiveConsumptionEnergy") == 100_000
        assert not meter.has_state(COMMUNICATION_FAILED)
    finally:
        await meter.stop()


def test_worked_example_on_raw_registers() -> None:
    values = ACME_PM3.decode([2301, 1250, 0xF830, 0xFFFF, 5002, 0, 0x86A0, 1, 0x2710, 0])
    assert values["Power"] == -2000 and values["Voltage"] == 230.1
    assert values["ImportWh"] == 1_000_000


def test_a_mapping_to_a_missing_point_is_caught_early() -> None:
    with pytest.raises(CodecError, match="no point Watts"):
        DeviceMap(ACME_PM3, 0, (ChannelMapping("ActivePower", "Watts"),))
