"""A clock that only moves when told to: tests jump over minutes without waiting."""

from __future__ import annotations

import asyncio


class FakeClock:
    def __init__(self, start: float = 1_764_000_000.0) -> None:
        self._wall = start
        self._mono = 1000.0

    def time(self) -> float:
        return self._wall

    def monotonic(self) -> float:
        return self._mono

    def advance(self, seconds: float) -> None:
        self._wall += seconds
        self._mono += seconds

    async def sleep(self, seconds: float) -> None:
        self.advance(seconds)
        await asyncio.sleep(0)
