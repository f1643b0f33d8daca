"""A device added as a register table (the worked example of docs/devices.md), read from a
plain pymodbus server over loopback, and its freshness rules on in-memory registers."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from pymodbus.server import ModbusTcpServer
from pymodbus.simulator import DataType, SimData, SimDevice

from wattkeeper.bridges.modbus_tcp import ModbusExceptionResponse
from wattkeeper.config.registry import BuildContext, Factory
from wattkeeper.core.clock import SystemClock
from wattkeeper.core.errors import DeviceError
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
from wattkeeper.testing.eventually import eventually
from wattkeeper.testing.fake_clock import FakeClock
from wattkeeper.testing.memory_registers import MemoryRegisters

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


# ---- the same meter on an in-memory transport: the freshness rules, with no socket -----------
def memory_meter(tmp_path: Path) -> tuple[AcmeMeter, MemoryRegisters, FakeClock, BuildContext]:
    clock = FakeClock()
    ctx = BuildContext(clock, ComponentManager(), tmp_path)
    config = FACTORY.model.model_validate({"pollPeriodMs": 1000, "timeoutMs": 500})
    meter = FACTORY.build("meter1", "", config, ctx)
    assert isinstance(meter, AcmeMeter)
    ctx.manager.add(meter)
    registers = MemoryRegisters(input_registers=MemoryRegisters.block(0x1000, RAW))
    meter.link.bridge.client = registers
    return meter, registers, clock, ctx


async def test_a_table_meter_on_memory_registers_reads_and_fails_and_recovers(
    tmp_path: Path,
) -> None:
    meter, registers, clock, ctx = memory_meter(tmp_path)
    bridge = meter.link.bridge
    await meter.start()
    try:
        await eventually(lambda: bridge.polls == 1)
        ctx.manager.freeze_process_image(clock.monotonic())
        assert meter.value("ActivePower") == -2000
        assert meter.value("ActiveProductionEnergy") == 1_000_000
        assert registers.requests == [("read_input", 0x1000, 10)]  # the table in one request
        assert not meter.has_state(COMMUNICATION_FAILED)

        registers.input[0x1002] = 0x07D0  # 2000 W, buying now
        registers.input[0x1003] = 0
        clock.advance(1.0)  # the poll interval
        await eventually(lambda: bridge.polls == 2)
        ctx.manager.freeze_process_image(clock.monotonic())
        assert meter.value("ActivePower") == 2000

        registers.offline = True  # the device is gone
        clock.advance(1.0)
        await eventually(lambda: bridge.failed)
        ctx.manager.freeze_process_image(clock.monotonic())
        assert meter.has_state(COMMUNICATION_FAILED)
        assert meter.value("ActivePower") is None  # no stale value is published

        registers.offline = False
        clock.advance(bridge.backoff_min)  # the first retry comes after the shortest backoff
        await eventually(lambda: bridge.polls == 3)
        ctx.manager.freeze_process_image(clock.monotonic())
        assert not meter.has_state(COMMUNICATION_FAILED)
        assert meter.value("ActivePower") == 2000
    finally:
        await meter.stop()


async def test_a_table_meter_whose_polls_stop_goes_stale_on_the_clock(tmp_path: Path) -> None:
    meter, _registers, clock, ctx = memory_meter(tmp_path)
    await meter.start()
    try:
        await eventually(lambda: meter.link.bridge.polls == 1)
        await meter.link.bridge.stop()  # the task is gone: no poll will come any more
        clock.advance(meter.link.stale_after - 0.1)
        ctx.manager.freeze_process_image(clock.monotonic())
        assert meter.value("ActivePower") == -2000 and not meter.has_state(COMMUNICATION_FAILED)
        clock.advance(0.2)
        ctx.manager.freeze_process_image(clock.monotonic())
        assert meter.value("ActivePower") is None
        assert meter.has_state(COMMUNICATION_FAILED)
    finally:
        await meter.stop()


async def test_memory_registers_answer_like_a_device() -> None:
    registers = MemoryRegisters({40000: 1, 40001: 2}, read_only=[40001])
    assert not registers.connected  # a bridge connects (and runs on_connect) first
    await registers.connect()
    assert await registers.read(40000, 2) == [1, 2]
    with pytest.raises(ModbusExceptionResponse) as missing:
        await registers.read(40001, 2)
    assert missing.value.code == 2  # illegal data address, as a device answers
    await registers.write(40000, [-1])
    assert registers.holding[40000] == 0xFFFF
    with pytest.raises(ModbusExceptionResponse):
        await registers.write(40001, [5])
    registers.offline = True
    with pytest.raises(DeviceError):
        await registers.read(40000, 1)
    assert not registers.connected
