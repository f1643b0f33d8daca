"""SunSpec discovery (sans-I/O) and model tables on raw registers."""

from __future__ import annotations

from collections.abc import Callable

from wattkeeper.protocols.registers import encode_value
from wattkeeper.protocols.sunspec.discovery import Discovery, ModelBlock
from wattkeeper.protocols.sunspec.models import COMMON, INVERTER_FLOAT, METER, MODELS, STORAGE

Read = Callable[[int, int], list[int] | None]


def device(base: int, models: list[tuple[int, int]], end: bool = True) -> Read:
    """A register space with the marker at `base` and a chain of (id, length) models."""
    space: dict[int, int] = {base: 0x5375, base + 1: 0x6E53}
    address = base + 2
    for model_id, length in models:
        space[address], space[address + 1] = model_id, length
        for i in range(length):
            space[address + 2 + i] = 0
        address += length + 2
    if end:
        space[address], space[address + 1] = 0xFFFF, 0

    def read(start: int, count: int) -> list[int] | None:
        if any(a not in space for a in range(start, start + count)):
            return None  # illegal address
        return [space[a] for a in range(start, start + count)]

    return read


def run(read: Read) -> Discovery:
    discovery = Discovery()
    requests = 0
    while (request := discovery.next_request()) is not None:
        discovery.feed(read(request.address, request.count))
        requests += 1
        assert requests < 100
    return discovery


def test_discovery_at_40000() -> None:
    found = run(device(40000, [(1, 66), (103, 50), (124, 24)])).result
    assert found is not None
    assert found.base == 40000
    assert found.models == (
        ModelBlock(1, 40002, 66),
        ModelBlock(103, 40070, 50),
        ModelBlock(124, 40122, 24),
    )
    assert found.find(113, 103) == ModelBlock(103, 40070, 50)
    assert found.find(201) is None


def test_discovery_probes_0_then_50000() -> None:
    found = run(device(0, [(1, 65)])).result
    assert found is not None and found.base == 0 and found.ids == [1]
    found = run(device(50000, [(1, 66), (203, 105)])).result
    assert found is not None and found.base == 50000 and found.ids == [1, 203]


def test_discovery_without_marker_fails() -> None:
    discovery = run(lambda address, count: [0x1234, 0x5678])
    assert discovery.result is None
    assert "no SunSpec marker" in discovery.error


def test_chain_ending_without_end_marker() -> None:
    found = run(device(40000, [(1, 66), (124, 24)], end=False)).result
    assert found is not None and found.ids == [1, 124]


def test_model_lengths_match_the_specification() -> None:
    assert COMMON.length == 66 + 2
    assert MODELS[103].length == 50 + 2
    assert INVERTER_FLOAT.length == 60 + 2
    assert STORAGE.length == 24 + 2
    assert METER.length == 105 + 2
    for model_id in (201, 202, 203, 204):
        assert MODELS[model_id] is METER


def test_storage_model_decoding() -> None:
    words = [0] * STORAGE.length
    words[0:2] = [124, 24]

    def put(name: str, raw: int) -> None:
        words[STORAGE.point(name).offset] = raw & 0xFFFF

    put("WChaMax", 500)
    put("WChaMax_SF", 1)  # 5000 W
    put("ChaState", 505)
    put("ChaState_SF", -1)  # 50.5 %
    put("OutWRte", -4000)
    put("InWRte", 4000)
    put("InOutWRte_SF", -2)
    put("ChaSt", 4)
    put("StorCtl_Mod", 3)
    put("InBatV", 0xFFFF)  # not implemented
    put("InBatV_SF", -1)
    put("StorAval", 100)
    put("StorAval_SF", 0x8000)  # scale factor not implemented
    values = STORAGE.decode(words)
    assert values["WChaMax"] == 5000
    assert values["ChaState"] == 50.5
    assert values["OutWRte"] == -40.0
    assert values["InWRte"] == 40.0
    assert values["ChaSt"] == 4
    assert values["StorCtl_Mod"] == 3
    assert values["InBatV"] is None
    assert values["StorAval"] is None
    offset, encoded = STORAGE.encode("InWRte", 12.34, values)
    assert offset == 13 and encoded == [1234]


def test_float_inverter_decoding() -> None:
    words = [0] * INVERTER_FLOAT.length
    words[0:2] = [113, 60]
    point = INVERTER_FLOAT.point("W")
    words[point.offset : point.offset + 2] = encode_value(point, -1500.0)
    hz = INVERTER_FLOAT.point("Hz")
    words[hz.offset : hz.offset + 2] = [0x7FC0, 0]  # NaN
    values = INVERTER_FLOAT.decode(words)
    assert values["W"] == -1500.0
    assert values["Hz"] is None
