"""Every SunSpec table of the code base against the SunSpec Alliance's own parser (pysunspec2).

pysunspec2 builds each model from the official JSON definitions with its own code; these
tests compare every point of our tables with it (name, offset, length, type, scale factor,
access, mandatory flag, symbols) and decode the same registers with both. A hand-typed
table, or a codec that reads a type differently, fails here.
"""

from __future__ import annotations

import ast
import random
import struct
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sunspec2 import device as ss_device

from wattkeeper.protocols.registers import Access, RegisterTable, RegType, decode_raw
from wattkeeper.protocols.sunspec.definitions import repeating_groups, table, table_for_length
from wattkeeper.protocols.sunspec.models import MODELS, SUPPORTED

SRC = Path(__file__).resolve().parents[2] / "src" / "wattkeeper"

#: Repetitions to try per model: none, and a few for models with repeating groups.
VARIANTS: list[tuple[int, dict[str, int]]] = [(m, {}) for m in SUPPORTED] + [
    (160, {"module": 1}),
    (160, {"module": 4}),
    (714, {"Prt": 1}),
    (714, {"Prt": 3}),
    (705, {"Crv": 2, "Crv.Pt": 3}),
]


def flatten(group: Any, prefix: str = "") -> Iterator[tuple[str, Any]]:
    """pysunspec2's points with our path names (`PFWInj.PF`, `module[0].DCA`)."""
    for name, point in group.points.items():
        yield prefix + name, point
    for name, sub in group.groups.items():
        if isinstance(sub, list):
            for index, item in enumerate(sub):
                yield from flatten(item, f"{prefix}{name}[{index}].")
        else:
            yield from flatten(sub, f"{prefix}{name}.")


def random_registers(
    ours: RegisterTable, model_id: int, repeats: dict[str, int], seed: int
) -> list[int]:
    rng = random.Random(seed)
    words = [rng.randrange(0x10000) for _ in range(ours.length)]
    for point in ours.points:
        at = point.offset
        if point.type is RegType.SUNSSF:
            words[at] = 0x8000 if rng.random() < 0.1 else rng.randint(-4, 4) & 0xFFFF
        elif point.type is RegType.COUNT or point.name in ("NPrt", "NCrv", "NPt"):
            words[at] = {
                "N": repeats.get("module", 0),
                "NPrt": repeats.get("Prt", 0),
                "NCrv": repeats.get("Crv", 0),
                "NPt": repeats.get("Crv.Pt", 0),
            }[point.name]
        elif point.type is RegType.STRING:
            text = "wattkeeper"[: point.words * 2].encode().ljust(point.words * 2, b"\0")
            words[at : at + point.words] = [
                int.from_bytes(text[i : i + 2], "big") for i in range(0, len(text), 2)
            ]
        elif point.type is RegType.FLOAT32:
            bits = struct.unpack(">I", struct.pack(">f", rng.uniform(-1e4, 1e4)))[0]
            words[at : at + 2] = [bits >> 16, bits & 0xFFFF]
        elif rng.random() < 0.1:  # some points "not implemented"
            words[at : at + point.words] = (
                {1: [0xFFFF], 2: [0xFFFF, 0xFFFF], 4: [0xFFFF] * 4}[point.words]
                if point.type not in (RegType.INT16, RegType.INT32, RegType.INT64)
                else [0x8000] + [0] * (point.words - 1)
            )
    words[0], words[1] = model_id, ours.length - 2
    return words


def theirs(model_id: int, words: list[int]) -> Any:
    data = b"".join(w.to_bytes(2, "big") for w in words)
    model = ss_device.Model(model_id=model_id, model_len=len(words) - 2, data=data)
    assert model.error_info == "", model.error_info
    return model


@pytest.mark.parametrize(("model_id", "repeats"), VARIANTS, ids=lambda v: str(v))
def test_every_point_matches_the_official_parser(model_id: int, repeats: dict[str, int]) -> None:
    ours = table(model_id, repeats)
    model = theirs(model_id, random_registers(ours, model_id, repeats, model_id))
    official = dict(flatten(model))
    assert [p.name for p in ours.points] == list(official)
    assert ours.length == model.len
    for point in ours.points:
        other = official[point.name]
        pdef = other.pdef
        assert point.offset == other.offset, point.name
        assert point.words == other.len, point.name
        assert point.type.value == pdef["type"], point.name
        assert point.access is (Access.RW if pdef.get("access") == "RW" else Access.R), point.name
        assert point.mandatory == (pdef.get("mandatory") == "M"), point.name
        assert dict(point.symbols) == {s["value"]: s["name"] for s in pdef.get("symbols", ())}
        sf = pdef.get("sf")
        if sf is None:
            assert point.scale is None, point.name
        else:
            # our reference names the very point pysunspec2 resolves (own group, then model)
            target = other.group.points.get(sf) or model.points.get(sf)
            assert ours.point(str(point.scale)).offset == target.offset, point.name


