"""The cycle in its own thread, on its own event loop: network I/O cannot delay its start.

The main event loop keeps the servers, device I/O and every cycle listener (history, live
data, ...): finished cycles are handed to it with their snapshot (`Cycle.publish_events`), and
a write's wake is handed the other way (`Cycle.wake` from another thread). The interpreter's
switch interval is shortened so that the cycle thread gets the interpreter lock soon after its
timer fires, however busy the main loop is (ADR 0200); for the last milliseconds before a
scheduled cycle the network thread steps aside altogether (ADR 0205), as soon as its next request
arrives or its loop gets to the request, whichever comes first (ADR 0206).
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import logging
import os
import sys
import threading
import time
from collections.abc import Callable

from wattkeeper.core.cycle import Cycle
from wattkeeper.core.events import CycleDone
from wattkeeper.core.stand_aside import CHECKPOINT

SWITCH_INTERVAL = 0.0001  # seconds a busy thread keeps the interpreter lock (Python: 0.005)
#: the cycle thread's real-time priority where the system allows it (root or CAP_SYS_NICE):
#: it then runs the moment its timer fires, whatever else the machine does; the kernel's
#: real-time throttling still leaves 5 % of each core to the rest should it ever spin
PRIORITY = 10
#: the network thread's nice value where allowed: the edge's API is answered before clients
#: on the same box (a dashboard, Home Assistant on the same Raspberry Pi) get the CPU. A
#: network thread preempted while it holds the interpreter lock makes the cycle's thread wait,
#: however high its own priority (ADR 0200, measured in ADR 0204)
NETWORK_NICE = -5
#: seconds of each wait for the next cycle slept with the system's nanosecond sleep instead of
#: the event loop's millisecond timer (the cycle's own loop has nothing else to do meanwhile),
#: and for which the network thread is asked to step aside: a network thread busy with many
#: clients gives up the interpreter lock for every system call and takes it back before the
#: woken cycle thread can (ADR 0205). Its loop takes up to 2 ms to get to the request
PRECISE_START = 0.004
#: seconds the network thread stands aside at most beyond the planned start, should the cycle's
#: thread not get there (it never blocks the network for longer than this)
STEP_ASIDE_SLACK = 0.002

log = logging.getLogger(__name__)


class CycleThread:
    def __init__(
        self, cycle: Cycle, switch_interval: float = SWITCH_INTERVAL, real_time: bool = True
    ) -> None:
        self.cycle = cycle
        self.switch_interval = switch_interval
        self.real_time = real_time
        self._thread: threading.Thread | None = None
        self._previous_interval = sys.getswitchinterval()
        self._previous_nice: int | None = None
        self._main: asyncio.AbstractEventLoop | None = None
        #: how the cycle's thread sleeps the last moments before a cycle (tests replace it)
        self.sleep: Callable[[float], None] = time.sleep
        #: how often and for how many seconds in all the network thread stood aside
        self.stood_aside = 0
        self.stood_aside_s = 0.0

    def start(self) -> None:
        """Start the cycle thread; call from the main event loop."""
        main = asyncio.get_running_loop()
        self._main = main
        hub = self.cycle.events

        def hand_over(event: CycleDone) -> None:
            main.call_soon_threadsafe(hub.publish, event)

        self.cycle.publish_events = hand_over
        sys.setswitchinterval(self.switch_interval)
        self.cycle.precise_start_s = PRECISE_START
        self.cycle.exact_sleep = self.start_exactly
        if self.real_time:
            self._previous_nice = _raise_this_thread(NETWORK_NICE)
        self._thread = threading.Thread(target=self._run, name="cycle", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        if self.real_time and not _real_time_priority():
            log.warning(
                "the cycle runs at normal priority: real-time priority needs root or "
                "CAP_SYS_NICE (README, 'Running as a service'); without it, other programs "
                "and many clients on this machine can delay a cycle by milliseconds"
            )
        asyncio.run(self.cycle.run_forever())

    async def stop(self) -> None:
        """Stop the cycle, wait for its thread, then let the cycles it handed over be heard."""
        self.cycle.stop()
        thread = self._thread
        if thread is not None:
            await asyncio.to_thread(thread.join)
            await asyncio.sleep(0)
        self.cycle.publish_events = self.cycle.events.publish
        self.cycle.precise_start_s = 0.0
        self.cycle.exact_sleep = time.sleep
        sys.setswitchinterval(self._previous_interval)
        if self._previous_nice is not None:
            _raise_this_thread(self._previous_nice)
            self._previous_nice = None

    def start_exactly(self, seconds: float) -> None:
        """Sleep the last `seconds` before a cycle in the cycle's thread while the network thread
        stands aside: it waits, holding nothing, until the cycle is under way.

        Why: a network thread serving many clients releases the interpreter lock around each
        send and receive and takes it back a few microseconds later, before the cycle's thread,
        woken on another core, gets to it; the cycle then starts a millisecond or more late
        however high its priority (traced in ADR 0205). A network thread that waits instead
        leaves the lock free for the moment the cycle's thread wakes."""
        under_way = threading.Event()
        deadline = time.monotonic() + seconds + STEP_ASIDE_SLACK
        stand_aside = functools.partial(self._stand_aside, under_way, deadline)
        # taken by the next read that arrives (ADR 0206), or else when the loop gets to its
        # queue: the checkpoint runs a request once, whichever way comes first
        CHECKPOINT.ask(stand_aside)
        main = self._main
        # RuntimeError: the main loop is closing, there is nothing to step aside
        with contextlib.suppress(RuntimeError):
            if main is not None:
                main.call_soon_threadsafe(CHECKPOINT)
        try:
            self.sleep(seconds)
        finally:
            under_way.set()
            CHECKPOINT.withdraw(stand_aside)

    def _stand_aside(self, under_way: threading.Event, deadline: float) -> None:
        """On the network thread: wait for the cycle to be under way, or the deadline (already
        under way when the loop got here late: no wait at all)."""
        started = time.monotonic()
        under_way.wait(max(0.0, deadline - started))
        self.stood_aside += 1
        self.stood_aside_s += time.monotonic() - started


def _real_time_priority() -> bool:
    """Whether the calling thread got real-time priority (the ordinary priority where not
    allowed or not Linux: both measured in ADR 0200)."""
    try:
        os.sched_setscheduler(0, os.SCHED_FIFO, os.sched_param(PRIORITY))  # this thread only
    except (AttributeError, OSError):
        return False
    return True


def _raise_this_thread(nice: int) -> int | None:
    """Set the calling thread's nice value (Linux keeps one per thread; threads started from
    it later inherit it); the value before, or None where not allowed (not root, no
    CAP_SYS_NICE: then nothing changes)."""
    try:
        before = os.getpriority(os.PRIO_PROCESS, 0)
        os.setpriority(os.PRIO_PROCESS, 0, nice)
    except (AttributeError, OSError):
        return None
    return before
