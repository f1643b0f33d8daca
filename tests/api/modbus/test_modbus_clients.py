"""Real Modbus/TCP clients (pymodbus) on loopback: reads as evcc does, writes through the gate."""

from __future__ import annotations

import asyncio
import struct
from typing import Any

from pymodbus.client import AsyncModbusTcpClient

from tests.api.modbus.conftest import RO, ModbusSite
from wattkeeper.testing.eventually import eventually

F32 = AsyncModbusTcpClient.DATATYPE.FLOAT32
U16 = AsyncModbusTcpClient.DATATYPE.UINT16
F64 = AsyncModbusTcpClient.DATATYPE.FLOAT64


def f32(value: float) -> list[int]:
    raw = struct.pack(">f", value)
    return [int.from_bytes(raw[:2], "big"), int.from_bytes(raw[2:], "big")]


async def read_f32(client: AsyncModbusTcpClient, address: int, holding: bool = True) -> Any:
    read = client.read_holding_registers if holding else client.read_input_registers
    reply = await read(address, count=2, device_id=1)
    assert not reply.isError(), reply
    return client.convert_from_registers(reply.registers, F32)


async def test_marker_meta_block_and_sum_as_evcc_reads_them(modbus: ModbusSite) -> None:
    client = await modbus.client()
    reply = await client.read_holding_registers(0, count=2, device_id=1)
    assert reply.registers == [0x6201, 199]
    meta = await client.read_input_registers(1, count=100, device_id=1)
    text = client.convert_from_registers(meta.registers[4:20], AsyncModbusTcpClient.DATATYPE.STRING)
    assert str(text).rstrip("\0") == "wattkeeper"
    soc = await client.read_input_registers(302, count=1, device_id=1)
    assert soc.registers[0] == modbus.value("_sum/EssSoc")
    assert await read_f32(client, 315, holding=False) == modbus.value("_sum/GridActivePower")
    assert await read_f32(client, 327) == modbus.value("_sum/ProductionActivePower")
    assert await read_f32(client, 415) == modbus.value("_sum/EssDischargePower")
    block = await client.read_holding_registers(200, count=100, device_id=1)
    assert len(block.registers) == 100
    assert block.registers[16] == 300


async def test_float32_3000_at_706_moves_the_battery_and_the_lease_expires(
    modbus: ModbusSite,
) -> None:
    client = await modbus.client()
    reply = await client.write_registers(706, f32(3000.0), device_id=1)
    assert not reply.isError(), reply
    held = modbus.controller.held_writes()
    assert [(h.address, h.value, h.remote) for h in held] == [
        ("ess0/SetActivePowerEquals", 3000, "127.0.0.1")
    ]
    modbus.step(2)  # applied in the next cycle, measured in the one after
    assert modbus.value("ess0/ActivePower") == 3000
    assert await read_f32(client, 604) == 3000.0  # ess0/ActivePower
    assert await read_f32(client, 706) != await read_f32(client, 706)  # write-only: NaN
    entry = modbus.edge.api.audit.read(1)[0]
    assert (entry["channel"], entry["value"], entry["via"], entry["remote"]) == (
        "ess0/SetActivePowerEquals",
        3000,
        "modbus",
        "127.0.0.1",
    )
    modbus.step(57)  # 59 s after the write
    assert modbus.value("ess0/ActivePower") == 3000
    assert modbus.value("ctrlApiModbusTcp0/OverrideRemaining") == 1
    modbus.step(2)
    assert modbus.controller.held_writes() == []
    modbus.step(2)
    assert modbus.value("ess0/ActivePower") != 3000  # self-consumption took over again
    # the REST write API's lease is another one: nothing of this was held there
    assert modbus.edge.api.write_gate() is None


async def test_two_single_register_writes_make_one_setpoint(modbus: ModbusSite) -> None:
    client = await modbus.client()
    high, low = f32(-2000.0)
    assert not (await client.write_register(710, high, device_id=1)).isError()
    assert modbus.controller.held_writes() == []  # half a float is not a value yet
    assert not (await client.write_register(711, low, device_id=1)).isError()
    held = modbus.controller.held_writes()
    assert [(h.address, h.value) for h in held] == [("ess0/SetActivePowerLessOrEquals", -2000)]
    nan = f32(float("nan"))
    assert not (await client.write_registers(710, nan, device_id=1)).isError()
    assert modbus.controller.held_writes() == []  # NaN, OpenEMS's "undefined", releases


