"""Summary statistics of a run of samples, and the value each channel kind reports."""

import math
from collections.abc import Iterable, Sequence
from typing import NamedTuple

from wattkeeper.history.kinds import Kind


class Stats(NamedTuple):
    """What an aggregate row keeps about one bucket (or any run of samples)."""

    samples: int
    total: float
    minimum: float
    maximum: float
    first: float
    last: float

    def value(self, kind: Kind) -> float:
        """The single number a query reports for `kind`."""
        if kind == "power":
            return self.total / self.samples
        if kind == "state":
            return self.maximum
        return self.last


def of_samples(samples: Sequence[float | None]) -> Stats | None:
    """Stats of the present samples (None and NaN are gaps); None if there are none."""
    present = [v for v in samples if v is not None and v == v]
    if not present:
        return None
    # fsum is exact, so raw and aggregate averages agree to the last bit.
    total = math.fsum(present)
    return Stats(len(present), total, min(present), max(present), present[0], present[-1])


def combine(parts: Iterable[Stats]) -> Stats | None:
    """Stats of consecutive runs, given in time order."""
    runs = list(parts)
    if not runs:
        return None
    return Stats(
        sum(r.samples for r in runs),
        math.fsum(r.total for r in runs),
        min(r.minimum for r in runs),
        max(r.maximum for r in runs),
        runs[0].first,
        runs[-1].last,
    )
