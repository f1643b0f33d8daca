"""Channels as the JSON that OpenEMS clients parse: compact, integers as integers."""

from __future__ import annotations

import json
import math

from wattkeeper.core.channel import AccessMode, Channel, Value

_dumps = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode


class ChannelEncoder:
    """Caches each channel's constant part, so a read of every channel stays cheap."""

    def __init__(self) -> None:
        self._prefixes: dict[Channel, str] = {}

    def _prefix(self, channel: Channel) -> str:
        prefix = self._prefixes.get(channel)
        if prefix is None:
            doc = channel.doc
            head = {
                "address": channel.address,
                "type": doc.type.value,
                "accessMode": doc.access.value,
                "text": doc.text,
                "unit": doc.unit,
            }
            prefix = _dumps(head)[:-1]
            if doc.access is not AccessMode.WRITE_ONLY:
                prefix += ',"value":'
            if len(self._prefixes) > 100_000:
                self._prefixes.clear()
            self._prefixes[channel] = prefix
        return prefix

    def one(self, channel: Channel) -> str:
        if channel.doc.access is AccessMode.WRITE_ONLY:
            return self._prefix(channel) + "}"  # write-only channels have no `value` key
        return self._prefix(channel) + encode_value(channel) + "}"

    def many(self, channels: list[Channel]) -> str:
        return "[" + ",".join(self.one(c) for c in channels) + "]"


def encode_value(channel: Channel) -> str:
    return _encode(channel.value, channel.doc.type.is_integral)


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
