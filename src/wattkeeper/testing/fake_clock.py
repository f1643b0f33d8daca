"""A clock that only moves when told to: tests jump over minutes without waiting."""

from __future__ import annotations

import asyncio
from typing import Any


class FakeClock:
    """`advance()` moves both clocks and ends the waits it passes; `sleep()` advances by itself."""

    def __init__(self, start: float = 1_764_000_000.0) -> None:
        self._wall = start
        self._mono = 1000.0
        self._timers: list[tuple[float, asyncio.Future[None]]] = []

    def time(self) -> float:
        return self._wall

    def monotonic(self) -> float:
        return self._mono

    def advance(self, seconds: float) -> None:
        self._wall += seconds
        self._mono += seconds
        for deadline, timer in self._timers:
            if deadline <= self._mono and not timer.done():
                timer.set_result(None)
        self._timers = [(d, t) for d, t in self._timers if not t.done()]

    async def sleep(self, seconds: float) -> None:
        self.advance(seconds)
        await asyncio.sleep(0)

    async def wait(self, event: asyncio.Event, timeout: float) -> bool:
        """Until the event is set, or until a test advances the clock past the timeout."""
        if event.is_set():
            return True
        timer: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._timers.append((self._mono + timeout, timer))
        waiter: asyncio.Future[bool] = asyncio.ensure_future(event.wait())
        pending: set[asyncio.Future[Any]] = {waiter, timer}
        try:
            await asyncio.wait(pending, return_when=asyncio.FIRST_COMPLETED)
        finally:
            waiter.cancel()
            timer.cancel()
        return event.is_set()
