"""CLI: `license import`, the edge's side of `wattkeeper license`, parsed by the real parser."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.licensing.licensing_support import EDGE_A, REST
from wattkeeper.cli.main import build_parser
from wattkeeper.licence_vendor.offline import issue_offline
from wattkeeper.licensing.store import inbox_dir
from wattkeeper.licensing.wallet import LicenceWallet


def run(*argv: str) -> int:
    args = build_parser().parse_args(argv)
    result: int = args.handler(args)
    return result


def test_import_verifies_and_puts_the_licence_in_the_inbox(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    issued = issue_offline(REST, tmp_path / "vendor-side")
    edge = tmp_path / "edge"
    assert run("license", "import", str(issued.path), "--data-dir", str(edge)) == 0
    assert capsys.readouterr().out.rstrip().splitlines()[-1] == issued.key.digits
    assert (inbox_dir(edge) / issued.path.name).is_file()
    assert LicenceWallet(edge).redeem(issued.key.formatted(), REST, EDGE_A).licence.app_id == REST


def test_import_of_an_altered_file_is_one_line_and_exit_1(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    issued = issue_offline(REST, tmp_path / "vendor-side")
    document = json.loads(issued.path.read_text())
    document["licence"]["edgeId"] = "someone-else"
    issued.path.write_text(json.dumps(document))
    edge = tmp_path / "edge"
    assert run("license", "import", str(issued.path), "--data-dir", str(edge)) == 1
    err = capsys.readouterr().err
    assert err.startswith("error: ") and "altered or forged" in err
    assert len(err.splitlines()) == 1
    assert not inbox_dir(edge).exists()


def test_the_license_group_offers_the_vendor_commands_too() -> None:
    for argv in (["license", "issue", "--app", REST], ["license", "keygen", "--out", "k.pem"]):
        assert callable(build_parser().parse_args(argv).handler)
    assert callable(build_parser().parse_args(["license-server", "--db", "v.db"]).handler)
