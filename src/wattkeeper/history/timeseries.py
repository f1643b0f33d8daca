"""Computes one value per slot for a channel, from raw chunks or 5-minute statistics."""

import math
from bisect import bisect_left, bisect_right
from collections.abc import Sequence

from wattkeeper.history.codec import CHUNK_S, Sample
from wattkeeper.history.kinds import Kind
from wattkeeper.history.reader import ChannelReader
from wattkeeper.history.stats import Stats, combine, of_samples


def _on_buckets(edges: Sequence[float]) -> bool:
    """True when every slot is whole 5-minute buckets, so statistics answer exactly."""
    return all(edge % CHUNK_S == 0 for edge in edges)


def _from_aggregates(
    reader: ChannelReader, kind: Kind, edges: Sequence[float], out: list[Sample]
) -> None:
    """Fill out[i] from the buckets that start inside slot i."""
    groups: dict[int, list[Stats]] = {}
    for bucket, stats in reader.aggregates(edges[0], edges[-1]):
        slot = bisect_right(edges, bucket) - 1  # the slot whose start is <= bucket
        groups.setdefault(slot, []).append(stats)
    for slot, parts in groups.items():
        merged = combine(parts)
        if merged is not None:
            out[slot] = merged.value(kind)


def _from_raw(
    reader: ChannelReader,
    kind: Kind,
    edges: Sequence[float],
    out: list[Sample],
    offset: int,
    seconds: bool,
) -> None:
    """Fill out[offset + i] from the one-second samples inside slot i."""
    base = math.ceil(edges[0])
    series = reader.raw_series(base, math.ceil(edges[-1]))
    if seconds and base == edges[0]:
        out[offset:] = series  # full resolution: each slot is one sample
        return
    for index in range(len(edges) - 1):
        segment = series[math.ceil(edges[index]) - base : math.ceil(edges[index + 1]) - base]
        stats = of_samples(segment)
        if stats is not None:
            out[offset + index] = stats.value(kind)


def channel_series(
    reader: ChannelReader, kind: Kind, edges: Sequence[float], seconds: bool = False
) -> list[Sample]:
    """One value (or None) per slot [edges[i], edges[i+1]); `seconds`: every slot is 1 s."""
    count = len(edges) - 1
    if count <= 0:
        return []
    raw_start = reader.raw_start()
    if seconds and raw_start is not None and raw_start <= edges[0]:
        return reader.raw_series(int(edges[0]), int(edges[-1]))  # the samples are the slots
    out: list[Sample] = [None] * count
    if raw_start is None or _on_buckets(edges):
        _from_aggregates(reader, kind, edges, out)
        return out
    # Slots starting before the oldest raw chunk only have 5-minute statistics left.
    split = bisect_left(edges, raw_start, hi=count)
    if split > 0:
        _from_aggregates(reader, kind, edges[: split + 1], out)
    if split < count:
        _from_raw(reader, kind, edges[split:], out, split, seconds)
    return out
