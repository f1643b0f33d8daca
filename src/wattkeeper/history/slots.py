"""Slot edges of a query: fixed steps in seconds, or local days and months."""

import math
from datetime import date, datetime, tzinfo
from typing import Final

from wattkeeper.history.errors import HistoryQueryError
from wattkeeper.history.protocol import Resolution

PERIODS: Final = ("day", "month")
# Up to the year 9999 minus a margin for timezone offsets: datetime cannot go further.
_LAST_TS: Final = 253_402_000_000


def check_range(from_ts: float, to_ts: float) -> None:
    """Reject non-finite bounds and a range that ends before it starts."""
    for name, value in (("from_ts", from_ts), ("to_ts", to_ts)):
        number = isinstance(value, int | float) and not isinstance(value, bool)
        if not number or not 0 <= value <= _LAST_TS:
            raise HistoryQueryError(
                f"{name} must be epoch seconds between 0 and {_LAST_TS}, got {value!r}"
            )
    if from_ts > to_ts:
        raise HistoryQueryError(f"from_ts ({from_ts}) is after to_ts ({to_ts})")


def _next_start(day: date, period: str) -> date:
    if period == "day":
        return date.fromordinal(day.toordinal() + 1)
    return date(day.year + day.month // 12, day.month % 12 + 1, 1)


def calendar_edges(
    from_ts: float, to_ts: float, period: str, zone: tzinfo, max_points: int
) -> list[float]:
    """`from_ts`, each local midnight starting a day/month inside the range, `to_ts`."""
    if period not in PERIODS:
        raise HistoryQueryError(f"period must be one of {', '.join(PERIODS)}, got {period!r}")
    if (to_ts - from_ts) / (86_400 if period == "day" else 28 * 86_400) > max_points:
        raise HistoryQueryError(f"more than {max_points} {period}s asked for")
    edges = [from_ts]
    start = datetime.fromtimestamp(from_ts, zone).date()
    if period == "month":
        start = start.replace(day=1)
    while True:
        start = _next_start(start, period)
        edge = datetime(start.year, start.month, start.day, tzinfo=zone).timestamp()
        if edge >= to_ts:
            break
        edges.append(edge)
    if to_ts > from_ts:
        edges.append(to_ts)
    return edges


def slot_edges(
    from_ts: float, to_ts: float, resolution: Resolution, zone: tzinfo, max_points: int
) -> list[float]:
    """Edges e0 < e1 < ... of the slots [e_i, e_i+1) covering [from_ts, to_ts)."""
    check_range(from_ts, to_ts)
    if isinstance(resolution, str):
        return calendar_edges(from_ts, to_ts, resolution, zone, max_points)
    if (
        isinstance(resolution, bool)
        or not isinstance(resolution, int | float)
        or not math.isfinite(resolution)
        or resolution <= 0
    ):
        raise HistoryQueryError(
            f"resolution must be a positive number of seconds or one of {PERIODS}, "
            f"got {resolution!r}"
        )
    count = math.ceil((to_ts - from_ts) / resolution)
    if count > max_points:
        raise HistoryQueryError(
            f"resolution {resolution} s gives {count} points over this range; "
            f"at most {max_points} are allowed"
        )
    edges = [from_ts + k * resolution for k in range(count)]
    edges.append(to_ts)
    return edges if count else [from_ts]
