"""Where the network thread hears, between two requests, that the cycle is about to start.

The cycle's thread asks the network thread to stand aside for its start through the network
loop's queue (ADR 0205). A loop busy with a batch of reads gets to its queue only after the
batch, and a batch of eight reads, preempted once by a client on the same core, took more than
the 4 ms the request is posted ahead. The HTTP protocol calls `CHECKPOINT()` as each read
arrives, so the network thread stands aside within one request's time (ADR 0206). A write does
not pass it: nothing on a write's way to the battery waits (ADR 0204)."""

from __future__ import annotations

from collections.abc import Callable


class Checkpoint:
    """One pending request to stand aside, run once by the first checkpoint that passes: a
    read's arrival, or the call the cycle's thread puts on the network loop's queue.

    Set and taken under the interpreter lock: the cycle's thread replaces `pending` and
    withdraws it, the network thread reads and clears it before running it."""

    __slots__ = ("pending",)

    def __init__(self) -> None:
        self.pending: Callable[[], None] | None = None

    def __call__(self) -> None:
        request = self.pending  # the cost between two requests: one load, one compare
        if request is not None:
            self.pending = None
            request()

    def ask(self, request: Callable[[], None]) -> None:
        self.pending = request

    def withdraw(self, request: Callable[[], None]) -> None:
        """The cycle is under way: a request not taken by then is void."""
        if self.pending is request:
            self.pending = None


#: the process's one checkpoint: there is one network thread, whose requests pass it
CHECKPOINT = Checkpoint()
