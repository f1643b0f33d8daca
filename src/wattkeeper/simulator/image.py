"""A SunSpec register image: models rendered into registers, writes decoded back."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Protocol

from wattkeeper.protocols.registers import (
    Decoded,
    Point,
    RegisterTable,
    RegType,
    apply_scale,
    decode_raw,
    encode_value,
    not_implemented,
)
from wattkeeper.protocols.sunspec.discovery import END_ID, MARKER
from wattkeeper.simulator.faults import WriteRefused

BASE = 40000


class ModelState(Protocol):
    table: RegisterTable

    def values(self) -> Mapping[str, Decoded]: ...


def render(table: RegisterTable, values: Mapping[str, Decoded], model_id: int) -> list[int]:
    """The registers of a model from engineering values; missing values are "not implemented"."""
    words = [0] * table.length
    for point in table.points:
        if point.name == "ID":
            encoded = [model_id]
        elif point.name == "L":
            encoded = [table.length - 2]
        else:
            value = values.get(point.name)
            encoded = _encode(point, value, values)
        words[point.offset : point.offset + point.words] = encoded
    return words


def _encode(point: Point, value: Decoded, values: Mapping[str, Decoded]) -> list[int]:
    if value is None or point.type is RegType.PAD:
        return not_implemented(point)
    sf = 0
    if isinstance(point.scale, int):
        sf = point.scale
    elif isinstance(point.scale, str):
        known = values.get(point.scale)
        if not isinstance(known, int):
            return not_implemented(point)
        sf = known
    return encode_value(point, value, sf)


@dataclass
class Slot:
    """A model placed at `address` in a device's register space."""

    model_id: int
    address: int
    state: ModelState


class SunSpecImage:
    """The register space of one SunSpec device: marker, model chain, end marker."""

    def __init__(self, models: Sequence[tuple[int, ModelState]], advance: Sequence[object]) -> None:
        self.slots: list[Slot] = []
        address = BASE + 2
        for model_id, state in models:
            self.slots.append(Slot(model_id, address, state))
            address += state.table.length
        self.end = address + 2  # after the end marker
        self._advance = advance

    @property
    def size(self) -> int:
        return self.end - BASE

    def tick(self) -> None:
        for item in self._advance:
            step = getattr(item, "advance", None)
            if callable(step):
                step()

    def registers(self) -> list[int]:
        words = list(MARKER)
        for slot in self.slots:
            words += render(slot.state.table, slot.state.values(), slot.model_id)
        return [*words, END_ID, 0]

    def read(self, address: int, count: int) -> list[int]:
        self.tick()
        if address < BASE or address + count > self.end:
            raise WriteRefused(f"read {address}+{count} outside the device")
        # render only the models the read touches (a chain of 8 models costs per request)
        words = [0] * self.size
        words[0:2] = MARKER
        words[-2:] = [END_ID, 0]
        for slot in self.slots:
            table = slot.state.table
            if slot.address < address + count and address < slot.address + table.length:
                at = slot.address - BASE
                words[at : at + table.length] = render(table, slot.state.values(), slot.model_id)
        offset = address - BASE
        return words[offset : offset + count]

    def write(self, address: int, values: Sequence[int]) -> None:
        """Apply a write; raises WriteRefused for read-only or unmapped registers."""
        self.tick()
        for slot in self.slots:
            table = slot.state.table
            if not slot.address <= address < slot.address + table.length:
                continue
            writer = getattr(slot.state, "write", None)
            decoded = self._decode_write(slot, address, values)
            if writer is None or decoded is None:
                raise WriteRefused(f"write {address}+{len(values)} to read-only registers")
            for name, value in decoded:
                writer(name, value)
            return
        raise WriteRefused(f"write {address} outside any model")

    @staticmethod
    def _decode_write(
        slot: Slot, address: int, values: Sequence[int]
    ) -> list[tuple[str, Decoded]] | None:
        table = slot.state.table
        current = slot.state.values()
        start, end = address - slot.address, address - slot.address + len(values)
        result: list[tuple[str, Decoded]] = []
        for point in table.points:
            if point.offset + point.words <= start or point.offset >= end:
                continue
            if not point.writable or point.offset < start or point.offset + point.words > end:
                return None
            raw = decode_raw(
                point, values[point.offset - start : point.offset - start + point.words]
            )
            sf = point.scale if isinstance(point.scale, int) else current.get(point.scale or "", 0)
            result.append((point.name, apply_scale(raw, sf if isinstance(sf, int) else None)))
        return result
