"""`getEdgeConfig`: every component with its properties and channels, and every factory."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel
from pydantic_core import PydanticUndefined, to_jsonable_python

from wattkeeper.api.context import ApiContext
from wattkeeper.api.serialize import channel_category
from wattkeeper.config.registry import Factory, properties_of
from wattkeeper.core.component import Component


def edge_config(ctx: ApiContext) -> dict[str, Any]:
    entries = {e.id: e for e in ctx.configurator.entries()}
    components: dict[str, Any] = {}
    for component in ctx.manager:
        entry = entries.get(component.id)
        properties: dict[str, Any] = {}
        if entry is not None and isinstance(component.config, BaseModel):
            properties = properties_of(component.config)
        components[component.id] = {
            "alias": component.alias,
            "factoryId": component.factory_id or "",
            "properties": properties,
            "channels": _channels(component),
        }
    factories = {f.factory_id: _factory(f) for f in ctx.registry}
    return {"components": components, "factories": factories}


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


def _factory(factory: Factory) -> dict[str, Any]:
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
    return {
        "name": factory.title or factory.factory_id,
        "description": factory.title,
        "natureIds": [],
        "properties": properties,
    }
