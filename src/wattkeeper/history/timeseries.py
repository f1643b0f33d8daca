"""Computes one value per slot for a channel, from raw chunks or 5-minute statistics."""

import math
from bisect import bisect_right
from collections.abc import Sequence

from wattkeeper.history.codec import CHUNK_S, Sample
from wattkeeper.history.kinds import Kind
from wattkeeper.history.reader import ChannelReader
from wattkeeper.history.stats import Stats, combine, of_samples


def _on_buckets(edges: Sequence[float]) -> bool:
    """True when every slot is whole 5-minute buckets, so statistics answer exactly."""
    return all(edge % CHUNK_S == 0 for edge in edges)


def _add_aggregates(
    reader: ChannelReader, edges: Sequence[float], stop: float, parts: list[list[Stats]]
) -> None:
    """Add each bucket starting in [edges[0], stop) to the slot its start falls in."""
    for bucket, stats in reader.aggregates(edges[0], stop):
        parts[bisect_right(edges, bucket) - 1].append(stats)


def _add_raw(
    reader: ChannelReader, edges: Sequence[float], start: int, parts: list[list[Stats]]
) -> None:
    """Add the one-second samples from `start` on to the slots holding them."""
    stop = math.ceil(edges[-1])
    series = reader.raw_series(start, stop)
    first = max(bisect_right(edges, start) - 1, 0)
    for index in range(first, len(edges) - 1):
        low = max(math.ceil(edges[index]), start) - start
        stats = of_samples(series[low : math.ceil(edges[index + 1]) - start])
        if stats is not None:
            parts[index].append(stats)


def channel_series(
    reader: ChannelReader, kind: Kind, edges: Sequence[float], seconds: bool = False
) -> list[Sample]:
    """One value (or None) per slot [edges[i], edges[i+1]); `seconds`: every slot is 1 s.

    Slots made of whole buckets come from the aggregates (exact, and 300 times fewer rows).
    Otherwise samples from the oldest raw chunk on come from the raw chunks, and older
    buckets, whose samples are gone, count in the slot where they start.
    """
    if len(edges) < 2:
        return []
    raw_start = reader.raw_start()
    if seconds and raw_start is not None and raw_start < edges[-1]:
        # The samples are the slots; only those before the oldest raw chunk need statistics.
        split = max(raw_start - int(edges[0]), 0)
        head = channel_series(reader, kind, edges[: split + 1]) if split else []
        return head + reader.raw_series(int(edges[0]) + split, int(edges[-1]))
    if raw_start is None or _on_buckets(edges):
        raw_start = math.ceil(edges[-1])
    parts: list[list[Stats]] = [[] for _ in range(len(edges) - 1)]
    if edges[0] < raw_start:
        _add_aggregates(reader, edges, min(raw_start, edges[-1]), parts)
    if raw_start < edges[-1]:
        _add_raw(reader, edges, max(math.ceil(edges[0]), raw_start), parts)
    out: list[Sample] = []
    for slot in parts:
        merged = slot[0] if len(slot) == 1 else combine(slot)
        out.append(None if merged is None else merged.value(kind))
    return out
