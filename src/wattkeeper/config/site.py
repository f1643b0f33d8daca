"""The site file (TOML): edge settings and the list of components by factory id."""

from __future__ import annotations

import tomllib
from importlib import resources
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from wattkeeper.core.errors import ConfigError

_ID = r"^[A-Za-z][A-Za-z0-9_]*$"


class EdgeSettings(BaseModel):
    model_config = ConfigDict(extra="forbid")

    period_ms: int = Field(1000, ge=50, le=60_000, description="Cycle period")
    min_spacing_ms: int = Field(
        10, ge=5, le=10_000, description="Minimum gap between cycles: caps device writes per second"
    )
    timezone: str = "Europe/Berlin"
    speed: float = Field(1.0, gt=0, le=10_000, description="Simulation speed factor")
    ports: list[int] = Field(default_factory=lambda: [8084], description="HTTP ports")
    host: str = "127.0.0.1"
    scheduler: list[str] = Field(default_factory=list, description="Explicit controller order")
    audit_retention_days: float = Field(
        90, gt=0, le=36_500, description="How long audit entries of channel writes are kept"
    )


class LicensingSettings(BaseModel):
    model_config = ConfigDict(extra="forbid")

    service_url: str | None = Field(None, description="Licence service for online redemption")
    trusted_keys: list[str] = Field(default_factory=list, description="Vendor public keys")
    trust_demo_key: bool = Field(True, description="Accept demo licences (turn off in products)")


class ComponentEntry(BaseModel):
    model_config = ConfigDict(extra="forbid")

    id: str = Field(pattern=_ID)
    factory: str
    alias: str = ""
    enabled: bool = True
    properties: dict[str, Any] = Field(default_factory=dict)


class SiteConfig(BaseModel):
    model_config = ConfigDict(extra="forbid")

    edge: EdgeSettings = Field(default_factory=EdgeSettings)
    licensing: LicensingSettings = Field(default_factory=LicensingSettings)
    components: list[ComponentEntry] = Field(default_factory=list)


def parse_site(text: str, origin: str = "site file") -> SiteConfig:
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise ConfigError(f"{origin}: not valid TOML: {error}") from None
    try:
        site = SiteConfig.model_validate(raw)
    except ValidationError as error:
        problems = []
        for item in error.errors():
            key = _key_path(item["loc"], raw)
            message = "unknown key" if item["type"] == "extra_forbidden" else item["msg"]
            problems.append(f"'{key}': {message}")
        raise ConfigError(f"{origin}: " + "; ".join(problems)) from None
    seen: set[str] = set()
    for entry in site.components:
        if entry.id in seen:
            raise ConfigError(f"{origin}: component id '{entry.id}' is used twice")
        seen.add(entry.id)
    return site


def _key_path(loc: tuple[Any, ...], raw: dict[str, Any]) -> str:
    """`components[1].properties` → names the component by id where possible."""
    parts: list[str] = []
    node: Any = raw
    for part in loc:
        if isinstance(part, int):
            ident = node[part].get("id") if isinstance(node, list) and part < len(node) else None
            parts[-1] = f"{parts[-1]}[{ident or part}]"
            node = node[part] if isinstance(node, list) and part < len(node) else None
        else:
            parts.append(str(part))
            node = node.get(part) if isinstance(node, dict) else None
    return ".".join(parts)


def load_site(path: Path) -> SiteConfig:
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as error:
        raise ConfigError(f"cannot read site file {path}: {error.strerror}") from None
    return parse_site(text, str(path))


def demo_site() -> SiteConfig:
    """The built-in demo home used when no site file is given."""
    text = resources.files("wattkeeper.config").joinpath("demo_home.toml").read_text("utf-8")
    return parse_site(text, "built-in demo home")
