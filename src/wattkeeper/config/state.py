"""`state.json`: every run-time change of components and apps in one file, written atomically.

Installing an app changes components and the app list together; as two files a crash between
the writes left them disagreeing. One file, replaced whole by a rename, is before or after the
change, never between. A transaction groups several changes into one write.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from wattkeeper.config.overrides import StorageError, write_atomically
from wattkeeper.core.errors import ConfigError

log = logging.getLogger(__name__)

FILE_NAME = "state.json"
#: the files of earlier versions, one per section; read once, removed after the first write
LEGACY = {"components": "components.json", "apps": "apps.json"}


class StateFile:
    def __init__(self, data_dir: Path) -> None:
        self.data_dir = data_dir
        self.path = data_dir / FILE_NAME
        self._sections: dict[str, Any] = {}
        self._depth = 0
        self._dirty = False
        self._load()

    def _load(self) -> None:
        if self.path.exists():
            self._sections = _read(self.path)
            return
        for section, name in LEGACY.items():
            legacy = self.data_dir / name
            if legacy.exists():
                self._sections[section] = _read(legacy)

    def get(self, section: str) -> Any | None:
        return self._sections.get(section)

    def put(self, section: str, data: Any) -> None:
        """Replace a section; written at once, or when the outermost transaction ends."""
        self._sections[section] = data
        self._dirty = True
        if self._depth == 0:
            self.flush()

    @contextlib.contextmanager
    def transaction(self) -> Iterator[None]:
        """Changes inside are written together when the outermost transaction ends."""
        self._depth += 1
        try:
            yield
        finally:
            self._depth -= 1
            if self._depth == 0 and self._dirty:
                self.flush()

    def flush(self) -> None:
        write_atomically(self.path, json.dumps(self._sections, indent=2, ensure_ascii=False))
        self._dirty = False
        for name in LEGACY.values():
            with contextlib.suppress(FileNotFoundError):
                os.unlink(self.data_dir / name)

    def check_writable(self) -> None:
        """Refuse a change up front (StorageError naming the path) if it could not be saved."""
        probe = self.data_dir / f".{FILE_NAME}.probe"
        try:
            with open(probe, "w", encoding="utf-8") as handle:
                handle.write("probe")
                handle.flush()
                os.fsync(handle.fileno())
            probe.unlink()
        except OSError as error:
            raise StorageError(self.path, error) from None


def _read(path: Path) -> Any:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        raise ConfigError(f"{path} is damaged: {error}") from None
    if not isinstance(data, dict):
        raise ConfigError(f"{path} is damaged: not a JSON object")
    return data
