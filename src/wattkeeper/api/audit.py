"""The audit log: every accepted write, readable by a person, bounded in size."""

from __future__ import annotations

import json
import logging
import logging.handlers
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from wattkeeper.core.channel import Value

MAX_BYTES = 1_000_000
BACKUPS = 3


class AuditLog:
    """JSON lines in `audit.log`, rotated at 1 MB with three old files kept (≤ 4 MB in all)."""

    def __init__(self, data_dir: Path) -> None:
        self.path = data_dir / "audit.log"
        self._logger = logging.getLogger(f"wattkeeper.audit.{id(self)}")
        self._logger.propagate = False
        self._logger.setLevel(logging.INFO)
        self._handler = logging.handlers.RotatingFileHandler(
            self.path, maxBytes=MAX_BYTES, backupCount=BACKUPS, encoding="utf-8"
        )
        self._logger.addHandler(self._handler)

    def record(
        self,
        timestamp: float,
        remote: str,
        user: str,
        role: str,
        address: str,
        value: Value,
        via: str,
    ) -> None:
        entry = {
            "time": datetime.fromtimestamp(timestamp, UTC).isoformat(timespec="milliseconds"),
            "remote": remote,
            "user": user,
            "role": role,
            "channel": address,
            "value": value,
            "via": via,
        }
        self._logger.info("%s", json.dumps(entry, ensure_ascii=False))
        self._handler.flush()

    def read(self, limit: int = 100) -> list[dict[str, Any]]:
        """The newest `limit` entries, newest first."""
        entries: list[dict[str, Any]] = []
        files = [self.path] + [Path(f"{self.path}.{i}") for i in range(1, BACKUPS + 1)]
        for path in files:
            if not path.exists() or len(entries) >= limit:
                continue
            lines = path.read_text(encoding="utf-8").splitlines()
            for line in reversed(lines):
                try:
                    entries.append(json.loads(line))
                except ValueError:
                    continue
                if len(entries) >= limit:
                    break
        return entries

    def close(self) -> None:
        self._logger.removeHandler(self._handler)
        self._handler.close()
