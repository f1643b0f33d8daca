"""Renders a time-series query result as CSV (RFC 4180, empty cell = no value)."""

import csv
import io
from collections.abc import Sequence

from wattkeeper.history.protocol import JsonDict


def render_csv(result: JsonDict, addresses: Sequence[str]) -> str:
    """Header `timestamp,<address>...`, then one row per timestamp."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["timestamp", *addresses])
    columns = [result["data"][address] for address in addresses]
    for index, stamp in enumerate(result["timestamps"]):
        writer.writerow([stamp, *("" if c[index] is None else c[index] for c in columns)])
    return out.getvalue()
