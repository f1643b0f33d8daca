"""Edge wallet: offline licences, binding checks, persistence, tampering, imports."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from tests.licensing.licensing_support import EDGE_A, EDGE_B, FIXED_NOW, MODBUS, REST, fixed_clock
from wattkeeper.licence_vendor.demo import demo_signing_key
from wattkeeper.licence_vendor.minting import generate_key, sign_licence
from wattkeeper.licence_vendor.offline import issue_offline
from wattkeeper.licence_vendor.signing_keys import public_key_b64
from wattkeeper.licensing.errors import (
    InvalidSignatureError,
    KeyTypoError,
    LicenceFileError,
    UnknownKeyError,
    WrongAppError,
    WrongEdgeError,
)
from wattkeeper.licensing.signing import trusted_keys
from wattkeeper.licensing.store import inbox_dir, redeemed_dir, write_licence
from wattkeeper.licensing.wallet import LicenceWallet


def test_offline_licence_redeems_on_any_edge_with_that_data_dir(tmp_path: Path) -> None:
    issued = issue_offline(REST, tmp_path, clock=fixed_clock)
    wallet = LicenceWallet(tmp_path)
    assert not wallet.has_valid_licence(REST, EDGE_A)
    signed = wallet.redeem(f"  {issued.key.formatted().replace('-', ' ')} ", REST, EDGE_A)
    assert signed == issued.licence
    assert (redeemed_dir(tmp_path) / f"{issued.key.digits}.json").is_file()
    assert wallet.has_valid_licence(REST, EDGE_A)
    assert not wallet.has_valid_licence(MODBUS, EDGE_A)
    assert wallet.list_licences() == [signed]
    # Re-entering the key is harmless and needs neither inbox nor service.
    (inbox_dir(tmp_path) / f"{issued.key.digits}.json").unlink()
    assert wallet.redeem(issued.key.digits, REST, EDGE_A) == signed


def test_wallet_state_persists_across_instances(tmp_path: Path) -> None:
    issued = issue_offline(MODBUS, tmp_path)
    LicenceWallet(tmp_path).redeem(issued.key.digits, MODBUS, EDGE_A)
    fresh = LicenceWallet(tmp_path)
    assert fresh.has_valid_licence(MODBUS, EDGE_A)
    assert [s.licence.key for s in fresh.list_licences()] == [issued.key.digits]


def test_no_temp_files_are_left_behind(tmp_path: Path) -> None:
    issued = issue_offline(REST, tmp_path)
    LicenceWallet(tmp_path).redeem(issued.key.digits, REST, EDGE_A)
    assert [p.name for p in redeemed_dir(tmp_path).iterdir()] == [f"{issued.key.digits}.json"]


def test_typo_is_reported_before_anything_else(tmp_path: Path) -> None:
    issued = issue_offline(REST, tmp_path)
    digits = issued.key.digits
    mistyped = digits[:-1] + str((int(digits[-1]) + 1) % 10)
    with pytest.raises(KeyTypoError, match="check the key"):
        # Even a wrong app and an unreachable service are not looked at for a typo.
        LicenceWallet(tmp_path).redeem(mistyped, MODBUS, EDGE_A, service_url="http://127.0.0.1:9")
    assert not redeemed_dir(tmp_path).exists()


def test_key_for_another_app_is_refused_offline(tmp_path: Path) -> None:
    issued = issue_offline(MODBUS, tmp_path)
    with pytest.raises(WrongAppError, match=f"this key is for app {MODBUS}, not {REST}"):
        LicenceWallet(tmp_path).redeem(issued.key.digits, REST, EDGE_A)


def test_without_file_or_service_the_key_is_unknown(tmp_path: Path) -> None:
    with pytest.raises(UnknownKeyError, match="no licence service configured"):
        LicenceWallet(tmp_path).redeem(generate_key(REST).digits, REST, EDGE_A)


def test_licence_bound_to_another_edge_is_refused(tmp_path: Path) -> None:
    key = generate_key(REST)
    write_licence(inbox_dir(tmp_path), sign_licence(demo_signing_key(), key, EDGE_B, FIXED_NOW))
    wallet = LicenceWallet(tmp_path)
    with pytest.raises(WrongEdgeError, match="bound to edge 'edge-b-0002'"):
        wallet.redeem(key.digits, REST, EDGE_A)
    assert wallet.redeem(key.digits, REST, EDGE_B).licence.edge_id == EDGE_B


def test_forged_inbox_licence_is_rejected(tmp_path: Path, foreign_key: Ed25519PrivateKey) -> None:
    key = generate_key(REST)
    write_licence(inbox_dir(tmp_path), sign_licence(foreign_key, key, None, FIXED_NOW))
    wallet = LicenceWallet(tmp_path)
    with pytest.raises(InvalidSignatureError, match="does not trust"):
        wallet.redeem(key.digits, REST, EDGE_A)
    assert not wallet.has_valid_licence(REST, EDGE_A)


def test_altered_inbox_licence_is_rejected(tmp_path: Path) -> None:
    issued = issue_offline(MODBUS, tmp_path)
    document = json.loads(issued.path.read_text())
    document["licence"]["edgeId"] = EDGE_A  # looks harmless, but it is not what was signed
    issued.path.write_text(json.dumps(document))
    with pytest.raises(InvalidSignatureError, match="altered or forged"):
        LicenceWallet(tmp_path).redeem(issued.key.digits, MODBUS, EDGE_A)


def test_licence_copied_under_another_keys_name_is_rejected(tmp_path: Path) -> None:
    issued = issue_offline(REST, tmp_path)
    other = generate_key(REST)
    issued.path.rename(inbox_dir(tmp_path) / f"{other.digits}.json")
    with pytest.raises(InvalidSignatureError, match=f"holds key {issued.key.digits}"):
        LicenceWallet(tmp_path).redeem(other.digits, REST, EDGE_A)


def test_hand_edited_redeemed_licence_is_rejected_on_load(tmp_path: Path) -> None:
    issued = issue_offline(REST, tmp_path)
    wallet = LicenceWallet(tmp_path)
    wallet.redeem(issued.key.digits, REST, EDGE_A)
    stored = redeemed_dir(tmp_path) / f"{issued.key.digits}.json"
    document = json.loads(stored.read_text())
    document["licence"]["appId"] = MODBUS
    stored.write_text(json.dumps(document))

    fresh = LicenceWallet(tmp_path)
    assert fresh.list_licences() == []
    assert not fresh.has_valid_licence(REST, EDGE_A)
    assert not fresh.has_valid_licence(MODBUS, EDGE_A)
    [rejected] = fresh.rejected_files()
    assert rejected.path == stored
    assert "altered or forged" in rejected.reason


def test_damaged_redeemed_file_can_be_redeemed_again(tmp_path: Path) -> None:
    issued = issue_offline(REST, tmp_path)
    wallet = LicenceWallet(tmp_path)
    wallet.redeem(issued.key.digits, REST, EDGE_A)
    (redeemed_dir(tmp_path) / f"{issued.key.digits}.json").write_text("{garbage")
    assert not wallet.has_valid_licence(REST, EDGE_A)
    wallet.redeem(issued.key.digits, REST, EDGE_A)  # inbox copy is still good
    assert wallet.has_valid_licence(REST, EDGE_A)
    assert wallet.rejected_files() == []


def test_edge_trusting_only_a_real_vendor_refuses_demo_licences(
    tmp_path: Path, foreign_key: Ed25519PrivateKey
) -> None:
    real_vendor = trusted_keys([public_key_b64(foreign_key.public_key())])
    demo = issue_offline(REST, tmp_path)
    real = issue_offline(REST, tmp_path, signing_key=foreign_key)
    wallet = LicenceWallet(tmp_path, real_vendor)
    with pytest.raises(InvalidSignatureError, match="does not trust"):
        wallet.redeem(demo.key.digits, REST, EDGE_A)
    assert wallet.redeem(real.key.digits, REST, EDGE_A) == real.licence


def test_import_licence_file(tmp_path: Path) -> None:
    handed_out = issue_offline(MODBUS, tmp_path / "vendor-side")
    edge_dir = tmp_path / "edge"
    wallet = LicenceWallet(edge_dir)
    imported = wallet.import_file(handed_out.path)
    assert imported == handed_out.licence
    assert wallet.redeem(handed_out.key.formatted(), MODBUS, EDGE_A) == imported


def test_import_rejects_tampered_and_missing_files(tmp_path: Path) -> None:
    handed_out = issue_offline(MODBUS, tmp_path / "vendor-side")
    text = handed_out.path.read_text().replace(MODBUS, REST)
    tampered = tmp_path / "tampered.json"
    tampered.write_text(text)
    wallet = LicenceWallet(tmp_path / "edge")
    with pytest.raises(InvalidSignatureError):
        wallet.import_file(tampered)
    with pytest.raises(LicenceFileError, match="cannot read licence file"):
        wallet.import_file(tmp_path / "missing.json")
    assert not inbox_dir(tmp_path / "edge").exists()
