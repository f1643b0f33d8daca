"""`wattkeeper backend --signing-key/--admin-token`: the licence service's settings, read the
vendor licence server's way."""

from __future__ import annotations

from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from wattkeeper.backend.cli import _licensing
from wattkeeper.cli import build_parser
from wattkeeper.licence_vendor import demo_signing_key
from wattkeeper.licence_vendor.signing_keys import private_key_pem, public_key_b64

URLS = ["--database", "postgresql://u:p@127.0.0.1:1/db", "--nats", "nats://127.0.0.1:1"]


def _args(*extra: str):  # type: ignore[no-untyped-def]
    return build_parser().parse_args(["backend", *URLS, *extra])


def test_the_vendor_key_file_and_admin_token(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    vendor = Ed25519PrivateKey.generate()
    (tmp_path / "vendor.pem").write_bytes(private_key_pem(vendor))
    monkeypatch.delenv("WATTKEEPER_LICENSE_ADMIN_TOKEN", raising=False)
    settings = _licensing(
        _args("--signing-key", str(tmp_path / "vendor.pem"), "--admin-token", "t")
    )
    assert public_key_b64(settings.signing_key.public_key()) == public_key_b64(vendor.public_key())
    assert settings.admin_token == "t"
    monkeypatch.setenv("WATTKEEPER_LICENSE_ADMIN_TOKEN", "from-env")
    assert (
        _licensing(_args("--signing-key", str(tmp_path / "vendor.pem"))).admin_token == "from-env"
    )


def test_without_a_key_the_demo_key_with_a_warning(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("WATTKEEPER_LICENSE_ADMIN_TOKEN", raising=False)
    settings = _licensing(_args())
    demo = demo_signing_key().public_key()
    assert public_key_b64(settings.signing_key.public_key()) == public_key_b64(demo)
    assert settings.admin_token is None  # issuing over HTTP is off
    assert "DEMO vendor key" in capsys.readouterr().err


def test_an_unreadable_key_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(SystemExit, match=r"cannot read signing key .*missing\.pem"):
        _licensing(_args("--signing-key", str(tmp_path / "missing.pem")))
    (tmp_path / "bad.pem").write_text("not a key")
    with pytest.raises(SystemExit, match="cannot load vendor signing key"):
        _licensing(_args("--signing-key", str(tmp_path / "bad.pem")))


def test_a_node_needs_nats() -> None:
    args = build_parser().parse_args(["backend", *URLS[:2]])
    with pytest.raises(SystemExit, match="--nats is required"):
        args.handler(args)
