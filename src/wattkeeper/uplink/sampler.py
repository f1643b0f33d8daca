"""What the edge reports each cycle: changed values, everything every 300 s, 5-minute
aggregates sent after a random delay (so that a fleet's edges do not all send at once)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

FULL_EVERY_S = 300.0  # OpenEMS sends every value at least this often
AGGREGATE_S = 300  # 5-minute aggregates
MAX_DELAY_S = 270.0  # < 0.9 × the aggregation period, as OpenEMS's randomWaitSeconds

Value = Any  # a channel's JSON value: number, string, bool or None


@dataclass
class _Window:
    start: int  # epoch seconds of the window's first second
    sums: dict[str, float] = field(default_factory=dict)
    counts: dict[str, int] = field(default_factory=dict)
    maxima: dict[str, float] = field(default_factory=dict)


class Sampler:
    """Fed once per cycle; `take()` hands out the notifications due (method, params)."""

    def __init__(
        self,
        random: Callable[[], float],
        is_counter: Callable[[str], bool] = lambda address: False,
    ) -> None:
        self.delay_s = random() * MAX_DELAY_S  # one draw per edge, as OpenEMS does
        self._is_counter = is_counter
        self._last: dict[str, Value] = {}
        self._last_full: float | None = None
        self._window: _Window | None = None
        self._closed: list[tuple[float, _Window]] = []  # (send after, window)
        self._due: list[tuple[str, dict[str, Any]]] = []
        self.made = 0  # values handed out in timestampedData so far

    def sample(self, ts: float, values: Mapping[str, Value]) -> None:
        """One cycle's values at epoch `ts`: cheap, never blocks."""
        full = self._last_full is None or ts - self._last_full >= FULL_EVERY_S
        if full:
            changed = dict(values)
            self._last_full = ts
        else:
            last = self._last
            changed = {a: v for a, v in values.items() if a not in last or last[a] != v}
        self._last.update(changed)
        if changed:
            self.made += len(changed)
            self._due.append(("timestampedData", {str(int(ts * 1000)): changed}))
        self._aggregate(ts, values)

    def _aggregate(self, ts: float, values: Mapping[str, Value]) -> None:
        start = int(ts) - int(ts) % AGGREGATE_S
        window = self._window
        if window is None or window.start != start:
            if window is not None:
                self._closed.append((window.start + AGGREGATE_S + self.delay_s, window))
            window = self._window = _Window(start)
        for address, value in values.items():
            if isinstance(value, bool) or not isinstance(value, int | float):
                continue
            if self._is_counter(address):
                window.maxima[address] = max(value, window.maxima.get(address, value))
            else:
                window.sums[address] = window.sums.get(address, 0.0) + value
                window.counts[address] = window.counts.get(address, 0) + 1
        while self._closed and self._closed[0][0] <= ts:
            _, done = self._closed.pop(0)
            data: dict[str, float] = {a: s / done.counts[a] for a, s in done.sums.items()}
            data.update(done.maxima)
            self._due.append(("aggregatedData", {str(done.start * 1000): data}))

    def waiting(self) -> int:
        return len(self._due)

    def take(self) -> list[tuple[str, dict[str, Any]]]:
        due, self._due = self._due, []
        return due
