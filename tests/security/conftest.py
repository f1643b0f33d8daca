"""A real edge on loopback with the real-time cycle, and a watch on its cycle periods."""

from __future__ import annotations

import itertools
import time
from collections.abc import Iterator

import pytest

from tests.api.conftest import api, make_api
from tests.e2e.conftest import LiveEdge, start_edge
from wattkeeper.core.events import CycleDone

__all__ = ["CycleWatch", "LiveEdge", "api", "make_api", "start_edge", "watch"]


class CycleWatch:
    """Wall-clock start times of the cycles, to show the loop kept running during an attack."""

    def __init__(self) -> None:
        self.times: list[float] = []

    def __call__(self, event: CycleDone) -> None:
        self.times.append(time.monotonic())

    def mark(self) -> int:
        return len(self.times)

    def since(self, mark: int) -> list[float]:
        return self.times[mark:]

    def longest_gap(self, mark: int) -> float:
        """The longest time between two cycles (or since the last one) after `mark`."""
        times = [*self.times[max(mark - 1, 0) :], time.monotonic()]
        return max(b - a for a, b in itertools.pairwise(times))


@pytest.fixture
def watch() -> Iterator[CycleWatch]:
    yield CycleWatch()


def follow(edge: LiveEdge, watch: CycleWatch) -> CycleWatch:
    edge.edge.cycle.events.subscribe(watch)
    return watch
