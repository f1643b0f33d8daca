"""Energy of counter channels: the counter at the end of a range minus at its start."""

import math
from collections.abc import Sequence
from itertools import pairwise

from wattkeeper.history.reader import ChannelReader


def counter_energy(reader: ChannelReader, from_ts: float, to_ts: float) -> float | None:
    """Wh counted in [from_ts, to_ts); None when the counter recorded nothing in the range.

    The counter "at" a moment is its last sample before it, so consecutive ranges add up
    exactly to the range they cover. A range starting before the first sample starts from
    the first sample inside it (the day the system was installed).
    """
    start, stop = math.ceil(from_ts), math.ceil(to_ts)
    if stop <= start:
        return None
    end = reader.last_before(stop - 1)
    if end is None or end[1] < start:
        return None
    before = reader.last_before(start - 1)
    first = before[0] if before is not None else reader.first_from(start, stop)
    if first is None:
        return None
    return end[0] - first


def energy_per_period(reader: ChannelReader, edges: Sequence[float]) -> list[float | None]:
    """Counter energy of each slot [edges[i], edges[i+1])."""
    return [counter_energy(reader, a, b) for a, b in pairwise(edges)]
