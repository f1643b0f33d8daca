"""A stable edge id, made once and kept in the data directory (the fleet backend's key)."""

from __future__ import annotations

import uuid
from pathlib import Path

from wattkeeper.config.overrides import write_atomically


def edge_id(data_dir: Path) -> str:
    path = data_dir / "edge-id"
    if path.exists():
        value = path.read_text(encoding="utf-8").strip()
        if value:
            return value
    value = f"edge-{uuid.uuid4().hex[:12]}"
    write_atomically(path, value + "\n")
    return value
