"""Edge notifications → rows: numbers only, bounded, with a clear refusal for the rest."""

from __future__ import annotations

import math
from typing import Any

from wattkeeper.backend.schema import AGGREGATES, RAW
from wattkeeper.backend.store import Row

TABLES = {"timestampedData": RAW, "aggregatedData": AGGREGATES, "resendData": AGGREGATES}
MAX_ROWS = 200_000  # one message; the websocket's size bound comes first in practice
_FIRST_TS, _LAST_TS = 946_684_800, 4_102_444_800  # 2000..2100: anything else is a broken clock


class BadData(ValueError):
    pass


def rows_of(params: Any) -> list[Row]:
    """`{ms timestamp: {address: value}}` → (address, seconds, value) rows; strings and
    objects are not time series and are left out."""
    if not isinstance(params, dict):
        raise BadData("params must be an object of timestamps")
    rows: list[Row] = []
    for stamp, values in params.items():
        try:
            ts = int(stamp) / 1000
        except ValueError:
            raise BadData(f"timestamp {stamp!r} is not epoch milliseconds") from None
        if not _FIRST_TS <= ts <= _LAST_TS or not isinstance(values, dict):
            raise BadData(f"timestamp {stamp!r}: out of range or not an object of values")
        for address, value in values.items():
            if isinstance(value, bool):
                value = int(value)
            if value is None or isinstance(value, int | float):
                if value is not None and not math.isfinite(value):
                    continue
                if not isinstance(address, str) or len(address) > 200:
                    raise BadData("channel addresses must be strings of up to 200 characters")
                rows.append((address, ts, None if value is None else float(value)))
        if len(rows) > MAX_ROWS:
            raise BadData(f"more than {MAX_ROWS} values in one message")
    return rows
