"""Poll plans for slow serial lines: register blocks by priority, and what they cost on the wire.

A device is described by `Block`s (a register table at an address, with a priority). Each
poll reads every HIGH block and ONE LOW block, taken round-robin (the way OpenEMS schedules a
Modbus bridge), plus the writes of the cycle. `PollPlan` computes from the tables how many
bytes that puts on an RTU line in the worst cycle and refuses a plan that does not fit the
line's capacity with the requested margin, so a table change that would overload a
9600-baud line fails at start (and in the tests), not in the field.

RTU frame sizes (Modbus over serial line, V1.02): read request 8 bytes (unit, function,
address, count, CRC); read response 5 + 2n; write-multiple request 9 + 2n, its response 8.
Each frame is preceded by a silent interval of 3.5 characters. 8N1 = 10 bits a character.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import Enum
from functools import cached_property

from wattkeeper.protocols.registers import Decoded, RegisterTable, encode_value

READ_REQUEST = 8
SILENCE_CHARS = 3.5


class Priority(Enum):
    ONCE = "once"  # read after each (re)connect: identity, static sizes
    HIGH = "high"  # every poll
    LOW = "low"  # one LOW block per poll, round-robin


class PlanError(ValueError):
    """The plan does not fit the line."""


@dataclass(frozen=True)
class Block:
    """A register table read in one request at `address` (function 3)."""

    name: str
    address: int
    table: RegisterTable
    priority: Priority

    @cached_property
    def count(self) -> int:
        return self.table.length  # computed once: it is asked for every request

    @property
    def end(self) -> int:
        return self.address + self.count

    def decode(self, words: Sequence[int]) -> dict[str, Decoded]:
        return self.table.decode(words)

    def encode(self, values: Mapping[str, Decoded]) -> list[int]:
        """Every register of the block from values in engineering units (missing: 0)."""
        words = [0] * self.count
        for point in self.table.points:
            value = values.get(point.name)
            if value is None:
                continue
            scale = point.scale if isinstance(point.scale, int) else 0
            words[point.offset : point.offset + point.words] = encode_value(point, value, scale)
        return words

    def offset_of(self, point: str) -> int:
        return self.address + self.table.point(point).offset


def read_bytes(count: int) -> int:
    """Bytes on an RTU line for reading `count` registers (request + response)."""
    return READ_REQUEST + 5 + 2 * count


def write_bytes(count: int) -> int:
    """Bytes on an RTU line for writing `count` registers with function 16."""
    return 9 + 2 * count + 8


@dataclass(frozen=True)
class LineCost:
    bytes: int
    frames: int

    def seconds(self, baudrate: int, bits_per_char: int = 10) -> float:
        chars = self.bytes + SILENCE_CHARS * self.frames
        return chars * bits_per_char / baudrate


class PollPlan:
    """HIGH blocks every poll, one LOW block per poll in rotation, the cycle's writes.

    `writes` are the (address, count) blocks written every poll. The worst poll (all HIGH,
    the largest LOW, all writes) must take at most `margin` × `period` seconds on a line of
    `baudrate` baud, for every device sharing the line (`others` adds their cost).
    """

    def __init__(
        self,
        blocks: Sequence[Block],
        writes: Sequence[tuple[int, int]] = (),
        *,
        baudrate: int = 9600,
        period: float = 1.0,
        margin: float = 0.5,
        others: LineCost | None = None,
    ) -> None:
        names = [b.name for b in blocks]
        if len(set(names)) != len(names):
            raise PlanError(f"duplicate block names in {names}")
        for block in blocks:
            if not 0 < block.count <= 125:
                raise PlanError(f"block {block.name}: {block.count} registers (1..125 allowed)")
        self.blocks = tuple(blocks)
        self.once = [b for b in blocks if b.priority is Priority.ONCE]
        self.high = [b for b in blocks if b.priority is Priority.HIGH]
        self.low = [b for b in blocks if b.priority is Priority.LOW]
        self.writes = tuple(writes)
        self.baudrate = baudrate
        self.period = period
        self.margin = margin
        self.others = others or LineCost(0, 0)
        if self.seconds_worst() > margin * period:
            raise PlanError(
                f"worst poll takes {self.seconds_worst() * 1000:.0f} ms on a {baudrate}-baud "
                f"line; the budget is {margin * period * 1000:.0f} ms"
            )

    def for_poll(self, index: int) -> list[Block]:
        """The blocks of poll number `index`: every HIGH one and the LOW one in turn."""
        chosen = list(self.high)
        if self.low:
            chosen.append(self.low[index % len(self.low)])
        return chosen

    def cost_worst(self) -> LineCost:
        """Bytes and frames of the most expensive poll (with the other devices on the line)."""
        largest_low = max((b.count for b in self.low), default=None)
        total = sum(read_bytes(b.count) for b in self.high)
        frames = 2 * len(self.high)
        if largest_low is not None:
            total += read_bytes(largest_low)
            frames += 2
        total += sum(write_bytes(count) for _, count in self.writes)
        frames += 2 * len(self.writes)
        return LineCost(total + self.others.bytes, frames + self.others.frames)

    def seconds_worst(self) -> float:
        return self.cost_worst().seconds(self.baudrate)

    def capacity_bytes(self) -> int:
        """Characters the line carries in one period (8N1)."""
        return int(self.baudrate / 10 * self.period)

    def low_refresh(self) -> float:
        """Seconds until every LOW block was read once."""
        return len(self.low) * self.period

    def summary(self) -> Mapping[str, float]:
        cost = self.cost_worst()
        return {
            "bytes_worst": cost.bytes,
            "frames_worst": cost.frames,
            "seconds_worst": self.seconds_worst(),
            "capacity_bytes": self.capacity_bytes(),
            "low_refresh_s": self.low_refresh(),
        }