async def test_nothing_is_written_without_the_write_app(make_modbus: Any) -> None:
    modbus = await make_modbus(RO)
    client = await modbus.client()
    reply = await client.write_registers(706, f32(3000.0), device_id=1)
    assert reply.isError() and reply.exception_code == 1  # ILLEGAL FUNCTION
    reply = await client.write_register(706, 0x4500, device_id=1)
    assert reply.isError() and reply.exception_code == 1
    modbus.step(2)
    assert modbus.value("ess0/DebugSetActivePower") != 3000
    assert modbus.edge.api.audit.read(10) == []
    reads = await client.read_holding_registers(302, count=1, device_id=1)
    assert reads.registers == [modbus.value("_sum/EssSoc")]  # reading still works


async def test_refused_writes_answer_an_exception_and_hold_nothing(modbus: ModbusSite) -> None:
    client = await modbus.client()
    read_only = await client.write_registers(302, [1], device_id=1)
    assert read_only.exception_code == 2  # ILLEGAL DATA ADDRESS: _sum/EssSoc is read-only
    reactive = await client.write_registers(708, f32(500.0), device_id=1)
    assert reactive.exception_code == 3  # a home battery has no reactive-power control
    huge = await client.write_registers(706, f32(3e38), device_id=1)
    assert huge.exception_code == 3  # out of range for the INTEGER channel
    mixed = await client.write_registers(704, f32(1.0) + f32(1000.0), device_id=1)
    assert mixed.exception_code == 2  # 704 is computed: the whole request is refused
    both = await client.write_registers(706, f32(3000.0) + f32(500.0), device_id=1)
    assert both.exception_code == 3  # the reactive half is refused, so the active half too
    assert modbus.controller.held_writes() == []


async def test_the_connection_beyond_the_limit_is_refused(make_modbus: Any) -> None:
    modbus = await make_modbus(maxConcurrentConnections=2)
    first, second = await modbus.client(), await modbus.client()
    for client in (first, second):
        assert (await client.read_holding_registers(0, count=1, device_id=1)).registers == [0x6201]
    reader, writer = await modbus.raw()
    writer.write(bytes.fromhex("000100000006010300000001"))
    assert await asyncio.wait_for(reader.read(100), 2) == b""  # closed without an answer
    writer.close()
    assert modbus.edge.modbus.servers["ctrlApiModbusTcp0"].state.refused == 1
    first.close()
    server = modbus.edge.modbus.servers["ctrlApiModbusTcp0"]
    await eventually(lambda: len(server.state.connections) == 1)  # a slot is free again
    third = await modbus.client()
    assert (await third.read_holding_registers(0, count=1, device_id=1)).registers == [0x6201]


async def test_an_address_outside_the_allow_list_is_refused(make_modbus: Any) -> None:
    modbus = await make_modbus(allowedClients=["192.168.0.0/24"])
    reader, writer = await modbus.raw()
    writer.write(bytes.fromhex("000100000006010300000001"))
    assert await asyncio.wait_for(reader.read(100), 2) == b""
    writer.close()
    allowed = await make_modbus(allowedClients=["127.0.0.1"])
    client = await allowed.client()
    assert (await client.read_holding_registers(0, count=1, device_id=1)).registers == [0x6201]


async def exchange(modbus: ModbusSite, frame: str) -> bytes:
    reader, writer = await modbus.raw()
    try:
        writer.write(bytes.fromhex(frame))
        return await asyncio.wait_for(reader.read(300), 2)
    finally:
        writer.close()


