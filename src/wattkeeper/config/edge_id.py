"""A stable edge id, made once and kept in the data directory (the fleet backend's key)."""

from __future__ import annotations

import logging
import uuid
from pathlib import Path

from wattkeeper.config.overrides import StorageError, write_atomically

log = logging.getLogger(__name__)


def edge_id(data_dir: Path) -> str:
    path = data_dir / "edge-id"
    if path.exists():
        value = path.read_text(encoding="utf-8").strip()
        if value:
            return value
    value = f"edge-{uuid.uuid4().hex[:12]}"
    try:
        write_atomically(path, value + "\n")
    except StorageError as error:
        log.error("%s: edge id %s holds until the edge stops", error, value)
    return value
