"""Password-guess throttling: attempts counted when a check starts, spaced by growing delays."""

from __future__ import annotations

from collections import OrderedDict, deque
from dataclasses import dataclass, field

from wattkeeper.core.clock import Clock

MAX_KEYS = 10_000  # addresses remembered; the oldest are forgotten first


@dataclass
class _Budget:
    attempts: deque[float] = field(default_factory=lambda: deque(maxlen=256))
    last_slot: float = 0.0


class Throttle:
    """`free` attempts at once, then each one `base` × 2ⁿ after the one before (up to `cap`).

    An attempt is counted when it is reserved, before the password is checked, so concurrent
    guesses queue up behind each other. Only the attempt's own success takes it back: another
    client's success never resets anything. Attempts older than `memory` seconds are forgotten.
    """

    def __init__(self, clock: Clock, free: int, base: float, cap: float, memory: float) -> None:
        self.clock = clock
        self.free = free
        self.base = base
        self.cap = cap
        self.memory = memory
        self._budgets: OrderedDict[str, _Budget] = OrderedDict()

    def reserve(self, key: str) -> float:
        """Count an attempt; the seconds it has to wait for its turn."""
        now = self.clock.monotonic()
        budget = self._budget(key, now)
        counted = len(budget.attempts)
        budget.attempts.append(now)
        if counted < self.free:
            budget.last_slot = max(budget.last_slot, now)
            return 0.0
        interval = min(self.base * 2.0 ** (counted - self.free), self.cap)
        slot = max(now, budget.last_slot + interval)
        budget.last_slot = slot
        return slot - now

    def wait(self, key: str) -> float:
        """Seconds the next attempt would wait, without counting one."""
        now = self.clock.monotonic()
        budget = self._budget(key, now)
        counted = len(budget.attempts)
        if counted < self.free:
            return 0.0
        interval = min(self.base * 2.0 ** (counted - self.free), self.cap)
        return max(0.0, budget.last_slot + interval - now)

    def release(self, key: str) -> None:
        """Take back one attempt: it succeeded, or it was refused before it was checked."""
        budget = self._budgets.get(key)
        if budget is not None and budget.attempts:
            budget.attempts.pop()

    def count(self, key: str) -> int:
        budget = self._budgets.get(key)
        return 0 if budget is None else len(budget.attempts)

    def _budget(self, key: str, now: float) -> _Budget:
        budget = self._budgets.get(key)
        if budget is None:
            budget = self._budgets[key] = _Budget()
            while len(self._budgets) > MAX_KEYS:
                self._budgets.popitem(last=False)
        else:
            self._budgets.move_to_end(key)
        while budget.attempts and budget.attempts[0] < now - self.memory:
            budget.attempts.popleft()
        return budget
