"""The OpenEMS channel reference (facts read from the OpenEMS source) and our deviation list."""

from __future__ import annotations

import json
import tomllib
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

HERE = Path(__file__).parent
ROOT = HERE.parent.parent
REFERENCE = HERE / "openems-channels.json"
DEVIATIONS = ROOT / "docs" / "openems-deviations.toml"
README = ROOT / "README.md"


@dataclass(frozen=True)
class RefChannel:
    nature: str
    id: str
    type: str
    unit: str
    access: str
    kind: str  # value | enum | state
    level: str | None = None


@dataclass(frozen=True)
class Deviation:
    nature: str
    channel: str
    kind: str  # "missing": no such channel; "null": the channel exists, its value stays null
    reason: str


@cache
def reference() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(REFERENCE.read_text(encoding="utf-8"))
    return data


def nature_channels(nature: str) -> list[RefChannel]:
    """The channels a component of this nature must offer, inherited ones included."""
    natures = reference()["natures"]
    entry = natures[nature]
    found: list[RefChannel] = []
    for name in [*entry.get("inheritsChannelsFrom", []), nature]:
        for c in natures[name].get("channels", []):
            found.append(
                RefChannel(
                    name, c["id"], c["type"], c["unit"], c["access"], c["kind"], c.get("level")
                )
            )
    return found


def property_channels(nature: str) -> list[dict[str, Any]]:
    return list(reference()["natures"][nature].get("propertyChannels", []))


@cache
def deviations() -> tuple[Deviation, ...]:
    data = tomllib.loads(DEVIATIONS.read_text(encoding="utf-8"))
    return tuple(Deviation(**item) for item in data["deviation"])


def deviation(nature: str, channel: str) -> Deviation | None:
    for item in deviations():
        if item.nature == nature and item.channel == channel:
            return item
    return None


def readme_section() -> str:
    """README's compatibility section, generated from the deviation list."""
    source = reference()["source"]
    lines = [
        "<!-- generated from docs/openems-deviations.toml by "
        "`python -m tests.conformance.reference`; do not edit by hand -->",
        "",
        "Every component offers every channel of each OpenEMS nature it implements, with "
        "OpenEMS's id, type, unit and access mode (checked by `tests/conformance` against facts "
        f"read from OpenEMS {source['commit'][:10]}, {source['date'][:10]}). "
        "These are the deliberate deviations:",
        "",
        "| Nature | Channel | Deviation | Why |",
        "|---|---|---|---|",
    ]
    kinds = {"missing": "not offered", "null": "always `null`"}
    for item in deviations():
        reason = item.reason.replace("|", "\\|").replace("\n", " ")
        lines.append(f"| {item.nature} | `{item.channel}` | {kinds[item.kind]} | {reason} |")
    return "\n".join(lines) + "\n"


BEGIN = "<!-- compatibility:begin -->"
END = "<!-- compatibility:end -->"


def readme_with_section(text: str) -> str:
    start, end = text.index(BEGIN) + len(BEGIN), text.index(END)
    return text[:start] + "\n" + readme_section() + text[end:]


if __name__ == "__main__":
    README.write_text(readme_with_section(README.read_text(encoding="utf-8")), encoding="utf-8")
    print(f"{README} updated")
