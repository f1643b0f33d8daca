"""The audit trail keeps what matters: lease keep-alives do not flood it, old entries expire."""

from __future__ import annotations

from pathlib import Path

from wattkeeper.api.audit import AuditLog

DAY = 86400.0
T0 = 1_782_036_000.0


def write(log: AuditLog, t: float, value: int, remote: str = "10.0.0.2") -> None:
    log.record(t, remote, "owner", "owner", "ess0/SetActivePowerEquals", value, "rest")


def test_consecutive_identical_writes_are_one_entry_with_count_and_last_time(
    tmp_path: Path,
) -> None:
    log = AuditLog(tmp_path)
    for second in range(600):  # ten minutes of keep-alives, once a second
        write(log, T0 + second, 2000)
        if second % 2:
            write(log, T0 + second, 2000, remote="10.0.0.3")  # another client in between
    entries = log.read()
    assert sorted((e["remote"], e["count"]) for e in entries) == [
        ("10.0.0.2", 600),
        ("10.0.0.3", 300),
    ]
    entries.sort(key=lambda e: e["remote"])
    assert entries[0]["time"] == "2026-06-21T10:00:00.000+00:00"
    assert entries[0]["lastTime"] == "2026-06-21T10:09:59.000+00:00"
    write(log, T0 + 600, 1000)
    write(log, T0 + 601, 2000)  # the same value again, but not consecutive: a new entry
    assert [e["value"] for e in log.read(3)] == [2000, 1000, 2000]
    log.close()
    assert (tmp_path / "audit.sqlite").stat().st_size < 64 * 1024


def test_entries_are_kept_for_the_retention_period(tmp_path: Path) -> None:
    log = AuditLog(tmp_path)  # 90 days by default
    write(log, T0, 1)
    write(log, T0 + 10 * DAY, 2)
    write(log, T0 + 95 * DAY, 3)
    assert [e["value"] for e in log.read()] == [3, 2]
    (tmp_path / "short").mkdir()
    short = AuditLog(tmp_path / "short", retention_days=1)
    write(short, T0, 1)
    write(short, T0 + 2 * DAY, 2)
    assert [e["value"] for e in short.read()] == [2]
    log.close()
    short.close()


def test_a_log_from_before_refusals_were_recorded_is_migrated(tmp_path: Path) -> None:
    import sqlite3

    with sqlite3.connect(tmp_path / "audit.sqlite") as old:
        old.execute(
            "CREATE TABLE entry (id INTEGER PRIMARY KEY, first REAL NOT NULL, last REAL NOT NULL,"
            " count INTEGER NOT NULL, remote TEXT NOT NULL, user TEXT NOT NULL, role TEXT NOT NULL,"
            " channel TEXT NOT NULL, value TEXT NOT NULL, via TEXT NOT NULL)"
        )
        old.execute(
            "INSERT INTO entry VALUES (1, 10, 10, 1, '1.2.3.4', 'owner', 'owner',"
            " 'ess0/SetActivePowerEquals', '5000', 'rest')"
        )
    log = AuditLog(tmp_path)
    log.record(
        20, "mqtt://b", "owner", "owner", "ess0/SetActivePowerEquals", 1, "mqtt", "refused: x"
    )
    assert [(e["value"], e["outcome"]) for e in log.read()] == [
        (1, "refused: x"),
        (5000, "accepted"),
    ]
    log.close()
