"""Writes waiting for a device's turn on its connection (TCP bridge or shared serial line)."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Sequence

from wattkeeper.core.errors import DeviceError

#: Told once how a queued write ended: None when written, else the error.
WriteDone = Callable[[DeviceError | None], None]


class WriteQueue:
    """A newer write to an address replaces an older one still waiting (a setpoint must not be
    replayed late); every write is reported to its `on_done` exactly once."""

    def __init__(self) -> None:
        self._pending: dict[int, tuple[list[int], WriteDone | None]] = {}
        self._idle = asyncio.Event()
        self._idle.set()

    def __bool__(self) -> bool:
        return bool(self._pending)

    def put(self, address: int, values: Sequence[int], on_done: WriteDone | None = None) -> None:
        self._pending.pop(address, None)
        self._pending[address] = (list(values), on_done)
        self._idle.clear()

    async def write_all(self, write: Callable[[int, list[int]], Awaitable[None]]) -> None:
        """Write in order; a failed write is reported and raised, the rest stay queued."""
        while self._pending:
            address = next(iter(self._pending))
            values, on_done = self._pending.pop(address)
            try:
                await write(address, values)
            except DeviceError as error:
                if on_done is not None:
                    on_done(error)
                raise
            if on_done is not None:
                on_done(None)
        self._idle.set()

    def drop(self, error: DeviceError) -> None:
        """Give every waiting write up (its `on_done` gets `error`)."""
        pending, self._pending = self._pending, {}
        for _values, on_done in pending.values():
            if on_done is not None:
                on_done(error)
        self._idle.set()

    async def flush(self, timeout: float = 5.0) -> None:
        """Wait until every queued write has been written or dropped (tests, benchmarks)."""
        async with asyncio.timeout(timeout):
            await self._idle.wait()


def elsewhere(loop: asyncio.AbstractEventLoop | None) -> bool:
    """Whether the caller runs outside `loop` (the cycle in its own thread): a write is then
    handed to the bridge's loop with `call_soon_threadsafe` instead of queued in place."""
    if loop is None:
        return False
    try:
        return asyncio.get_running_loop() is not loop
    except RuntimeError:
        return True
