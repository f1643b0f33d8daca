"""The bounded queue between the cycle and the publishing thread: the cycle only appends; while
the broker is away the oldest messages are dropped, and counted."""

from __future__ import annotations

import threading
from collections import deque
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True, slots=True)
class Message:
    topic: str
    payload: Any  # a channel value (encoded as JSON by the publisher) or bytes as they are
    retain: bool = True
    qos: int = 0


class Outbox:
    def __init__(self, capacity: int) -> None:
        self.capacity = capacity
        self._queue: deque[Message] = deque()
        self._ready = threading.Condition()
        self.dropped = 0  # messages pushed out while the queue was full (the oldest go first)
        self._closed = False

    def put_all(self, messages: Iterable[Message]) -> None:
        """Append without ever waiting for the consumer (called by the cycle)."""
        with self._ready:
            queue = self._queue
            queue.extend(messages)
            excess = len(queue) - self.capacity
            if excess > 0:
                for _ in range(excess):
                    queue.popleft()
                self.dropped += excess
            self._ready.notify()

    def count_lost(self, count: int) -> None:
        """Messages taken but not sent (the connection went away under them)."""
        with self._ready:
            self.dropped += count

    def take(self, limit: int, timeout: float) -> list[Message]:
        """Up to `limit` messages, oldest first; waits up to `timeout` s for the first one."""
        with self._ready:
            if not self._queue and not self._closed:
                self._ready.wait(timeout)
            count = min(limit, len(self._queue))
            return [self._queue.popleft() for _ in range(count)]

    def wake(self) -> None:
        with self._ready:
            self._ready.notify_all()

    def close(self) -> None:
        with self._ready:
            self._closed = True
            self._ready.notify_all()

    def __len__(self) -> int:
        return len(self._queue)
