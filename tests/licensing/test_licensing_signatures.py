"""Signed licences: canonical encoding, verification, forgeries, alterations, trusted keys."""

from __future__ import annotations

import base64
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from tests.licensing.licensing_support import EDGE_A, FIXED_NOW, MODBUS, REST
from wattkeeper.licence_vendor.demo import demo_signing_key
from wattkeeper.licence_vendor.minting import generate_key, sign, sign_licence
from wattkeeper.licence_vendor.signing_keys import public_key_b64, public_key_pem
from wattkeeper.licensing.demo_vendor import DEMO_PUBLIC_KEY_B64, default_trusted_keys, demo_key_id
from wattkeeper.licensing.errors import (
    InvalidSignatureError,
    MalformedLicenceError,
    VendorKeyError,
    WrongAppError,
)
from wattkeeper.licensing.licence import SignedLicence, verify_document, verify_json
from wattkeeper.licensing.signing import canonical_json, key_id, trusted_keys


def demo_licence(edge_id: str | None = EDGE_A, app_id: str = REST) -> SignedLicence:
    return sign_licence(demo_signing_key(), generate_key(app_id), edge_id, FIXED_NOW)


def test_canonical_json_is_sorted_compact_utf8() -> None:
    assert canonical_json({"b": 1, "a": "ü", "c": None}) == '{"a":"ü","b":1,"c":null}'.encode()


def test_licence_document_shape() -> None:
    signed = demo_licence()
    document = signed.to_document()
    assert set(document) == {"licence", "signature"}
    assert document["licence"] == {
        "key": signed.licence.key,
        "appId": REST,
        "edgeId": EDGE_A,
        "issuedAt": "2026-03-14T15:09:26Z",
        "vendor": demo_key_id(),
    }
    assert len(base64.b64decode(document["signature"])) == 64


@pytest.mark.parametrize("edge_id", [EDGE_A, None])
def test_round_trip_through_json_verifies(edge_id: str | None) -> None:
    signed = demo_licence(edge_id)
    assert verify_json(signed.to_json(), default_trusted_keys()) == signed


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("edgeId", "edge-of-the-attacker"),
        ("edgeId", None),
        ("issuedAt", "2030-01-01T00:00:00Z"),
        ("vendor", "ed25519:0000000000000000"),
    ],
)
def test_altered_licence_is_rejected(field: str, value: Any) -> None:
    document = demo_licence().to_document()
    document["licence"][field] = value
    with pytest.raises(InvalidSignatureError):
        verify_document(document, default_trusted_keys())


def test_altered_key_is_rejected() -> None:
    document = demo_licence().to_document()
    document["licence"]["key"] = generate_key(REST).digits
    with pytest.raises(InvalidSignatureError, match="altered or forged"):
        verify_document(document, default_trusted_keys())


def test_licence_signed_by_untrusted_vendor_is_rejected(foreign_key: Ed25519PrivateKey) -> None:
    forged = sign_licence(foreign_key, generate_key(REST), EDGE_A, FIXED_NOW)
    with pytest.raises(InvalidSignatureError, match="does not trust"):
        verify_document(forged.to_document(), default_trusted_keys())


def test_forgery_claiming_the_demo_vendor_is_rejected(foreign_key: Ed25519PrivateKey) -> None:
    payload = demo_licence().licence.payload()  # says vendor = demo key id
    document = {"licence": payload, "signature": sign(foreign_key, payload)}
    with pytest.raises(InvalidSignatureError, match="invalid signature"):
        verify_document(document, default_trusted_keys())


def test_edge_that_trusts_only_a_real_vendor_rejects_demo_licences(
    foreign_key: Ed25519PrivateKey,
) -> None:
    real_vendor = trusted_keys([public_key_pem(foreign_key.public_key()).decode()])
    real = sign_licence(foreign_key, generate_key(REST), EDGE_A, FIXED_NOW)
    assert verify_document(real.to_document(), real_vendor) == real
    with pytest.raises(InvalidSignatureError, match="does not trust"):
        verify_document(demo_licence().to_document(), real_vendor)


def test_trusted_keys_accepts_pem_and_base64(foreign_key: Ed25519PrivateKey) -> None:
    public = foreign_key.public_key()
    keys = trusted_keys([public_key_pem(public), public_key_b64(public), DEMO_PUBLIC_KEY_B64])
    assert set(keys) == {key_id(public), demo_key_id()}


@pytest.mark.parametrize(
    "text",
    ["", "not base64!", base64.b64encode(b"short").decode(), "-----BEGIN PUBLIC KEY-----\nxx\n"],
)
def test_bad_public_key_is_a_clear_error(text: str) -> None:
    with pytest.raises(VendorKeyError, match="cannot load vendor public key"):
        trusted_keys([text])


def test_trusted_keys_needs_at_least_one() -> None:
    with pytest.raises(VendorKeyError, match="at least one"):
        trusted_keys([])


@pytest.mark.parametrize(
    "mutate",
    [
        lambda d: d.pop("signature"),
        lambda d: d.update(extra=1),
        lambda d: d["licence"].pop("edgeId"),
        lambda d: d["licence"].update(unsigned="field"),
        lambda d: d["licence"].update(edgeId=42),
        lambda d: d.update(signature=None),
    ],
)
def test_malformed_documents_are_rejected(mutate: Any) -> None:
    document = demo_licence().to_document()
    mutate(document)
    with pytest.raises(MalformedLicenceError):
        verify_document(document, default_trusted_keys())


@pytest.mark.parametrize("signature", ["%%%not-base64%%%", base64.b64encode(b"x" * 64).decode()])
def test_garbage_signature_is_rejected(signature: str) -> None:
    document = demo_licence().to_document()
    document["signature"] = signature
    with pytest.raises(InvalidSignatureError):
        verify_document(document, default_trusted_keys())


def test_not_json_is_malformed() -> None:
    with pytest.raises(MalformedLicenceError, match="not valid JSON"):
        verify_json("{licence", default_trusted_keys())


def test_signed_but_self_contradictory_licence_is_refused() -> None:
    # Only the vendor can produce this (it is signed), but the edge still refuses to guess.
    key = generate_key(MODBUS)
    payload = {
        "key": key.digits,
        "appId": REST,
        "edgeId": None,
        "issuedAt": "2026-03-14T15:09:26Z",
        "vendor": demo_key_id(),
    }
    document = {"licence": payload, "signature": sign(demo_signing_key(), payload)}
    with pytest.raises(WrongAppError, match=f"its key is for {MODBUS}"):
        verify_document(document, default_trusted_keys())
