"""Start a coroutine's task now, in the calling callback, instead of behind the queued ones.

A task created by `loop.create_task` waits behind every callback already queued: with eight
clients hammering reads, a write's handler waited for eight read handlers before it reached the
write gate (issue 20: 2-3 ms of a POST's way to the battery). Started here instead, a write whose
body has arrived runs up to the battery inside the callback that received it. Python 3.12 has
this as `asyncio.eager_task_factory`; 3.11, which wattkeeper supports, does not, so the first
step is taken here with the task registered as the running one (`asyncio.timeout` and
`current_task()` inside it see the task that carries on), and the task continues from there.
"""

from __future__ import annotations

import asyncio
import contextlib
import contextvars
from asyncio.tasks import _enter_task, _leave_task  # what 3.12's eager tasks do around a step
from collections.abc import Coroutine
from functools import partial
from typing import Any, TypeVar

T = TypeVar("T")


class _FirstStep:
    """What the coroutine's first step came to: a future it waits for, its end, or an error."""

    def __init__(self, coro: Coroutine[Any, Any, Any]) -> None:
        self.coro = coro
        self.yielded: Any = None
        self.ended = False
        self.value: Any = None
        self.error: BaseException | None = None

    def take(self) -> None:
        try:
            self.yielded = self.coro.send(None)
        except StopIteration as done:
            self.ended, self.value = True, done.value
        except (KeyboardInterrupt, SystemExit):
            raise
        except BaseException as error:  # the task raises it, as it would have
            self.ended, self.error = True, error

    def abandoned(self, task: asyncio.Task[Any]) -> None:
        """The task was cancelled before its first step: the coroutine hears it where it
        waits (its except and finally blocks run), as it would in an ordinary task."""
        if task.cancelled() and not self.ended and getattr(self.coro, "cr_frame", None) is not None:
            if self.yielded is not None:
                self.yielded.cancel()
            with contextlib.suppress(Exception, asyncio.CancelledError):
                self.coro.throw(asyncio.CancelledError())
            self.coro.close()


def start_now(loop: asyncio.AbstractEventLoop, coro: Coroutine[Any, Any, T]) -> asyncio.Task[T]:
    """A task for `coro` whose first step has run before this returns (from a callback, where
    no task runs; inside a task it is an ordinary task)."""
    if asyncio.current_task(loop) is not None:
        return loop.create_task(coro)
    first = _FirstStep(coro)
    context = contextvars.copy_context()
    task = loop.create_task(_go_on(first), context=context)
    task.add_done_callback(first.abandoned)
    _enter_task(loop, task)
    try:
        context.run(first.take)
    finally:
        _leave_task(loop, task)
    return task


async def _go_on(first: _FirstStep) -> Any:
    """Drive the coroutine from where its first step left it, as a task drives one: wait until
    the future it yielded is done (a bare yield is one pass of the loop), then resume it, which
    takes the future's result itself; cancelling this task cancels the coroutine where it waits."""
    if first.error is not None:
        raise first.error
    if first.ended:
        return first.value
    coro, yielded = first.coro, first.yielded
    while True:
        try:
            if yielded is None:
                await asyncio.sleep(0)
            elif not yielded.done():
                yielded._asyncio_future_blocking = False
                await asyncio.wait((yielded,))  # done either way; its result is coro's to take
        except asyncio.CancelledError as cancelled:
            if yielded is not None:
                yielded.cancel()
            step = partial(coro.throw, cancelled)
        else:
            step = partial(coro.send, None)
        try:
            yielded = step()
        except StopIteration as done:
            return done.value
