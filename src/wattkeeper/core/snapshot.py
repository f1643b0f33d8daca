"""Each cycle's channel values as one immutable snapshot that every API reads from.

The read interface for every API (REST, websocket, MQTT, Modbus, ...):

* `SnapshotSource.current()` → the `Snapshot` of the last finished cycle (never older; a write
  accepted now shows in the next one). Take it once per request and read only from it: all its
  values come from the same cycle, so an answer is never torn.
* `Snapshot.position(address)` → the channel's slot (None: no such channel), then
  `values[slot]`, `value_json(slot)` (the value as JSON text, e.g. `57`, `null`) or
  `rest_json(slot)` (the channel's whole REST object). The JSON texts are encoded at most once
  per value of a channel, however many readers and cycles ask, because they are cached in the
  index by value.
* `Snapshot.index.components[id]` → the (start, stop) slots of one component's channels;
  `index.names[slot]`, `index.addresses[slot]`, `index.docs[slot]`, `index.private[slot]`.

A snapshot is built from values only (one tuple per cycle), so publishing it costs the cycle a
pass over the channel list and nothing per reader.
"""

from __future__ import annotations

import json
import math
from typing import Protocol

from wattkeeper.core.channel import AccessMode, Channel, ChannelDoc, Value
from wattkeeper.core.manager import ComponentManager

_dumps = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode

#: (the value the text was encoded from, the text): reused while the value stays the same
_Encoded = tuple[object, str]


class SnapshotIndex:
    """What stays the same while the channel set does: slots, addresses, each channel's
    constant JSON head, and the texts of the values last encoded."""

    __slots__ = (
        "_heads",
        "_rest",
        "_texts",
        "addresses",
        "channels",
        "components",
        "docs",
        "names",
        "position",
        "private",
    )

    def __init__(self, channels: list[Channel]) -> None:
        self.channels = channels  # the manager's list, replaced whenever channels come or go
        self.addresses = tuple(ch.address for ch in channels)
        self.names = tuple(ch.doc.name for ch in channels)
        self.docs = tuple(ch.doc for ch in channels)
        self.private = tuple(ch.doc.private for ch in channels)
        self.position = {address: slot for slot, address in enumerate(self.addresses)}
        self.components: dict[str, tuple[int, int]] = {}
        for slot, channel in enumerate(channels):
            start, _ = self.components.get(channel.component_id, (slot, slot))
            self.components[channel.component_id] = (start, slot + 1)
        count = len(channels)
        self._heads: list[str | None] = [None] * count
        self._texts: list[_Encoded | None] = [None] * count
        self._rest: list[_Encoded | None] = [None] * count

    def head(self, slot: int) -> str:
        head = self._heads[slot]
        if head is None:
            head = rest_head(self.addresses[slot], self.docs[slot])
            self._heads[slot] = head
        return head

    def value_json(self, slot: int, value: Value) -> str:
        cached = self._texts[slot]
        if cached is not None and _same(cached[0], value):
            return cached[1]
        text = value_json(value, self.docs[slot].type.is_integral)
        self._texts[slot] = (value, text)  # one tuple stored at once: safe for other threads
        return text

    def rest_json(self, slot: int, value: Value) -> str:
        cached = self._rest[slot]
        if cached is not None and _same(cached[0], value):
            return cached[1]
        doc = self.docs[slot]
        if doc.access is AccessMode.WRITE_ONLY:
            text = self.head(slot) + "}"  # write-only channels have no `value` key
        else:
            text = f'{self.head(slot)},"value":{rest_value(value, doc.type.is_integral)}}}'
        self._rest[slot] = (value, text)
        return text


def _same(cached: object, value: Value) -> bool:
    # 1, 1.0 and True are equal but encode differently: the type must match as well
    return cached is value or (type(cached) is type(value) and cached == value)


class Snapshot:
    """The values of one finished cycle; never changed after it is published."""

    __slots__ = ("cycle", "index", "time", "values")

    def __init__(self, cycle: int, time: float, index: SnapshotIndex, values: tuple[Value, ...]):
        self.cycle = cycle
        self.time = time
        self.index = index
        self.values = values

    def position(self, address: str) -> int | None:
        return self.index.position.get(address)

    def value(self, address: str) -> Value:
        """The value of `address` (None also for a channel that does not exist)."""
        slot = self.index.position.get(address)
        return None if slot is None else self.values[slot]

    def value_json(self, slot: int) -> str:
        return self.index.value_json(slot, self.values[slot])

    def rest_json(self, slot: int) -> str:
        return self.index.rest_json(slot, self.values[slot])


class SnapshotSource(Protocol):
    """What an API needs to read channel values."""

    def current(self) -> Snapshot: ...


class SnapshotPublisher:
    """Publishes one snapshot per cycle (`publish`), and hands readers the latest (`current`)."""

    def __init__(self, manager: ComponentManager) -> None:
        self.manager = manager
        self._index = SnapshotIndex(manager.all_channels())
        self._current: Snapshot | None = None

    def publish(self, cycle: int, time: float) -> Snapshot:
        """Called by the cycle once its values are final (after apply, before the listeners)."""
        channels = self.manager.all_channels()
        index = self._index
        if index.channels is not channels:
            index = self._index = SnapshotIndex(channels)
        snapshot = Snapshot(cycle, time, index, tuple([ch.value for ch in channels]))
        self._current = snapshot  # one reference replaced: a reader has the old or the new one
        return snapshot

    def _republish(self) -> Snapshot:
        last = self._current
        return self.publish(*((0, 0.0) if last is None else (last.cycle, last.time)))

    def refresh(self) -> None:
        """Publish the values as they are now under the last cycle's number: for changes made
        between cycles that readers should see at once (a configuration change)."""
        self._republish()

    def current(self) -> Snapshot:
        """The last finished cycle's snapshot. Before the first cycle, or when channels came or
        went since (an app was installed), one is taken of the values as they are now."""
        snapshot = self._current
        if snapshot is None or snapshot.index.channels is not self.manager.all_channels():
            snapshot = self._republish()
        return snapshot


# -- the encodings every API shares ---------------------------------------------------------------
def rest_head(address: str, doc: ChannelDoc) -> str:
    """A channel's REST object up to (not including) its value and closing brace."""
    head = {
        "address": address,
        "type": doc.type.value,
        "accessMode": doc.access.value,
        "text": doc.text,
        "unit": doc.unit,
    }
    return _dumps(head)[:-1]


def rest_value(value: Value, integral: bool) -> str:
    """A value as the REST API writes it (OpenEMS: booleans as 0/1, integers without `.0`)."""
    kind = type(value)
    if kind is int:
        return str(value)
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if not math.isfinite(value):
            return "null"
        return str(round(value)) if integral else repr(value)
    return _dumps(value)


def plain(value: Value, integral: bool) -> Value:
    """The value as a JSON-ready Python object (integral channels' floats rounded, NaN None)."""
    if isinstance(value, float):
        if not math.isfinite(value):
            return None
        if integral:
            return round(value)
    return value


def value_json(value: Value, integral: bool) -> str:
    """The value as the websocket's `currentData` writes it."""
    return _dumps(plain(value, integral))
