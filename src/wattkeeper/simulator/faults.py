"""Switchable device faults and the clock the simulated devices run on."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from enum import Enum
from typing import Any, Protocol

log = logging.getLogger(__name__)


class MonotonicClock(Protocol):
    def monotonic(self) -> float: ...


class Fault(Enum):
    """Faults the simulator can show, switchable at run time."""

    DISCONNECT = "disconnect"  # the port is closed: connections are cut and refused
    SLOW = "slow"  # every answer comes `slow_delay` seconds late
    IGNORE_SETPOINTS = "ignore-setpoints"  # writes are acknowledged but have no effect
    REVERT_ZERO = "revert-zero"  # the revert timer stays 0 whatever is written
    REVERT_BROKEN = "revert-broken"  # the revert timer is kept but never fires


class WriteRefused(Exception):
    """A write to a read-only or unknown register (the server answers "illegal address")."""


@dataclass
class Faults:
    active: set[Fault] = field(default_factory=set)
    slow_delay: float = 2.0

    def __contains__(self, fault: Fault) -> bool:
        return fault in self.active


class FaultySimulator(Protocol):
    async def set_faults(self, *faults: Any) -> None: ...

    async def stop(self) -> None: ...


async def run_until_cancelled(
    simulator: FaultySimulator, faults: Sequence[Any], fault_period: float
) -> None:
    """Serve until cancelled (Ctrl-C); with `fault_period` > 0 the faults switch on and off
    every `fault_period` seconds (to watch an edge lose a device and recover), else they stay
    as started. The simulator is stopped whatever happens."""
    try:
        active = True
        while True:
            if fault_period > 0 and faults:
                await asyncio.sleep(fault_period)
                active = not active
                await simulator.set_faults(*(faults if active else ()))
                log.info("faults %s", "on" if active else "off")
            else:
                await asyncio.sleep(3600)
    finally:
        with contextlib.suppress(Exception):
            await simulator.stop()
