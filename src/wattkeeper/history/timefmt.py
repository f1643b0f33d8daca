"""Formats slot starts as ISO 8601 strings in the query's timezone, fast."""

from collections.abc import Sequence
from datetime import UTC, datetime, tzinfo
from typing import Final

_SECONDS: Final = [f"{second:02d}" for second in range(60)]


def _iso(moment: datetime) -> str:
    text = moment.isoformat()
    return text[:-6] + "Z" if moment.tzinfo is UTC and text.endswith("+00:00") else text


def iso_timestamps(stamps: Sequence[float], zone: tzinfo) -> list[str]:
    """ISO strings with offset ("Z" for UTC), e.g. 2026-11-24T00:00:00+01:00.

    A day at 1 s is 86 400 stamps: whole seconds reuse one formatted prefix per minute.
    """
    out: list[str] = []
    minute_start = None
    prefix = suffix = ""
    whole_minute = False
    for stamp in stamps:
        second = int(stamp)
        minute = second - second % 60
        if minute != minute_start:
            local = datetime.fromtimestamp(minute, zone)
            text = _iso(local)
            prefix, suffix = text[:17], text[19:]
            # Historic offsets with odd seconds break "local second == UTC second".
            whole_minute = not local.second and not local.microsecond
            minute_start = minute
        if second == stamp and whole_minute:
            out.append(prefix + _SECONDS[second - minute] + suffix)
        else:
            out.append(_iso(datetime.fromtimestamp(stamp, zone)))
    return out


def iso_seconds(first: int, count: int, zone: tzinfo) -> list[str]:
    """`iso_timestamps` of `count` consecutive whole seconds, a minute at a time."""
    out: list[str] = []
    second, stop = first, first + count
    while second < stop:
        minute = second - second % 60
        end = min(minute + 60, stop)
        local = datetime.fromtimestamp(minute, zone)
        if local.second or local.microsecond:
            out.extend(iso_timestamps(range(second, end), zone))
        else:
            text = _iso(local)
            prefix, suffix = text[:17], text[19:]
            out.extend([prefix + s + suffix for s in _SECONDS[second - minute : end - minute]])
        second = end
    return out
