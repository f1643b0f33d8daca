"""Wait for something another task does on real I/O, by polling the condition, never a timeout."""

from __future__ import annotations

import asyncio
from collections.abc import Callable


async def eventually(condition: Callable[[], bool], timeout: float = 2.0) -> None:
    """Return as soon as `condition()` holds; TimeoutError if it does not within `timeout` s.

    For loopback socket work that no fake clock can advance (a refused connect, an answer on
    its way): the test goes on the moment it is done instead of sleeping a guessed time."""
    async with asyncio.timeout(timeout):
        while not condition():
            await asyncio.sleep(0.001)
