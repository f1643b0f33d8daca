"""Installed app instances: the `apps` section of `state.json` (config/state.py)."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field, ValidationError

from wattkeeper.config.state import StateFile
from wattkeeper.core.errors import ConfigError

SECTION = "apps"


class AppInstance(BaseModel):
    instance_id: str = Field(alias="instanceId")
    app_id: str = Field(alias="appId")
    alias: str = ""
    properties: dict[str, Any] = Field(default_factory=dict)
    component_ids: list[str] = Field(default_factory=list, alias="componentIds")
    #: the instances this one replaced at its install (read access under write access): its
    #: removal puts them back as they were, as OpenEMS reactivates a write app's read-only one
    replaced: list[AppInstance] = Field(default_factory=list)

    model_config = {"populate_by_name": True}

    def wire(self) -> dict[str, Any]:
        return self.model_dump(by_alias=True, mode="json", exclude={"replaced"})


class InstanceFile(BaseModel):
    instances: list[AppInstance] = Field(default_factory=list)


class InstanceStore:
    def __init__(self, state: StateFile) -> None:
        self.state = state
        self.path = state.path

    def exists(self) -> bool:
        return self.state.get(SECTION) is not None

    def load(self) -> list[AppInstance]:
        raw = self.state.get(SECTION)
        if raw is None:
            return []
        try:
            return InstanceFile.model_validate(raw).instances
        except ValidationError as error:
            raise ConfigError(f"{self.path} is damaged: {error}") from None

    def save(self, instances: list[AppInstance]) -> None:
        data = InstanceFile(instances=instances).model_dump(by_alias=True, mode="json")
        self.state.put(SECTION, data)
