"""The App Center's replies in OpenEMS's shape: app entries, assistants, descriptors, instances.

OpenEMS's UI reads `categorys`, `cardinality`, `status.name`, `instanceIds`, `flags` and
`image` of every app, and builds its install form from the assistant's formly `fields`. Our
own web UI reads `licensed`, `hasLicence`, `installed` and `properties`; both sets are sent.
"""

from __future__ import annotations

import base64
from typing import Any

from pydantic import SecretStr
from pydantic.fields import FieldInfo
from pydantic_core import PydanticUndefined

from wattkeeper.apps.catalog import AppSpec
from wattkeeper.apps.instances import AppInstance

#: Our category names → OpenEMS's OpenemsAppCategory constant and its English name.
CATEGORIES: dict[str, tuple[str, str]] = {
    "API": ("API", "Interfaces"),
    "Optimisation": ("PV_SELF_CONSUMPTION", "PV self-consumption"),
    "Safety": ("ESS", "Storage system"),
}

_ICON = (
    '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 64 64">'
    '<rect width="64" height="64" rx="10" fill="#2d5f8b"/>'
    '<text x="32" y="42" font-family="sans-serif" font-size="26" fill="#fff" '
    'text-anchor="middle">{}</text></svg>'
)


def app_entry(
    spec: AppSpec,
    instances: list[AppInstance],
    has_licence: bool,
    installable: bool,
    included_in: str | None = None,
) -> dict[str, Any]:
    """One `getApps` entry; `installable` is false while a SINGLE app is installed already."""
    ids = [i.instance_id for i in instances]
    blockers = [] if installable else [f"{spec.name} is installed already (one per edge)"]
    return {
        "categorys": [_category(c) for c in spec.categories],
        "cardinality": "SINGLE",
        "appId": spec.app_id,
        "name": spec.name,
        "shortName": spec.name,
        "image": _image(spec),
        "permissions": {"canSee": "guest", "canDelete": "owner"},
        "flags": [],
        "status": {
            "name": "INSTALLABLE" if installable else "COMPATIBLE",
            "errorCompatibleMessages": [],
            "errorInstallableMessages": blockers,
        },
        "instanceIds": ids,
        # read by our own web UI
        "description": spec.description,
        "licensed": spec.licensed,
        "hasLicence": has_licence,
        "installed": bool(ids),
        "includedIn": included_in,  # read access is part of write access
        "properties": property_docs(spec),
    }


def _category(name: str) -> dict[str, str]:
    constant, readable = CATEGORIES.get(name, (name.upper(), name))
    return {"name": constant, "readableName": readable}


def _image(spec: AppSpec) -> str:
    """A small generated icon as a data URL: the UI otherwise loads one from the internet."""
    initials = "".join(word[0] for word in spec.name.split()[:2] if word[:1].isalnum()).upper()
    svg = _ICON.format(initials or "A")
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode()).decode("ascii")


def property_docs(spec: AppSpec) -> list[dict[str, Any]]:
    return [
        {
            "name": _wire_name(name, field),
            "description": field.description or "",
            "defaultValue": _default(field),
            "type": _input_type(field),
        }
        for name, field in spec.properties.model_fields.items()
    ]


def assistant(spec: AppSpec, alias: str | None = None) -> dict[str, Any]:
    """`getAppAssistant`: the install form as formly fields, one per app property."""
    fields = [_field(name, field) for name, field in spec.properties.model_fields.items()]
    return {"name": spec.name, "alias": alias or spec.name, "fields": fields}


def _input_type(field: FieldInfo) -> str:
    """How a form asks for a property: number, checkbox, password (never shown back), list
    (comma-separated text) or text."""
    if field.annotation is SecretStr:
        return "password"
    if field.annotation == list[str]:
        return "list"
    if field.annotation is bool:
        return "checkbox"
    return "number" if field.annotation is int else "text"


def _default(field: FieldInfo) -> Any:
    if isinstance(field.default, SecretStr):
        return ""  # a secret's default is never sent
    return field.default


def _field(name: str, field: FieldInfo) -> dict[str, Any]:
    kind = _input_type(field)
    options: dict[str, Any] = {
        "label": field.title or _wire_name(name, field),
        "type": kind if kind in ("number", "password") else "text",
        "required": kind not in ("password", "checkbox") and field.default != "",
    }
    if field.description:
        options["description"] = field.description
    for rule in field.metadata:
        for attr, key in (("ge", "min"), ("le", "max"), ("pattern", "pattern")):
            if getattr(rule, attr, None) is not None:
                options[key] = getattr(rule, attr)
    result: dict[str, Any] = {
        "key": _wire_name(name, field),
        "type": "checkbox" if kind == "checkbox" else "input",
        "templateOptions": options,
    }
    if field.default is not PydanticUndefined:
        result["defaultValue"] = _default(field)
    return result


def _wire_name(name: str, field: FieldInfo) -> str:
    return field.serialization_alias or field.alias or name


def descriptor(spec: AppSpec) -> dict[str, Any]:
    """`getAppDescriptor`: OpenEMS sends `websiteUrl` only when an app has a web page."""
    return {}


def instance_wire(instance: AppInstance) -> dict[str, Any]:
    """`getAppInstances` entry: OpenEMS's fields plus the components the instance made."""
    return {**instance.wire(), "dependencies": []}
