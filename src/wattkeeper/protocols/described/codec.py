"""Reading and writing a described device, sans I/O: which requests a poll makes, how their
answers become named values, and which registers a setpoint becomes."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from wattkeeper.protocols.described.model import Control, Description, Scalar
from wattkeeper.protocols.registers import (
    Decoded,
    Point,
    ReadRange,
    apply_scale,
    decode_raw,
    encode_value,
    plan_reads,
)

Values = Mapping[str, Decoded]


@dataclass(frozen=True, slots=True)
class Request:
    """One read: `count` registers from `address` with function 3 (holding) or 4 (input)."""

    unit: str
    address: int
    count: int
    input_registers: bool


@dataclass(frozen=True, slots=True)
class Write:
    unit: str
    address: int
    words: tuple[int, ...]


class DeviceCodec:
    """A description made operational: read plans per unit and the write encoder."""

    def __init__(self, description: Description) -> None:
        self.description = description
        self.points: dict[str, Point] = {
            name: description.codec_point(name) for name in description.points
        }
        self.identity_plan = self._plan(once=True)
        self.poll_plan = self._plan(once=False)

    def _plan(self, *, once: bool) -> dict[str, list[Request]]:
        d = self.description
        plans: dict[str, list[Request]] = {}
        for unit in d.units:
            for function in ("holding", "input"):
                ranges = [
                    ReadRange(spec.address, self.points[name].words)
                    for name, spec in d.points.items()
                    if d.unit_of(name) == unit and spec.function == function and spec.once == once
                ]
                for item in plan_reads(ranges, d.max_read, d.max_gap):
                    plans.setdefault(unit, []).append(
                        Request(unit, item.address, item.count, function == "input")
                    )
        return plans

    def decode(
        self, unit: str, blocks: Mapping[tuple[int, bool], list[int]], once: bool
    ) -> dict[str, Decoded]:
        """Named, scaled values of one unit from its answered requests, keyed (address, input)."""
        d = self.description
        values: dict[str, Decoded] = {}
        for name, spec in d.points.items():
            if d.unit_of(name) != unit or spec.once != once:
                continue
            point = self.points[name]
            words = _slice(blocks, spec.address, point.words, spec.function == "input")
            if words is None:
                values[name] = None
                continue
            raw = decode_raw(point, words)
            values[name] = apply_scale(raw, spec.scale) if point.scaled else raw
        return values

    def encode(self, name: str, value: float | int | str) -> Write:
        """The registers writing `value` (engineering units) to point `name`."""
        spec = self.description.points[name]
        point = self.points[name]
        return Write(
            self.description.unit_of(name),
            spec.address,
            tuple(encode_value(point, value, spec.scale if point.scaled else 0)),
        )

    # -- control ----------------------------------------------------------------------------
    def setpoint_writes(self, active: int) -> list[Write]:
        """The writes that make the device deliver `active` W (+ discharge, − charge)."""
        control = self._control()
        table = control.any or (control.charge if active < 0 else control.discharge)
        return [self.encode(name, evaluate(value, active)) for name, value in table.items()]

    def release_writes(self) -> list[Write]:
        """The writes that hand the battery back to the device's own mode."""
        return [
            self.encode(name, evaluate(value, 0)) for name, value in self._control().release.items()
        ]

    def _control(self) -> Control:
        control = self.description.control
        if control is None:
            raise ValueError(f"{self.description.kind} cannot be controlled")
        return control


def evaluate(value: Scalar, active: int) -> float | int:
    """A control table's value for setpoint `active`: P, -P, W (|P|) or a constant."""
    if value == "P":
        return active
    if value == "-P":
        return -active
    if value == "W":
        return abs(active)
    if isinstance(value, str):
        raise ValueError(f"not a control value: {value!r}")
    return value


def setpoint_from(table: Mapping[str, Scalar], registers: Values) -> float | None:
    """The inverse of `evaluate` (the simulator's view): the number the registers hold where
    the table says P, -P or W (W: the magnitude, its sign is the table's), if every constant
    of `table` matches; else None."""
    found = 0.0
    for name, value in table.items():
        current = registers.get(name)
        if not isinstance(current, int | float):
            return None
        if value == "P":
            found = float(current)
        elif value == "-P":
            found = -float(current)
        elif value == "W":
            found = abs(float(current))
        elif isinstance(value, int | float) and abs(current - value) > 1e-6:
            return None
    return found


def _slice(
    blocks: Mapping[tuple[int, bool], list[int]], address: int, count: int, input_regs: bool
) -> list[int] | None:
    for (start, is_input), words in blocks.items():
        if is_input == input_regs and start <= address and address + count <= start + len(words):
            return words[address - start : address - start + count]
    return None


def all_requests(plans: Mapping[str, Iterable[Request]]) -> list[Request]:
    return [request for requests in plans.values() for request in requests]
