"""A clock that moves only when told to: deterministic physics in tests."""

from __future__ import annotations

import asyncio


class ManualClock:
    """Implements the core Clock protocol (time, monotonic, sleep) on manual time."""

    def __init__(self, monotonic: float = 1_000.0, wall: float = 1_750_000_000.0) -> None:
        self._monotonic = monotonic
        self._offset = wall - monotonic

    def monotonic(self) -> float:
        return self._monotonic

    def time(self) -> float:
        return self._monotonic + self._offset

    def advance(self, seconds: float) -> None:
        self._monotonic += max(seconds, 0.0)

    async def sleep(self, seconds: float) -> None:
        self.advance(seconds)
        await asyncio.sleep(0)
