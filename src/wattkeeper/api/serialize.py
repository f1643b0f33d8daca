"""Channels as the JSON that OpenEMS clients parse: compact, integers as integers."""

from __future__ import annotations

import json
import math
from typing import Any

from wattkeeper.api.patterns import match_channels
from wattkeeper.core.channel import GENERATION, AccessMode, Channel, ChannelDoc, Value
from wattkeeper.core.manager import ComponentManager

_dumps = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode


class ChannelEncoder:
    """Caches each channel's constant part, so a read of every channel stays cheap.

    `.*/.*` every second is a common dashboard; the loop below is written for speed: one cache
    lookup per channel, the common value types tested first.
    """

    def __init__(self) -> None:
        self._cache: dict[Channel, tuple[str, bool, bool]] = {}
        #: (component pattern, channel pattern) → (generation, channel index, JSON)
        self._reads: dict[tuple[str, str], tuple[int, object, bytes]] = {}

    def read(self, manager: ComponentManager, component: str, channel: str) -> bytes | None:
        """The UTF-8 JSON of every channel matching the two patterns (None: none matches).

        Kept until any channel value changes or components change: between two cycles a
        dashboard polling `.*/.*` gets the same bytes without encoding hundreds of channels."""
        key = (component, channel)
        generation, index = GENERATION.value, manager.all_channels()
        hit = self._reads.get(key)
        if hit is not None and hit[0] == generation and hit[1] is index:
            return hit[2]
        channels = match_channels(manager, component, channel)
        if not channels:
            return None
        text = (self.one(channels[0]) if len(channels) == 1 else self.many(channels)).encode()
        if len(self._reads) > 256:
            self._reads.clear()
        self._reads[key] = (generation, index, text)
        return text

    def _entry(self, channel: Channel) -> tuple[str, bool, bool]:
        doc = channel.doc
        head = {
            "address": channel.address,
            "type": doc.type.value,
            "accessMode": doc.access.value,
            "text": doc.text,
            "unit": doc.unit,
        }
        write_only = doc.access is AccessMode.WRITE_ONLY
        prefix = _dumps(head)[:-1] + ("}" if write_only else ',"value":')
        entry = (prefix, doc.type.is_integral, write_only)
        if len(self._cache) > 100_000:
            self._cache.clear()
        self._cache[channel] = entry
        return entry

    def one(self, channel: Channel) -> str:
        return self.many([channel])[1:-1]

    def many(self, channels: list[Channel]) -> str:
        cache = self._cache
        parts: list[str] = []
        append = parts.append
        for channel in channels:
            entry = cache.get(channel) or self._entry(channel)
            prefix, integral, write_only = entry
            if write_only:
                append(prefix)  # write-only channels have no `value` key
                continue
            value = channel.value
            kind = type(value)
            if kind is int:
                append(f"{prefix}{value}}}")
            elif value is None:
                append(prefix + "null}")
            else:
                append(prefix + _encode(value, integral) + "}")
        return "[" + ",".join(parts) + "]"


def channel_category(doc: ChannelDoc) -> dict[str, Any]:
    """OpenEMS's `category`, with `options` (name → value) for ENUM and `level` for STATE."""
    found: dict[str, Any] = {"category": doc.category}
    if doc.level:
        found["level"] = doc.level
    elif doc.options:
        found["options"] = dict(doc.options)
    return found


def plain_value(channel: Channel) -> Value:
    """The value as a JSON-ready Python object (integers stay integers)."""
    value = channel.value
    if isinstance(value, float):
        if not math.isfinite(value):
            return None
        if channel.doc.type.is_integral:
            return round(value)
    return value


def _encode(value: Value, integral: bool) -> str:
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
