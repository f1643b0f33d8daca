"""Installed app instances, persisted atomically in the data directory (`apps.json`)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pydantic import BaseModel, Field, ValidationError

from wattkeeper.config.overrides import write_atomically
from wattkeeper.core.errors import ConfigError


class AppInstance(BaseModel):
    instance_id: str = Field(alias="instanceId")
    app_id: str = Field(alias="appId")
    alias: str = ""
    properties: dict[str, Any] = Field(default_factory=dict)
    component_ids: list[str] = Field(default_factory=list, alias="componentIds")

    model_config = {"populate_by_name": True}

    def wire(self) -> dict[str, Any]:
        return self.model_dump(by_alias=True, mode="json")


class InstanceFile(BaseModel):
    instances: list[AppInstance] = Field(default_factory=list)


class InstanceStore:
    def __init__(self, data_dir: Path) -> None:
        self.path = data_dir / "apps.json"

    def exists(self) -> bool:
        return self.path.exists()

    def load(self) -> list[AppInstance]:
        if not self.path.exists():
            return []
        try:
            return InstanceFile.model_validate_json(self.path.read_text("utf-8")).instances
        except (OSError, ValidationError) as error:
            raise ConfigError(f"{self.path} is damaged: {error}") from None

    def save(self, instances: list[AppInstance]) -> None:
        write_atomically(
            self.path, InstanceFile(instances=instances).model_dump_json(by_alias=True, indent=2)
        )
