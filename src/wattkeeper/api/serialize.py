"""Channel metadata and values as OpenEMS clients parse them (REST reads: api/reads.py)."""

from __future__ import annotations

from typing import Any

from wattkeeper.core.channel import AccessMode, Channel, ChannelDoc, Value
from wattkeeper.core.snapshot import plain, rest_head, rest_value


class ChannelEncoder:
    """Live channels as REST JSON objects, for code not yet reading from the cycle's snapshot.

    Prefer `ctx.reads` (REST answers) or `ctx.cycle.snapshots.current()` (ADR 0201): they show
    one finished cycle and encode each value once; this encodes the live values on every call.
    """

    def one(self, channel: Channel) -> str:
        doc = channel.doc
        head = rest_head(channel.address, doc)
        if doc.access is AccessMode.WRITE_ONLY:
            return head + "}"
        return f'{head},"value":{rest_value(channel.value, doc.type.is_integral)}}}'

    def many(self, channels: list[Channel]) -> str:
        return "[" + ",".join([self.one(channel) for channel in channels]) + "]"


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
    return plain(channel.value, channel.doc.type.is_integral)
