"""Components that can tell their own past power without a store (a simulator replays it)."""

from __future__ import annotations

from typing import Protocol, runtime_checkable


@runtime_checkable
class PowerHistory(Protocol):
    """`history_kind` is "production" or "consumption"; `past_power` the mean W over
    [start, end) (epoch seconds), None where it cannot say."""

    history_kind: str

    def past_power(self, start: float, end: float) -> float | None: ...
