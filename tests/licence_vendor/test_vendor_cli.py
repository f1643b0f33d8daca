"""CLI: `license issue|keygen|import` and `license-server`, parsed by the real wattkeeper parser."""

from __future__ import annotations

import stat
from pathlib import Path
from typing import Any

import pytest

from tests.licensing.licensing_support import EDGE_A, MODBUS, REST
from wattkeeper.cli.main import build_parser
from wattkeeper.licence_vendor import cli, server
from wattkeeper.licence_vendor.signing_keys import load_private_key
from wattkeeper.licence_vendor.vendor_db import VendorDB
from wattkeeper.licensing.demo_vendor import demo_key_id
from wattkeeper.licensing.errors import AlreadyRedeemedError
from wattkeeper.licensing.keys import parse_key
from wattkeeper.licensing.signing import trusted_keys
from wattkeeper.licensing.wallet import LicenceWallet


def run(*argv: str) -> int:
    args = build_parser().parse_args(argv)
    result: int = args.handler(args)
    return result


def last_line(text: str) -> str:
    return text.rstrip("\n").splitlines()[-1]


def test_issue_offline_prints_key_as_last_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run("license", "issue", "--app", REST, "--data-dir", str(tmp_path)) == 0
    out = capsys.readouterr().out
    assert "DEMO" in out
    key = parse_key(last_line(out))
    assert last_line(out) == key.formatted()
    assert key.app_id == REST
    licence = LicenceWallet(tmp_path).redeem(last_line(out), REST, EDGE_A)
    assert licence.licence.vendor == demo_key_id()


def test_issue_into_vendor_db(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    db_path = tmp_path / "vendor.sqlite3"
    assert run("license", "issue", "--app", MODBUS, "--db", str(db_path)) == 0
    key = parse_key(last_line(capsys.readouterr().out))
    db = VendorDB(db_path)
    assert db.lookup(key).app_id == MODBUS
    db.redeem(key, EDGE_A)
    with pytest.raises(AlreadyRedeemedError):
        db.redeem(key, "edge-other")


def test_issue_needs_a_destination(capsys: pytest.CaptureFixture[str]) -> None:
    assert run("license", "issue", "--app", REST) == 1
    assert "needs --data-dir" in capsys.readouterr().err


def test_issue_for_unknown_app_is_a_clear_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run("license", "issue", "--app", "App.Nope", "--data-dir", str(tmp_path)) == 1
    assert "App.Nope" in capsys.readouterr().err


def test_keygen_then_real_vendor_issue_and_import(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    key_file = tmp_path / "vendor.pem"
    assert run("license", "keygen", "--out", str(key_file)) == 0
    public_b64 = last_line(capsys.readouterr().out)
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert (tmp_path / "vendor.pem.pub").read_text().startswith("-----BEGIN PUBLIC KEY-----")
    load_private_key(key_file.read_bytes())

    vendor_side = tmp_path / "vendor-side"
    argv = ["--app", REST, "--data-dir", str(vendor_side), "--signing-key", str(key_file)]
    assert run("license", "issue", *argv) == 0
    out = capsys.readouterr().out
    assert "DEMO" not in out
    key = parse_key(last_line(out))

    [licence_file] = (vendor_side / "licenses" / "inbox").iterdir()
    edge = tmp_path / "edge"
    # The default (demo) trust refuses the real vendor's licence ...
    assert run("license", "import", str(licence_file), "--data-dir", str(edge)) == 1
    assert "does not trust" in capsys.readouterr().err
    # ... trusting the vendor's public key accepts it.
    argv = [str(licence_file), "--data-dir", str(edge), "--trusted-key", public_b64]
    assert run("license", "import", *argv) == 0
    wallet = LicenceWallet(edge, trusted_keys([public_b64]))
    assert wallet.redeem(key.digits, REST, EDGE_A).licence.key == key.digits


def test_keygen_never_overwrites(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    key_file = tmp_path / "vendor.pem"
    key_file.write_text("precious")
    assert run("license", "keygen", "--out", str(key_file)) == 1
    assert key_file.read_text() == "precious"
    assert "refusing to overwrite" in capsys.readouterr().err


def test_license_server_warns_about_demo_key_and_serves(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: list[tuple[Any, ...]] = []
    monkeypatch.setattr(server, "serve", lambda *args: calls.append(args))
    monkeypatch.delenv(cli.ADMIN_TOKEN_ENV, raising=False)
    db_path = str(tmp_path / "v.sqlite3")
    assert run("license-server", "--db", db_path, "--port", "0", "--admin-token", "t0k") == 0
    assert "DEMO" in capsys.readouterr().err
    [(host, port, db, signing_key, token)] = calls
    assert (host, port, db, token) == ("127.0.0.1", 0, db_path, "t0k")
    assert signing_key is not None


def test_license_server_with_missing_signing_key_fails_clearly(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    missing = str(tmp_path / "nope.pem")
    assert run("license-server", "--db", str(tmp_path / "v.db"), "--signing-key", missing) == 1
    assert "cannot read signing key" in capsys.readouterr().err
