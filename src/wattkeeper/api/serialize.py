"""Channel metadata and values as OpenEMS clients parse them (REST reads: api/reads.py)."""

from __future__ import annotations

from typing import Any

from wattkeeper.core.channel import Channel, ChannelDoc, Value
from wattkeeper.core.snapshot import plain


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
