"""Licence files on disk: directory layout under DATA_DIR/licenses and atomic writes."""

from __future__ import annotations

from pathlib import Path

from wattkeeper.files.atomic import write_atomically
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


def write_licence(folder: Path, signed: SignedLicence) -> Path:
    """Store ``signed`` as ``folder/<key>.json`` atomically; return the path."""
    path = folder / licence_file_name(signed.licence.key)
    write_atomically(path, signed.to_json())
    return path