async def test_malformed_frames_crash_nothing(modbus: ModbusSite) -> None:
    # unknown function (0x2B, device identification): ILLEGAL FUNCTION
    assert await exchange(modbus, "00070000000501 2b0e0100".replace(" ", "")) == bytes.fromhex(
        "000700000003 01 ab 01".replace(" ", "")
    )
    # 0 and 126 registers: ILLEGAL DATA VALUE
    assert (await exchange(modbus, "000800000006010300000000"))[7:] == bytes.fromhex("8303")
    assert (await exchange(modbus, "00080000000601030000007e"))[7:] == bytes.fromhex("8303")
    # a read that ends inside a float32: ILLEGAL DATA ADDRESS, as OpenEMS
    assert (await exchange(modbus, "000900000006010301 2f0001".replace(" ", "")))[7:] == (
        bytes.fromhex("8302")
    )
    # a write whose byte count lies: ILLEGAL DATA VALUE
    assert (await exchange(modbus, "000a0000000b011002c20002060000 0000".replace(" ", "")))[
        7:9
    ] == bytes.fromhex("9003")
    # not Modbus/TCP (protocol id 1, a length beyond 254, HTTP): closed, no answer
    assert await exchange(modbus, "000100010006010300000001") == b""
    assert await exchange(modbus, "00010000ffff010300000001") == b""
    assert await exchange(modbus, "474554202f20485454502f312e310d0a0d0a") == b""
    # a unit id nobody answers for
    assert (await exchange(modbus, "000b00000006070300000001"))[7:] == bytes.fromhex("830b")
    client = await modbus.client()  # and the server still serves
    assert (await client.read_holding_registers(0, count=1, device_id=1)).registers == [0x6201]
    modbus.step()


async def test_a_flood_is_paced_not_served_at_once(make_modbus: Any) -> None:
    modbus = await make_modbus()
    server = modbus.edge.modbus.servers["ctrlApiModbusTcp0"]
    server.state.limits.rate, server.state.limits.burst = 20.0, 2
    reader, writer = await modbus.raw()
    frames = b"".join(
        bytes.fromhex(f"{i:04x}0000000601030000 0001".replace(" ", "")) for i in range(5)
    )
    loop = asyncio.get_running_loop()
    started = loop.time()
    writer.write(frames)
    answers = b""
    while len(answers) < 5 * 11:
        answers += await asyncio.wait_for(reader.read(300), 2)
    writer.close()
    # two at once, then one per 50 ms: three more take at least 150 ms
    assert loop.time() - started >= 0.14


#: alpenfun/Fenecon-FEMS (custom_components/fems/const.py): what the Home Assistant integration
#: reads, with its types, as `asyncio.gather` of single reads on one connection
FEMS_UINT16_INPUT = {"_sum/EssSoc": 302}
FEMS_FLOAT32_HOLDING = {
    "_sum/EssActivePower": 303,
    "_sum/GridActivePower": 315,
    "_sum/ProductionDcActualPower": 339,
    "_sum/ConsumptionActivePower": 343,
    "_sum/EssActivePowerL1": 391,
    "_sum/EssActivePowerL2": 393,
    "_sum/EssActivePowerL3": 395,
    "_sum/GridActivePowerL1": 397,
    "_sum/GridActivePowerL2": 399,
    "_sum/GridActivePowerL3": 401,
    "_sum/ConsumptionActivePowerL1": 409,
    "_sum/ConsumptionActivePowerL2": 411,
    "_sum/ConsumptionActivePowerL3": 413,
    "_sum/EssDischargePower": 415,
}
FEMS_FLOAT64_HOLDING = {
    "_sum/EssActiveChargeEnergy": 351,
    "_sum/EssActiveDischargeEnergy": 355,
    "_sum/GridBuyActiveEnergy": 359,
    "_sum/GridSellActiveEnergy": 363,
    "_sum/ProductionActiveEnergy": 367,
    "_sum/ConsumptionActiveEnergy": 379,
    "_sum/EssDcChargeEnergy": 383,
    "_sum/EssDcDischargeEnergy": 387,
}


async def test_the_fems_home_assistant_integration_reads_in_parallel(modbus: ModbusSite) -> None:
    modbus.step(5)
    client = await modbus.client()
    uint16 = [client.read_input_registers(a, count=1) for a in FEMS_UINT16_INPUT.values()]
    f32s = [client.read_holding_registers(a, count=2) for a in FEMS_FLOAT32_HOLDING.values()]
    f64s = [client.read_holding_registers(a, count=4) for a in FEMS_FLOAT64_HOLDING.values()]
    replies = await asyncio.gather(*uint16, *f32s, *f64s)
    assert not any(reply.isError() for reply in replies)
    expected = [*FEMS_UINT16_INPUT, *FEMS_FLOAT32_HOLDING, *FEMS_FLOAT64_HOLDING]
    kinds = [U16] * len(uint16) + [F32] * len(f32s) + [F64] * len(f64s)
    for address, reply, kind in zip(expected, replies, kinds, strict=True):
        value = modbus.value(address)
        got = client.convert_from_registers(reply.registers, kind)
        if value is None:
            assert got != got, address  # NaN
        else:
            assert got == value, address
