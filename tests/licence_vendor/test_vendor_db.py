"""Vendor DB: issuing, redeeming, one edge per key even under concurrent redemption."""

from __future__ import annotations

import sqlite3
from contextlib import closing
from datetime import timedelta
from pathlib import Path

import pytest

from tests.licence_vendor.vendor_support import race
from tests.licensing.licensing_support import EDGE_A, EDGE_B, FIXED_NOW, MODBUS, REST, fixed_clock
from wattkeeper.licence_vendor.minting import generate_key
from wattkeeper.licence_vendor.vendor_db import Redemption, VendorDB
from wattkeeper.licensing.errors import AlreadyRedeemedError, UnknownAppError, UnknownKeyError


@pytest.fixture
def db(tmp_path: Path) -> VendorDB:
    return VendorDB(tmp_path / "vendor.sqlite3", clock=fixed_clock)


def test_issue_records_key_for_app(db: VendorDB) -> None:
    issued = db.issue(MODBUS)
    assert issued.key.app_id == MODBUS
    assert issued.issued_at == FIXED_NOW.replace(microsecond=0)
    assert db.lookup(issued.key) == issued
    assert db.issued_count() == 1


def test_issue_for_unknown_app_fails(db: VendorDB) -> None:
    with pytest.raises(UnknownAppError):
        db.issue("App.Unknown")
    assert db.issued_count() == 0


def test_redeem_binds_key_to_first_edge(db: VendorDB) -> None:
    key = db.issue(REST).key
    first = db.redeem(key, EDGE_A)
    assert first.edge_id == EDGE_A
    assert db.redeem(key, EDGE_A) == first  # same edge again: harmless, same record
    with pytest.raises(AlreadyRedeemedError, match="already redeemed on another edge"):
        db.redeem(key, EDGE_B)
    assert db.redemption(key) == first


def test_redeem_never_issued_key_is_unknown(db: VendorDB) -> None:
    key = generate_key(REST)
    with pytest.raises(UnknownKeyError, match="never issued"):
        db.redeem(key, EDGE_A)
    assert db.redemption(key) is None


def test_data_survives_reopening(db: VendorDB) -> None:
    key = db.issue(REST).key
    db.redeem(key, EDGE_A)
    reopened = VendorDB(db.path)
    with pytest.raises(AlreadyRedeemedError):
        reopened.redeem(key, EDGE_B)


def test_redemption_time_comes_from_the_clock(tmp_path: Path) -> None:
    moments = iter([FIXED_NOW, FIXED_NOW + timedelta(days=3)])
    db = VendorDB(tmp_path / "v.sqlite3", clock=lambda: next(moments))
    key = db.issue(REST).key
    assert db.redeem(key, EDGE_A).redeemed_at == (FIXED_NOW + timedelta(days=3)).replace(
        microsecond=0
    )


def test_schema_forbids_two_edges_per_key(db: VendorDB) -> None:
    # Defence in depth: even bypassing VendorDB, SQLite refuses a second binding.
    key = db.issue(REST).key
    db.redeem(key, EDGE_A)
    with closing(sqlite3.connect(db.path)) as conn, pytest.raises(sqlite3.IntegrityError):
        conn.execute(
            "INSERT INTO redemptions (key, edge_id, redeemed_at) VALUES (?, ?, ?)",
            (key.digits, EDGE_B, "2026-01-01T00:00:00Z"),
        )


@pytest.mark.parametrize("round_", range(5))
def test_concurrent_redemptions_bind_exactly_one_edge(db: VendorDB, round_: int) -> None:
    key = db.issue(REST).key
    edges = [f"edge-{round_}-{n}" for n in range(8)]
    outcomes = race(lambda edge: db.redeem(key, edge), edges)
    winners = [edge for edge, outcome in outcomes.items() if isinstance(outcome, Redemption)]
    losers = [e for e, outcome in outcomes.items() if isinstance(outcome, AlreadyRedeemedError)]
    assert len(winners) == 1, outcomes
    assert len(losers) == len(edges) - 1, outcomes
    assert db.redemption(key) == outcomes[winners[0]]
