"""Where an edge keeps its data, and the URL file that tells `wattkeeper get/set` where it is."""

from __future__ import annotations

import contextlib
import os
from pathlib import Path

URL_FILE = "edge-url"


def default_data_dir() -> Path:
    env = os.environ.get("WATTKEEPER_DATA_DIR")
    if env:
        return Path(env)
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "wattkeeper"


def local_url(host: str, port: int) -> str:
    """The URL a client on this machine uses (a wildcard address is reached via loopback)."""
    if host in ("", "0.0.0.0"):
        host = "127.0.0.1"
    elif host == "::":
        host = "::1"
    if ":" in host:
        host = f"[{host}]"
    return f"http://{host}:{port}"


def write_edge_url(data_dir: Path, url: str) -> None:
    (data_dir / URL_FILE).write_text(url + "\n", encoding="utf-8")


def remove_edge_url(data_dir: Path) -> None:
    with contextlib.suppress(OSError):
        (data_dir / URL_FILE).unlink()


def read_edge_url(data_dir: Path) -> str | None:
    try:
        text = (data_dir / URL_FILE).read_text(encoding="utf-8").strip()
    except OSError:
        return None
    return text if text.startswith(("http://", "https://")) else None
