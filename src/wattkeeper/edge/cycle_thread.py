"""The cycle in its own thread, on its own event loop: network I/O cannot delay its start.

The main event loop keeps the servers, device I/O and every cycle listener (history, live
data, ...): finished cycles are handed to it with their snapshot (`Cycle.publish_events`), and
a write's wake is handed the other way (`Cycle.wake` from another thread). The interpreter's
switch interval is shortened so that the cycle thread gets the interpreter lock soon after its
timer fires, however busy the main loop is (ADR 0200).
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import sys
import threading

from wattkeeper.core.cycle import Cycle
from wattkeeper.core.events import CycleDone

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
#: the event loop's millisecond timer: the cycle's own loop has nothing else to do meanwhile
PRECISE_START = 0.002


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

    def start(self) -> None:
        """Start the cycle thread; call from the main event loop."""
        main = asyncio.get_running_loop()
        hub = self.cycle.events

        def hand_over(event: CycleDone) -> None:
            main.call_soon_threadsafe(hub.publish, event)

        self.cycle.publish_events = hand_over
        sys.setswitchinterval(self.switch_interval)
        self.cycle.precise_start_s = PRECISE_START
        if self.real_time:
            self._previous_nice = _raise_this_thread(NETWORK_NICE)
        self._thread = threading.Thread(target=self._run, name="cycle", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        if self.real_time:
            _real_time_priority()
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
        sys.setswitchinterval(self._previous_interval)
        if self._previous_nice is not None:
            _raise_this_thread(self._previous_nice)
            self._previous_nice = None


def _real_time_priority() -> None:
    # not Linux, or not allowed: the ordinary priority (both measured in ADR 0200)
    with contextlib.suppress(AttributeError, OSError):
        os.sched_setscheduler(0, os.SCHED_FIFO, os.sched_param(PRIORITY))  # this thread only


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
