"""Renders a time-series query result as CSV (RFC 4180, empty cell = no value)."""

import csv
import io
from collections.abc import Sequence
from typing import Any

from wattkeeper.history.protocol import JsonDict


def _cell(value: Any) -> Any:
    """Whole numbers without a trailing ".0", which spreadsheets would otherwise keep."""
    if value is None:
        return ""
    return int(value) if isinstance(value, float) and value.is_integer() else value


def render_csv(result: JsonDict, addresses: Sequence[str]) -> str:
    """Header `timestamp,<address>...`, then one row per timestamp."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["timestamp", *addresses])
    columns = [result["data"][address] for address in addresses]
    for index, stamp in enumerate(result["timestamps"]):
        writer.writerow([stamp, *(_cell(column[index]) for column in columns)])
    return out.getvalue()
