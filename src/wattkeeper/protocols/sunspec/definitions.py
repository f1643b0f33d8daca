"""The SunSpec Alliance's model definitions (the JSON shipped in pysunspec2) as register tables.

Every SunSpec table of wattkeeper is built here from the official JSON: point names,
offsets, types, sizes, scale-factor references, access and mandatory flags, symbols and
repeating groups. Nothing is typed by hand, so no copy can drift from the specification.

Points of nested groups are named by their path: `PFWInj.PF` for a group that occurs
once, `module[0].DCA` for the first repetition of a repeating group (0-based, as
pysunspec2 indexes them). A scale factor named by a point is looked up in the point's own
group first, then among the model's top-level points (as the SunSpec specification and
pysunspec2 resolve it).

A repeating group repeats a number of times the device decides: a fixed `count` in the
definition, the value of a count point (`NPrt` in 714), or — with count 0 — as often as
the model length allows (160 `module`). `table(model_id, repeats)` builds the table for
given repetitions; `table_for_length(model_id, length)` derives them from the length L a
device reports for the model, where one group repeats.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Mapping
from dataclasses import dataclass
from importlib import resources
from typing import Any

from wattkeeper.protocols.registers import Access, CodecError, Point, RegisterTable, RegType

#: The package that ships the official definitions (pysunspec2) and where in it they are.
PACKAGE, FOLDER = "sunspec2", "models/json"
#: Most repetitions of a group taken from a device's L (the largest inverters have a few
#: dozen MPPTs): L comes from the network, and a table of 3000 modules is not a device.
MAX_REPEATS = 64

_TYPES = {kind.value: kind for kind in RegType}


@dataclass(frozen=True, slots=True)
class RepeatingGroup:
    """A group whose repetitions the device decides: its path and what counts it."""

    path: str  # e.g. "module", "Crv.Pt"
    count: int | str  # 0: fill the model length; a name: the count point
    length: int  # registers of one repetition (nested repeating groups not counted)


@functools.cache
def definition(model_id: int) -> Mapping[str, Any]:
    """The official JSON definition of a model (raises CodecError if SunSpec has none)."""
    source = resources.files(PACKAGE).joinpath(*FOLDER.split("/"), f"model_{model_id}.json")
    try:
        text = source.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise CodecError(f"SunSpec defines no model {model_id}") from None
    data: Mapping[str, Any] = json.loads(text)
    return data


def repeating_groups(model_id: int) -> tuple[RepeatingGroup, ...]:
    """The groups of a model whose number of repetitions the device decides."""
    found: list[RepeatingGroup] = []

    def walk(group: Mapping[str, Any], path: str) -> None:
        for sub in group.get("groups", ()):
            sub_path = f"{path}.{sub['name']}" if path else str(sub["name"])
            count = sub.get("count", 1)
            if count != 1:
                found.append(RepeatingGroup(sub_path, count, _group_length(sub)))
            walk(sub, sub_path)

    walk(definition(model_id)["group"], "")
    return tuple(found)


def _group_length(group: Mapping[str, Any]) -> int:
    """Registers of one repetition of a group, its fixed (count 1) subgroups included."""
    length = sum(_point_words(p) for p in group.get("points", ()))
    for sub in group.get("groups", ()):
        if sub.get("count", 1) == 1:
            length += _group_length(sub)
    return length


def _point_words(pdef: Mapping[str, Any]) -> int:
    kind = _kind(pdef)
    if kind in (RegType.STRING, RegType.PAD):
        return int(pdef.get("size", 1))
    return kind.words


def _kind(pdef: Mapping[str, Any]) -> RegType:
    try:
        return _TYPES[pdef["type"]]
    except KeyError:
        raise CodecError(f"point {pdef.get('name')}: type {pdef.get('type')} unsupported") from None


@functools.lru_cache(maxsize=256)
def _table(model_id: int, repeats: tuple[tuple[str, int], ...]) -> RegisterTable:
    model = definition(model_id)
    counts = dict(repeats)
    points: list[Point] = []
    top = model["group"]
    top_names = {p["name"] for p in top.get("points", ())}
    offset = 0

    def emit(group: Mapping[str, Any], prefix: str, path: str) -> None:
        nonlocal offset
        own = {p["name"] for p in group.get("points", ())}
        for pdef in group.get("points", ()):
            points.append(_point(pdef, prefix, offset, own, top_names))
            offset += _point_words(pdef)
        for sub in group.get("groups", ()):
            sub_path = f"{path}.{sub['name']}" if path else str(sub["name"])
            count = sub.get("count", 1)
            if count == 1:
                emit(sub, f"{prefix}{sub['name']}.", sub_path)
                continue
            times = count if isinstance(count, int) and count > 0 else counts.get(sub_path, 0)
            for index in range(times):
                emit(sub, f"{prefix}{sub['name']}[{index}].", sub_path)

    emit(top, "", "")
    return RegisterTable(f"model {model_id} ({top['name']})", tuple(points))


def _point(
    pdef: Mapping[str, Any], prefix: str, offset: int, own: set[str], top: set[str]
) -> Point:
    kind = _kind(pdef)
    scale: int | str | None = None
    sf = pdef.get("sf")
    if isinstance(sf, int):
        scale = sf
    elif isinstance(sf, str):
        if sf in own:
            scale = prefix + sf
        elif sf in top:
            scale = sf
        else:
            raise CodecError(f"{prefix}{pdef['name']}: scale factor {sf} not found")
    size = int(pdef.get("size", 1)) if kind in (RegType.STRING, RegType.PAD) else 0
    symbols = {int(s["value"]): str(s["name"]) for s in pdef.get("symbols", ())}
    return Point(
        prefix + str(pdef["name"]),
        offset,
        kind,
        scale,
        Access.RW if pdef.get("access") == "RW" else Access.R,
        unit=str(pdef.get("units", "")),
        size=size,
        text=str(pdef.get("label", "")),
        symbols=symbols,
        mandatory=pdef.get("mandatory") == "M",
    )


def table(model_id: int, repeats: Mapping[str, int] | None = None) -> RegisterTable:
    """The model's table with `repeats` repetitions per repeating group path (default 0)."""
    return _table(model_id, tuple(sorted((repeats or {}).items())))


def fixed_length(model_id: int) -> int:
    """Registers of the model (ID and L included) without any device-decided repetition."""
    return table(model_id).length


def table_for_length(model_id: int, length: int) -> RegisterTable:
    """The table matching the length L a device reports for the model.

    When exactly one top-level group repeats a device-decided number of times, the
    repetitions follow from L; otherwise (no such group, or several, or nested ones) the
    table without repetitions is returned and the caller compares its length with L.
    Raises CodecError for more than `MAX_REPEATS` repetitions.
    """
    groups = [g for g in repeating_groups(model_id) if "." not in g.path]
    nested = [g for g in repeating_groups(model_id) if "." in g.path]
    base = fixed_length(model_id)
    if len(groups) != 1 or nested or groups[0].length == 0:
        return table(model_id)
    group = groups[0]
    times = max(length + 2 - base, 0) // group.length
    if times > MAX_REPEATS:
        raise CodecError(
            f"model {model_id} with L={length} would repeat {group.path} {times} times "
            f"(at most {MAX_REPEATS})"
        )
    return table(model_id, {group.path: times})
