"""Channels from a description's mapping: point × factor (× −1 while a sign bit is set)."""

from __future__ import annotations

from collections.abc import Mapping as MappingABC
from typing import Any

from wattkeeper.core.component import Component
from wattkeeper.protocols.described.model import Mapping, as_mapping


def number(values: MappingABC[str, Any], name: str) -> float | None:
    value = values.get(name)
    return float(value) if isinstance(value, int | float) else None


def publish(
    component: Component, section: MappingABC[str, str | Mapping], values: MappingABC[str, Any]
) -> None:
    for channel_name, source in section.items():
        mapping = as_mapping(source)
        value = number(values, mapping.point)
        if value is not None and mapping.sign_bit is not None:
            bits = values.get(mapping.sign_bit[0])
            if not isinstance(bits, int):
                value = None
            elif bits >> mapping.sign_bit[1] & 1:
                value = -value
        for extra, sign in [(p, 1.0) for p in mapping.plus] + [(p, -1.0) for p in mapping.minus]:
            more = number(values, extra)
            value = None if value is None or more is None else value + sign * more
        channel = component.channel(channel_name)
        if value is None:
            channel.next = None
            continue
        scaled = value * mapping.factor
        channel.next = round(scaled) if channel.doc.type.is_integral else float(scaled)
