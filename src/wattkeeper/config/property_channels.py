"""`_Property<Name>` channels: every configuration property as a read-only channel (OpenEMS's rule).

OpenEMS gives each component one channel per configuration attribute: `apiTimeout` becomes
`_PropertyApiTimeout`, `modbus.id` becomes `_PropertyModbusId`. Passwords and `*.target` filters
get none. The value is the configured value (or the default), refreshed on every config change.
"""

from __future__ import annotations

import enum
import json
import re
import types
import typing
from collections.abc import Mapping
from typing import Any

from pydantic import BaseModel, SecretStr

from wattkeeper.config.registry import properties_of
from wattkeeper.core.channel import ChannelDoc, ChannelType, Value
from wattkeeper.core.component import Component

PREFIX = "_Property"
_CAMEL_HUMP = re.compile(r"(?<=[a-z0-9])(?=[A-Z])")
_SCALARS: dict[type, ChannelType] = {
    bool: ChannelType.BOOLEAN,
    int: ChannelType.INTEGER,
    float: ChannelType.DOUBLE,
    str: ChannelType.STRING,
}


def channel_id(attribute: str) -> str:
    """`apiTimeout` → `_PropertyApiTimeout`, `modbus.id` → `_PropertyModbusId` (lowerCamel and
    dots become UPPER_UNDERSCORE words, then each word is capitalised)."""
    upper = _CAMEL_HUMP.sub("_", attribute.replace(".", "_")).upper()
    return PREFIX + "".join(word.capitalize() for word in upper.split("_") if word)


def excluded(attribute: str, annotation: Any) -> bool:
    """OpenEMS makes no channel for passwords and for `.target` service filters."""
    lowered = attribute.lower()
    return (
        _is_secret(annotation) or "password" in lowered or lowered.endswith((".target", "_target"))
    )


def _is_secret(annotation: Any) -> bool:
    return annotation is SecretStr or SecretStr in typing.get_args(annotation)


def channel_type(annotation: Any, value: Any) -> ChannelType:
    """The OpenEMS type of a property: scalars map directly, enums are STRING, and a list with
    more than one element is STRING (a single element keeps the element's type)."""
    if isinstance(value, list) and len(value) > 1:
        return ChannelType.STRING
    origin = typing.get_origin(annotation)
    args = [a for a in typing.get_args(annotation) if a is not type(None)]
    if origin in (typing.Union, types.UnionType) and len(args) == 1:
        return channel_type(args[0], value)
    if origin in (list, tuple, set, frozenset) and args:
        return channel_type(args[0], None)
    if origin is typing.Literal and args:
        return _SCALARS.get(type(args[0]), ChannelType.STRING)
    if isinstance(annotation, type):
        if issubclass(annotation, enum.Enum):
            return ChannelType.STRING
        for kind, channel in _SCALARS.items():
            if issubclass(annotation, kind):
                return channel
    return ChannelType.STRING


def channel_value(kind: ChannelType, value: Any) -> Value:
    if isinstance(value, list):
        if not value:
            return None
        if len(value) == 1:
            value = value[0]
        else:
            return json.dumps(value, separators=(",", ":"))
    if value is None:
        return None
    if kind is ChannelType.BOOLEAN:
        return int(bool(value))
    if kind is ChannelType.INTEGER and isinstance(value, int | float):
        return round(value)
    if kind is ChannelType.DOUBLE and isinstance(value, int | float):
        return float(value)
    if isinstance(value, int | float | str):
        return value if kind is not ChannelType.STRING else str(value)
    return json.dumps(value, separators=(",", ":"))


def publish(component: Component, properties: Mapping[str, tuple[ChannelType, Any]]) -> bool:
    """Set `_Property*` channels; returns True when a channel was added (the manager must
    then reindex). An existing channel is reused, only its value changes."""
    added = False
    for attribute, (kind, raw) in properties.items():
        name = channel_id(attribute)
        channel = component.channels.get(name)
        if channel is None or channel.doc.type is not kind:
            text = f"Configuration property {attribute}"
            component.declare(ChannelDoc(name, kind, text=text))
            channel = component.channels[name]
            added = True
        channel.set_now(channel_value(kind, raw))
    return added


def config_properties(
    component_id: str, alias: str, enabled: bool, config: Any
) -> dict[str, tuple[ChannelType, Any]]:
    """Every property of a component's configuration with its OpenEMS type (no passwords)."""
    found: dict[str, tuple[ChannelType, Any]] = {
        "id": (ChannelType.STRING, component_id),
        "alias": (ChannelType.STRING, alias),
        "enabled": (ChannelType.BOOLEAN, enabled),
    }
    if not isinstance(config, BaseModel):
        return found
    values = properties_of(config)
    for name, field in type(config).model_fields.items():
        attribute = field.serialization_alias or field.alias or name
        if excluded(attribute, field.annotation) or attribute not in values:
            continue
        value = values[attribute]
        found[attribute] = (channel_type(field.annotation, value), value)
    return found
