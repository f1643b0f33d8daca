"""The SunSpec session on in-memory registers (no socket): layouts that the simulator does
not produce."""

from __future__ import annotations

import pytest

from wattkeeper.core.errors import DeviceError
from wattkeeper.drivers.sunspec.common import Role, SunSpecSession
from wattkeeper.protocols.registers import ReadRange, encode_value
from wattkeeper.protocols.sunspec.models import INVERTER_FLOAT, INVERTER_MODELS, METER_MODELS
from wattkeeper.testing.memory_registers import MemoryRegisters


def chain(space: MemoryRegisters, base: int, models: list[tuple[int, int]]) -> dict[int, int]:
    space.put(base, [0x5375, 0x6E53])
    address, where = base + 2, {}
    for model_id, length in models:
        space.put(address, [model_id, length, *([0] * length)])
        where[model_id] = address
        address += length + 2
    space.put(address, [0xFFFF, 0])
    return where


async def test_common_without_pad_and_float_inverter_at_base_0() -> None:
    space = MemoryRegisters()
    where = chain(space, 0, [(1, 65), (113, 60)])
    manufacturer = [0x4163, 0x6D65] + [0] * 14  # "Acme"
    space.put(where[1] + 2, manufacturer)
    w = INVERTER_FLOAT.point("W")
    space.put(where[113] + w.offset, encode_value(w, -1500.0))
    session = SunSpecSession([Role("inverter", INVERTER_MODELS)])
    await session.on_connect(space)
    assert session.common["Mn"] == "Acme"
    assert session.common["DA"] == 0
    assert session.blocks["inverter"].model_id == 113
    await session.poll(space)
    assert {kind for kind, _, _ in space.requests} == {"read"}  # holding registers, no writes
    assert session.data["inverter"]["W"] == -1500.0
    assert space.requests[0] == ("read", 40000, 2)  # probed 40000 first, then found it at 0


async def test_optional_role_and_split_plan() -> None:
    space = MemoryRegisters()
    chain(space, 40000, [(1, 66), (203, 105), (124, 24)])
    session = SunSpecSession(
        [Role("meter", METER_MODELS), Role("storage", (124,)), Role("x", (999,), False)]
    )
    await session.on_connect(space)
    assert set(session.blocks) == {"meter", "storage"}
    # 107 + 26 registers > 125: two requests
    assert session.plan == [ReadRange(40070, 107), ReadRange(40177, 26)]
    await session.poll(space)
    assert {kind for kind, _, _ in space.requests} == {"read"}  # holding registers, no writes
    assert session.data["storage"]["ID"] == 124 and session.poll_index == 1


async def test_missing_or_short_models_are_device_errors() -> None:
    space = MemoryRegisters()
    chain(space, 40000, [(1, 66), (124, 20)])
    with pytest.raises(DeviceError, match="L=20, the specification defines 24"):
        await SunSpecSession([Role("storage", (124,))]).on_connect(space)
    with pytest.raises(DeviceError, match="model 103/113/101/111/102/112 not found"):
        await SunSpecSession([Role("inverter", INVERTER_MODELS)]).on_connect(space)
    with pytest.raises(DeviceError, match="not a SunSpec device"):
        await SunSpecSession([Role("storage", (124,))]).on_connect(MemoryRegisters())


async def test_repeating_groups_sized_from_l_and_bounded() -> None:
    space = MemoryRegisters()
    where = chain(space, 40000, [(1, 66), (160, 8 + 2 * 20)])
    space.put(where[160] + 2 + 8 + 20 + 1, [0x5056, 0x2032])  # module[1].IDStr "PV 2"
    session = SunSpecSession([Role("mppt", (160,))])
    await session.on_connect(space)
    assert session.tables["mppt"].length == 10 + 2 * 20
    await session.poll(space)
    assert {kind for kind, _, _ in space.requests} == {"read"}  # holding registers, no writes
    assert session.data["mppt"]["module[1].IDStr"] == "PV 2"
    # a hostile L: 3000 modules would be 60,000 registers to read every second
    space = MemoryRegisters()
    chain(space, 40000, [(1, 66), (160, 60_008)])
    with pytest.raises(DeviceError, match="would repeat module 3000 times"):
        await SunSpecSession([Role("mppt", (160,))]).on_connect(space)