@pytest.mark.parametrize(("model_id", "repeats"), VARIANTS, ids=lambda v: str(v))
@pytest.mark.parametrize("seed", [1, 2, 3])
def test_decoding_agrees_with_the_official_parser(
    model_id: int, repeats: dict[str, int], seed: int
) -> None:
    ours = table(model_id, repeats)
    words = random_registers(ours, model_id, repeats, seed * 1000 + model_id)
    model = theirs(model_id, words)
    official = dict(flatten(model))
    decoded = ours.decode(words)
    for point in ours.points:
        other = official[point.name]
        raw = decode_raw(point, words[point.offset : point.offset + point.words])
        if point.type is RegType.PAD:
            continue
        if point.type is RegType.STRING:
            assert (raw or "") == (other.value or "").strip("\0").strip(), point.name
            continue
        if raw is None or other.value is None:
            assert raw is None and other.value is None, (point.name, raw, other.value)
            assert decoded[point.name] is None
            continue
        if point.type is RegType.FLOAT32:
            assert raw == pytest.approx(other.value, rel=1e-6), point.name
            continue
        assert raw == other.value, point.name
        scale = ours.point(point.scale).name if isinstance(point.scale, str) else None
        if scale is not None and decoded[scale] is None:
            assert decoded[point.name] is None  # pysunspec2 leaves such a value unscaled
            continue
        assert decoded[point.name] == pytest.approx(other.cvalue), point.name


def test_length_from_a_device_derives_the_repetitions() -> None:
    assert table_for_length(160, 8 + 4 * 20).point("module[3].DCEvt").offset == 88
    assert table_for_length(714, 18 + 2 * 25).length == 18 + 2 + 50
    assert table_for_length(704, 65) is MODELS[704]
    assert [g.path for g in repeating_groups(705)] == ["Crv", "Crv.Pt"]


def test_the_lengths_the_issue_names() -> None:
    # pysunspec2 rejected the old hand-typed 702 (48) and 704 (69)
    assert {m: MODELS[m].length - 2 for m in (1, 103, 113, 124, 203, 701, 702, 703, 704, 713)} == {
        1: 66,
        103: 50,
        113: 60,
        124: 24,
        203: 105,
        701: 153,
        702: 50,
        703: 17,
        704: 65,
        713: 7,
    }


def _constructed(path: Path, names: set[str]) -> list[str]:
    found = []
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Call):
            func = node.func
            name = (
                func.id
                if isinstance(func, ast.Name)
                else func.attr
                if isinstance(func, ast.Attribute)
                else ""
            )
            if name in names:
                found.append(f"{path.relative_to(SRC)}:{node.lineno} {name}(...)")
    return found


def test_no_hand_typed_sunspec_table_in_the_code_base() -> None:
    """Points and tables of SunSpec models are only ever built by `definitions.py`: nowhere in
    the SunSpec protocol and driver packages, nor in any simulator module that serves SunSpec
    (other devices' simulators, tables typed from their vendors' documents, are not SunSpec)."""
    places = [*(SRC / "protocols" / "sunspec").rglob("*.py")]
    places += (SRC / "drivers" / "sunspec").rglob("*.py")
    places += (
        path
        for path in (SRC / "simulator").rglob("*.py")
        if "wattkeeper.protocols.sunspec" in path.read_text()
    )
    assert len(places) > 15
    found = []
    for path in sorted(places):
        if path.name != "definitions.py":
            found += _constructed(path, {"Point", "RegisterTable"})
    assert found == []


def test_every_table_the_simulator_serves_is_official() -> None:
    from wattkeeper.simulator.clock import ManualClock
    from wattkeeper.simulator.devices import Layout, storage_inverter
    from wattkeeper.simulator.faults import Faults
    from wattkeeper.simulator.server import DeviceSimulator

    images = [storage_inverter(ManualClock(), Faults(), layout=layout)[0] for layout in Layout]
    images.append(DeviceSimulator(port=0, clock=ManualClock()).meter_image)
    for image in images:
        for slot in image.slots:
            served = slot.state.table
            assert served == table_for_length(slot.model_id, served.length - 2), slot.model_id
