"""Atomic file replacement: readers see the old content or the new, never a half-written file."""

from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path

TEMP_MARK = ".tmp."  # in the names of write_atomically's temporary files


def write_atomically(path: Path, text: str) -> None:
    """Write to a temporary file in the same folder, fsync, then rename over the target.

    On any error the temporary file is removed, the target is left as it was and the error
    propagates (callers turn an OSError into their own refusal).
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
    except BaseException:
        if tmp is not None:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
        raise
    _sync_folder(path.parent)


def _sync_folder(folder: Path) -> None:
    """Make the rename itself durable (a power cut may otherwise bring back the old file)."""
    with contextlib.suppress(OSError):
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def clean_temporary_files(folder: Path) -> list[str]:
    """Remove what a crash left of write_atomically's temporary files; their names."""
    removed = []
    for leftover in folder.glob(f".*{TEMP_MARK}*") if folder.is_dir() else []:
        with contextlib.suppress(OSError):
            leftover.unlink()
            removed.append(leftover.name)
    return removed
