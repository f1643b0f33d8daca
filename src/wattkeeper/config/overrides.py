"""Run-time configuration changes, persisted atomically in the data directory.

Only the differences from the site file are kept, so later edits of the site file still apply
to everything that was not changed at run time.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, Field, ValidationError

from wattkeeper.config.site import ComponentEntry, SiteConfig
from wattkeeper.core.errors import ConfigError, WattkeeperError
from wattkeeper.files import atomic as files

if TYPE_CHECKING:
    from wattkeeper.config.state import StateFile

SECTION = "components"


class StorageError(WattkeeperError, OSError):
    """The data directory cannot be written: the change is refused, nothing is applied.

    An OSError too, so code that guarded a write with `except OSError` still catches it.
    """

    def __init__(self, path: Path, error: OSError) -> None:
        reason = error.strerror or str(error)
        super().__init__(f"cannot save the change: {path} cannot be written ({reason})")
        self.path = path


class Overrides(BaseModel):
    updated: dict[str, dict[str, Any]] = Field(default_factory=dict)
    created: dict[str, ComponentEntry] = Field(default_factory=dict)
    deleted: list[str] = Field(default_factory=list)

    def apply(self, site: SiteConfig) -> list[ComponentEntry]:
        entries = []
        for entry in site.components:
            if entry.id in self.deleted or entry.id in self.created:
                continue
            patch = self.updated.get(entry.id)
            if patch:
                entry = entry.model_copy(update={"properties": {**entry.properties, **patch}})
            entries.append(entry)
        for entry in self.created.values():
            patch = self.updated.get(entry.id)
            if patch:
                entry = entry.model_copy(update={"properties": {**entry.properties, **patch}})
            entries.append(entry)
        return entries


class OverrideStore:
    """The `components` section of `state.json` (config/state.py)."""

    def __init__(self, state: StateFile) -> None:
        self.state = state
        self.path = state.path

    def load(self) -> Overrides:
        raw = self.state.get(SECTION)
        if raw is None:
            return Overrides()
        try:
            return Overrides.model_validate(raw)
        except ValidationError as error:
            raise ConfigError(f"{self.path} is damaged: {error}") from None

    def save(self, overrides: Overrides) -> None:
        self.state.put(SECTION, overrides.model_dump(mode="json"))


def write_atomically(path: Path, text: str) -> None:
    """Replace `path` atomically; an OSError becomes a StorageError naming the path."""
    try:
        files.write_atomically(path, text)
    except OSError as error:
        raise StorageError(path, error) from None
