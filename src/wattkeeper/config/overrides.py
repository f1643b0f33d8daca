"""Run-time configuration changes, persisted atomically in the data directory.

Only the differences from the site file are kept, so later edits of the site file still apply
to everything that was not changed at run time.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Any

from pydantic import BaseModel, Field, ValidationError

from wattkeeper.config.site import ComponentEntry, SiteConfig
from wattkeeper.core.errors import ConfigError

FILE_NAME = "components.json"


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
    def __init__(self, data_dir: Path) -> None:
        self.path = data_dir / FILE_NAME

    def load(self) -> Overrides:
        if not self.path.exists():
            return Overrides()
        try:
            return Overrides.model_validate_json(self.path.read_text(encoding="utf-8"))
        except (OSError, ValidationError) as error:
            raise ConfigError(f"{self.path} is damaged: {error}") from None

    def save(self, overrides: Overrides) -> None:
        write_atomically(self.path, overrides.model_dump_json(indent=2))


def write_atomically(path: Path, text: str) -> None:
    """Write to a temporary file in the same folder, fsync, then rename over the target."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
