"""Fixtures of the licence vendor tests: the licence service on a live loopback server."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from tests.licence_vendor.vendor_support import ADMIN_TOKEN
from tests.licensing.licensing_support import fixed_clock
from wattkeeper.licence_vendor.background import BackgroundServer
from wattkeeper.licence_vendor.demo import demo_signing_key
from wattkeeper.licence_vendor.server import build_license_app


@dataclass(frozen=True)
class LiveService:
    url: str
    db_path: Path


def _serve(db_path: Path, signing_key: Ed25519PrivateKey) -> Iterator[LiveService]:
    app = build_license_app(db_path, signing_key, ADMIN_TOKEN, clock=fixed_clock)
    with BackgroundServer(app, host="127.0.0.1", port=0) as server:
        yield LiveService(server.url, db_path)


@pytest.fixture
def service(tmp_path: Path) -> Iterator[LiveService]:
    """The licence service on a real uvicorn server, 127.0.0.1, free port, demo vendor key."""
    yield from _serve(tmp_path / "vendor.sqlite3", demo_signing_key())


@pytest.fixture
def rogue_service(tmp_path: Path) -> Iterator[LiveService]:
    """A licence service signing with a key the edge does not trust."""
    yield from _serve(tmp_path / "rogue.sqlite3", Ed25519PrivateKey.generate())
