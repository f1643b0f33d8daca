"""Run-time configuration changes, persisted atomically in the data directory.

Only the differences from the site file are kept, so later edits of the site file still apply
to everything that was not changed at run time.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, Field, ValidationError

from wattkeeper.config.site import ComponentEntry, SiteConfig
from wattkeeper.core.errors import ConfigError, WattkeeperError

if TYPE_CHECKING:
    from wattkeeper.config.state import StateFile

SECTION = "components"
TEMP_MARK = ".tmp."  # in the names of write_atomically's temporary files


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
    """Write to a temporary file in the same folder, fsync, then rename over the target.

    An OSError becomes a StorageError naming the path; the target is left as it was.
    """
    tmp: str | None = None
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}{TEMP_MARK}")
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
        _sync_folder(path.parent)
    except OSError as error:
        _discard(tmp)
        raise StorageError(path, error) from None
    except BaseException:
        _discard(tmp)
        raise


def _sync_folder(folder: Path) -> None:
    """Make the rename itself durable (a power cut may otherwise bring back the old file)."""
    with contextlib.suppress(OSError):
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def _discard(tmp: str | None) -> None:
    if tmp is not None:
        with contextlib.suppress(OSError):
            os.unlink(tmp)


def clean_temporary_files(data_dir: Path) -> list[str]:
    """Remove what a crash left of write_atomically's temporary files; their names."""
    removed = []
    for leftover in data_dir.glob(f".*{TEMP_MARK}*") if data_dir.is_dir() else []:
        with contextlib.suppress(OSError):
            leftover.unlink()
            removed.append(leftover.name)
    return removed
