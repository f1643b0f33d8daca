"""Which channels the MQTT API publishes: OpenEMS's persistence priority at or above the
configured one, and never a write-only channel."""

from __future__ import annotations

from wattkeeper.core.channel import AccessMode, Channel, ChannelDoc
from wattkeeper.mqtt.priority_table import PRIORITY_BY_CHANNEL
from wattkeeper.mqtt.settings import PRIORITY_ORDER, Priority

DEFAULT: Priority = "LOW"  # OpenEMS's AbstractDoc default
STATE_DEFAULT: Priority = "HIGH"  # OpenEMS's StateChannelDoc default


def priority_of(doc: ChannelDoc) -> Priority:
    known = PRIORITY_BY_CHANNEL.get(doc.name)
    if known is not None:
        return known  # type: ignore[return-value]
    return STATE_DEFAULT if doc.level else DEFAULT


def selected(channels: list[Channel], minimum: Priority) -> list[Channel]:
    floor = PRIORITY_ORDER.index(minimum)
    return [
        ch
        for ch in channels
        if ch.doc.access is not AccessMode.WRITE_ONLY
        and PRIORITY_ORDER.index(priority_of(ch.doc)) >= floor
    ]
