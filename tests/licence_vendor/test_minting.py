"""Minting on the vendor's side: fresh keys, the demo key pair, offline licence files."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from tests.licensing.licensing_support import MODBUS, REST, fixed_clock
from wattkeeper.licence_vendor.demo import demo_signing_key
from wattkeeper.licence_vendor.minting import generate_key
from wattkeeper.licence_vendor.offline import issue_offline
from wattkeeper.licence_vendor.signing_keys import public_key_b64
from wattkeeper.licensing.apps import APP_CODES
from wattkeeper.licensing.demo_vendor import DEMO_PUBLIC_KEY_B64
from wattkeeper.licensing.errors import UnknownAppError


def test_generated_key_layout() -> None:
    key = generate_key(MODBUS)
    assert re.fullmatch(r"\d{16}", key.digits)
    assert key.digits.startswith(APP_CODES[MODBUS])
    assert key.app_id == MODBUS
    assert re.fullmatch(r"\d{4}-\d{4}-\d{4}-\d{4}", key.formatted())
    assert key.formatted().replace("-", "") == key.digits
    assert str(key) == key.formatted()


def test_generated_keys_are_random() -> None:
    keys = {generate_key(REST).digits for _ in range(300)}
    assert len(keys) == 300


def test_unknown_app_cannot_get_a_key() -> None:
    with pytest.raises(UnknownAppError, match=r"App\.Nope"):
        generate_key("App.Nope")


def test_demo_key_pair_belongs_together() -> None:
    assert public_key_b64(demo_signing_key().public_key()) == DEMO_PUBLIC_KEY_B64


def test_offline_issue_drops_licence_in_inbox(tmp_path: Path) -> None:
    issued = issue_offline(REST, tmp_path, clock=fixed_clock)
    assert issued.path == tmp_path / "licenses" / "inbox" / f"{issued.key.digits}.json"
    document = json.loads(issued.path.read_text())
    assert document["licence"]["edgeId"] is None
    assert document["licence"]["appId"] == REST
    assert document["licence"]["issuedAt"] == "2026-03-14T15:09:26Z"
