"""`getEdgeConfig`: every component with its properties and channels, and every factory."""

from __future__ import annotations

from enum import Enum
from typing import Any

from pydantic import BaseModel
from pydantic_core import PydanticUndefined, to_jsonable_python

from wattkeeper.api.context import ApiContext
from wattkeeper.api.openems_natures import built_class, nature_ids
from wattkeeper.api.serialize import channel_category
from wattkeeper.config.registry import Factory, properties_of
from wattkeeper.core.component import Component


def edge_config(ctx: ApiContext) -> dict[str, Any]:
    entries = {e.id: e for e in ctx.configurator.entries()}
    components: dict[str, Any] = {}
    classes: dict[str, list[type]] = {}  # factory id → classes of its live components
    for component in ctx.manager:
        entry = entries.get(component.id)
        properties: dict[str, Any] = {}
        if entry is not None and isinstance(component.config, BaseModel):
            properties = properties_of(component.config)
        _add_widget_properties(component, properties)
        factory_id = component.factory_id or ""
        components[component.id] = {
            "alias": component.alias,
            "factoryId": factory_id,
            "properties": properties,
            "channels": _channels(component),
        }
        if factory_id:
            classes.setdefault(factory_id, []).append(type(component))
    factories = {f.factory_id: _factory(f, classes.get(f.factory_id, [])) for f in ctx.registry}
    for factory_id, found in classes.items():
        # built by the edge itself (timedata0): described by what it is
        if factory_id not in factories:
            factories[factory_id] = _built_in_factory(factory_id, found)
    return {"components": components, "factories": factories}


def _add_widget_properties(component: Component, properties: dict[str, Any]) -> None:
    """Facts OpenEMS's UI reads from properties although our config does not hold them."""
    meter_type = getattr(component, "meter_type", None)
    if isinstance(meter_type, Enum):
        # the UI tells grid, production and consumption meters apart by `type`
        properties.setdefault("type", meter_type.value)


def _channels(component: Component) -> dict[str, Any]:
    return {
        name: {
            "type": ch.doc.type.value,
            "accessMode": ch.doc.access.value,
            "unit": ch.doc.unit,
            "text": ch.doc.text,
            **channel_category(ch.doc),
        }
        for name, ch in component.channels.items()
    }


def _factory(factory: Factory, live: list[type]) -> dict[str, Any]:
    properties = []
    for name, field in factory.model.model_fields.items():
        default = field.default
        properties.append(
            {
                "id": field.alias or name,
                "name": field.alias or name,
                "description": field.description or "",
                "isRequired": field.is_required(),
                "defaultValue": None
                if default is PydanticUndefined
                else to_jsonable_python(default, fallback=str),
            }
        )
    built = built_class(factory.build)
    return {
        "name": factory.title or factory.factory_id,
        "description": factory.title,
        "natureIds": nature_ids([*([built] if built else []), *live]),
        "properties": properties,
    }


def _built_in_factory(factory_id: str, classes: list[type]) -> dict[str, Any]:
    return {
        "name": factory_id,
        "description": classes[0].__doc__ or "",
        "natureIds": nature_ids(classes),
        "properties": [],
    }
