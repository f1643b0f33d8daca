"""CSV export of a time series."""

import csv
import io

from conftest import T0
from wattkeeper.history import SqliteHistoryStore

GRID, BUY = "_sum/GridActivePower", "_sum/GridBuyActiveEnergy"


def test_csv_has_a_header_local_timestamps_and_empty_gaps(store: SqliteHistoryStore) -> None:
    for i in range(600):
        store.record(T0 + i, {GRID: 10 if i < 300 else None, BUY: 1000 + i})
    text = store.export_csv(T0, T0 + 900, [GRID, BUY], 300, "Europe/Berlin")
    assert list(csv.reader(io.StringIO(text))) == [
        ["timestamp", GRID, BUY],
        ["2026-11-24T01:00:00+01:00", "10", "1299"],
        ["2026-11-24T01:05:00+01:00", "", "1599"],
        ["2026-11-24T01:10:00+01:00", "", ""],
    ]
    assert text.startswith("timestamp,_sum/GridActivePower,_sum/GridBuyActiveEnergy\r\n")


def test_csv_quotes_nothing_it_does_not_need_to(store: SqliteHistoryStore) -> None:
    text = store.export_csv(T0, T0, [GRID], 300)
    assert text == "timestamp,_sum/GridActivePower\r\n"
