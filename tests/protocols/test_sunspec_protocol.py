"""SunSpec discovery (sans-I/O) and model tables on raw registers."""

from __future__ import annotations

from collections.abc import Callable

from wattkeeper.protocols.registers import RegType, encode_value, not_implemented
from wattkeeper.protocols.sunspec.discovery import Discovery, ModelBlock
from wattkeeper.protocols.sunspec.models import (
    DER_CAPACITY,
    DER_CTL_AC,
    DER_ENTER_SERVICE,
    DER_MEASURE_AC,
    INVERTER_FLOAT,
    STORAGE,
    WSET_MOD_WATTS,
)

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


# -- DER models 701-704 (official layouts; the findings as regression tests) --------
def test_der_key_offsets() -> None:
    offsets = {name: DER_CTL_AC.point(name).offset for name in DER_CTL_POINTS}
    assert offsets == {
        "WSetEna": 22,
        "WSetMod": 23,
        "WSet": 24,
        "WSetRvrt": 26,
        "WSetPct": 28,  # int16, not int32
        "WSetPctRvrt": 29,
        "WSetEnaRvrt": 30,
        "WSetRvrtTms": 31,  # the old table wrote the timer to 33, WSetRvrtRem (read-only)
        "WSetRvrtRem": 33,
        "WSet_SF": 55,
        "WSetPct_SF": 56,
    }
    assert DER_MEASURE_AC.point("W").offset == 10
    assert DER_MEASURE_AC.point("PF").type is RegType.INT16
    assert DER_MEASURE_AC.point("LLV").type is RegType.UINT16
    assert DER_MEASURE_AC.point("W_SF").offset == 116
    assert DER_CAPACITY.point("WChaRteMax").offset == 34
    assert DER_CAPACITY.point("PFUndExt").offset == 43
    assert DER_CAPACITY.point("W_SF").offset == 45  # not PFUndExt
    assert DER_ENTER_SERVICE.point("ES").offset == 2
    assert STORAGE.point("InOutWRte_RvrtTms").offset == 15


DER_CTL_POINTS = (
    "WSetEna",
    "WSetMod",
    "WSet",
    "WSetRvrt",
    "WSetPct",
    "WSetPctRvrt",
    "WSetEnaRvrt",
    "WSetRvrtTms",
    "WSetRvrtRem",
    "WSet_SF",
    "WSetPct_SF",
)


def _raw_704() -> list[int]:
    words = [0] * DER_CTL_AC.length
    for point in DER_CTL_AC.points:
        words[point.offset : point.offset + point.words] = not_implemented(point)
    words[0], words[1] = 704, 65
    words[22], words[23] = 1, 1  # WSetEna ENABLED, WSetMod WATTS
    words[24:26] = [0xFFFF, (-2500 & 0xFFFF)]  # WSet raw −2500 (int32, high word first)
    words[28] = 455  # WSetPct raw 455
    words[31:33] = [0, 60]  # WSetRvrtTms 60 s
    words[33:35] = [0, 42]  # WSetRvrtRem
    words[55] = 1  # WSet_SF: ×10
    words[56] = -1 & 0xFFFF  # WSetPct_SF: ×0.1
    return words


def test_der_ctl_decodes_raw_registers() -> None:
    values = DER_CTL_AC.decode(_raw_704())
    assert values["WSetEna"] == 1 and values["WSetMod"] == WSET_MOD_WATTS == 1
    assert values["WSet"] == -25_000  # −2500 × 10^1
    assert values["WSetPct"] == 45.5
    assert values["WSetRvrtTms"] == 60 and values["WSetRvrtRem"] == 42
    # not implemented: int32 0x80000000, int16 0x8000, enum16 0xFFFF, uint32 0xFFFFFFFF
    assert values["WSetRvrt"] is None
    assert values["WSetPctRvrt"] is None
    assert values["WSetEnaRvrt"] is None
    assert values["VarSetRvrtTms"] is None
    # a value scaled by a not-implemented factor is None as well
    assert values["VarSet"] is None and values["VarSet_SF"] is None


def test_der_ctl_encodes_with_the_scale_factor() -> None:
    values = DER_CTL_AC.decode(_raw_704())
    assert DER_CTL_AC.encode("WSet", -1230, values) == (24, [0xFFFF, (-123) & 0xFFFF])
    assert DER_CTL_AC.encode("WSetPct", 12.5, values) == (28, [125])
    assert DER_CTL_AC.encode("WSetRvrtTms", 70_000, values) == (31, [1, 70_000 - 65_536])
    assert DER_CTL_AC.encode("WSetEna", 0, values) == (22, [0])


def test_der_measure_sign_scale_and_power_factor() -> None:
    words = [0] * DER_MEASURE_AC.length
    for point in DER_MEASURE_AC.points:
        words[point.offset : point.offset + point.words] = not_implemented(point)
    words[10] = -150 & 0xFFFF  # W raw −150: absorbing (charging)
    words[13] = -95 & 0xFFFF  # PF raw −95
    words[17:19] = [0, 5001]  # Hz raw
    words[19:23] = [0, 0, 0x0001, 0x0000]  # TotWhInj (uint64) 65536
    words[113] = -2 & 0xFFFF  # A_SF (unused here)
    words[115] = -2 & 0xFFFF  # Hz_SF
    words[116] = 1  # W_SF
    words[117] = -2 & 0xFFFF  # PF_SF
    words[120] = 0  # TotWh_SF
    values = DER_MEASURE_AC.decode(words)
    assert values["W"] == -1500 and values["Hz"] == 50.01
    assert values["PF"] == -0.95  # the old uint16 read this as about 655
    assert values["TotWhInj"] == 65536
    assert values["VA"] is None
