"""A minimal synchronous event hub for "cycle done" notifications."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from wattkeeper.core.snapshot import Snapshot

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class CycleDone:
    """Published after every cycle; `timestamp` is wall time, `number` counts cycles."""

    number: int
    timestamp: float
    duration_ms: float
    #: the cycle's published values (None only for events made up by tests)
    snapshot: Snapshot | None = None


Listener = Callable[[CycleDone], None]


class EventHub:
    def __init__(self) -> None:
        self._listeners: list[Listener] = []

    def subscribe(self, listener: Listener) -> Callable[[], None]:
        self._listeners.append(listener)
        return lambda: self._listeners.remove(listener)

    def publish(self, event: CycleDone) -> None:
        for listener in list(self._listeners):
            try:
                listener(event)
            except Exception:  # a consumer's bug must never stop the cycle
                log.exception("cycle listener %r failed", listener)
