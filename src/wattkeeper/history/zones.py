"""Resolves the timezone argument of a query into a tzinfo."""

from datetime import UTC, tzinfo
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from wattkeeper.history.errors import HistoryQueryError


def resolve_zone(tz: str | tzinfo | None) -> tzinfo:
    """None means UTC; a string must be an IANA name such as "Europe/Berlin"."""
    if tz is None:
        return UTC
    if isinstance(tz, tzinfo):
        return tz
    if not isinstance(tz, str) or not tz:
        raise HistoryQueryError(f"timezone must be an IANA name, got {tz!r}")
    try:
        return ZoneInfo(tz)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise HistoryQueryError(f"unknown timezone {tz!r}") from exc
