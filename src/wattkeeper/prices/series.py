"""A price series: steps of €/kWh over [start, end), the current price and how far it reaches."""

from __future__ import annotations

import itertools
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime


class PriceError(ValueError):
    """A price source answered something that is not a price series; the message says what."""


@dataclass(frozen=True)
class PriceStep:
    start: datetime
    end: datetime
    price: float  # € per kWh, what the user pays (or is paid, for feed-in)


@dataclass(frozen=True)
class PriceSeries:
    """Steps sorted by start, without overlaps; gaps are allowed and mean "unknown"."""

    steps: tuple[PriceStep, ...]

    @classmethod
    def of(cls, steps: Iterable[PriceStep]) -> PriceSeries:
        ordered = sorted(steps, key=lambda s: s.start)
        for step in ordered:
            if step.start.tzinfo is None or step.end <= step.start:
                raise PriceError(f"a price step needs an aware start before its end: {step}")
            if not math.isfinite(step.price):
                raise PriceError(f"a price must be a finite number, got {step.price}")
        for a, b in itertools.pairwise(ordered):
            if b.start < a.end:
                raise PriceError(f"price steps overlap at {b.start.isoformat()}")
        return cls(tuple(ordered))

    def at(self, when: datetime) -> float | None:
        for step in self.steps:
            if step.start <= when < step.end:
                return step.price
        return None

    def reaches(self, since: datetime) -> datetime:
        """The end of the gap-free run of steps that covers `since` (`since` when none does)."""
        end = since
        for step in self.steps:
            if step.end <= end:
                continue
            if step.start > end:
                break
            end = step.end
        return end

    def as_tuples(self) -> Sequence[tuple[datetime, datetime, float]]:
        return [(s.start, s.end, s.price) for s in self.steps]

    def merged(self, newer: PriceSeries) -> PriceSeries:
        """This series with `newer`'s steps replacing whatever they overlap."""
        kept = [
            s
            for s in self.steps
            if not any(s.start < n.end and n.start < s.end for n in newer.steps)
        ]
        return PriceSeries.of([*kept, *newer.steps])
