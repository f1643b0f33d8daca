"""Switchable device faults and the clock the simulated devices run on."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum
from typing import Protocol


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
