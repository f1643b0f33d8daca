"""Licence files on disk: directory layout under DATA_DIR/licenses and atomic writes."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from wattkeeper.licensing.licence import SignedLicence

LICENSES_DIR = "licenses"
INBOX_DIR = "inbox"  # licence files handed out with a key, not yet redeemed on this edge
REDEEMED_DIR = "redeemed"  # verified licences this edge has redeemed


def licenses_dir(data_dir: Path | str) -> Path:
    """``DATA_DIR/licenses``."""
    return Path(data_dir) / LICENSES_DIR


def inbox_dir(data_dir: Path | str) -> Path:
    """``DATA_DIR/licenses/inbox``."""
    return licenses_dir(data_dir) / INBOX_DIR


def redeemed_dir(data_dir: Path | str) -> Path:
    """``DATA_DIR/licenses/redeemed``."""
    return licenses_dir(data_dir) / REDEEMED_DIR


def licence_file_name(key_digits: str) -> str:
    """Files are named by the bare 16-digit key, so one key has at most one file per folder."""
    return f"{key_digits}.json"


def write_atomic(path: Path, text: str) -> None:
    """Write via a temp file in the same folder + os.replace: readers see old or new, never half."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def write_licence(folder: Path, signed: SignedLicence) -> Path:
    """Store ``signed`` as ``folder/<key>.json`` atomically; return the path."""
    path = folder / licence_file_name(signed.licence.key)
    write_atomic(path, signed.to_json())
    return path
