"""The cycle: freeze the process image, aggregate, run controllers, solve power, write, publish."""

from __future__ import annotations

import asyncio
import logging
import threading
import time
from collections.abc import Callable
from typing import Protocol

from wattkeeper.core.channel import ChannelDoc, ChannelType, History, Unit
from wattkeeper.core.clock import Clock
from wattkeeper.core.component import Component
from wattkeeper.core.controller import Controller, Scheduler
from wattkeeper.core.events import CycleDone, EventHub
from wattkeeper.core.manager import ComponentManager
from wattkeeper.core.snapshot import SnapshotPublisher
from wattkeeper.core.state import RUN_FAILED, Level, StateDoc

log = logging.getLogger(__name__)

CYCLE_ID = "_cycle"


class PowerStage(Protocol):
    """Collects the constraints of one cycle, then solves and applies them to the batteries."""

    def begin_cycle(self) -> None: ...

    def solve_and_apply(self) -> None: ...


class SumStage(Protocol):
    def calculate(self) -> None: ...


IGNORE_DISABLED_CONTROLLER = StateDoc(
    "IgnoreDisabledController", Level.INFO, "A controller in the scheduler order is disabled"
)


MEASURED_CYCLE_TIME = ChannelDoc(
    "MeasuredCycleTime", ChannelType.LONG, Unit.MILLISECONDS, text="Compute time of the last cycle"
)
CYCLE_TIME = ChannelDoc("CycleTime", ChannelType.INTEGER, Unit.MILLISECONDS, text="Cycle period")
CYCLE_COUNT = ChannelDoc("CycleCount", ChannelType.LONG, text="Cycles since start")
MEASURED_CYCLE_TIME_MICROS = ChannelDoc(
    "MeasuredCycleTimeMicros",
    ChannelType.LONG,
    text="Compute time of the last cycle in microseconds",
    history=History.NONE,
)


class CycleComponent(Component):
    """`_cycle`: the cycle's own channels."""

    nature_id = "Cycle"

    def __init__(self) -> None:
        super().__init__(CYCLE_ID)
        self.declare_state(IGNORE_DISABLED_CONTROLLER)
        self.declare(MEASURED_CYCLE_TIME, CYCLE_TIME, CYCLE_COUNT, MEASURED_CYCLE_TIME_MICROS)


WAKE_SETTLE_MS = 5


class Cycle:
    """Runs the phases once per period; `wake()` runs one early, never closer than min_spacing."""

    def __init__(
        self,
        manager: ComponentManager,
        power: PowerStage,
        sum_stage: SumStage,
        clock: Clock,
        scheduler: Scheduler | None = None,
        period_ms: int = 1000,
        min_spacing_ms: int = 10,
        apply_spacing_ms: int = 2,
    ) -> None:
        self.manager = manager
        self.power = power
        self.sum_stage = sum_stage
        self.clock = clock
        self.scheduler = scheduler or Scheduler()
        self.period_ms = period_ms
        self.min_spacing_ms = min_spacing_ms
        #: an accepted write is applied at once, but batteries are not written more often
        self.apply_spacing_ms = apply_spacing_ms
        #: a woken cycle starts no sooner than this after the write that woke it: writes that
        #: come together (a client sets active and reactive power with two requests) are all
        #: applied at once by the API's thread, none waits for a cycle just begun (issue 20)
        self.wake_settle_ms = WAKE_SETTLE_MS
        #: seconds before a cycle's start that the loop's timer hands over to `exact_sleep`:
        #: the loop's timers fire up to a millisecond late (epoll counts milliseconds). Only
        #: where blocking the loop that long costs nothing: the cycle's own thread sets it
        self.precise_start_s = 0.0
        self.exact_sleep: Callable[[float], None] = time.sleep
        self._last_apply = -1e9  # monotonic start of the last cycle or apply step
        self._apply_pending = False
        self._busy = False
        #: held by a cycle and by an apply step: with the cycle in its own thread, a write is
        #: applied in the API's thread (at once) only while no cycle runs there
        self._lock = threading.RLock()
        self.events = EventHub()
        #: how a finished cycle reaches its listeners: at once, or (the cycle in its own
        #: thread, edge/cycle_thread.py) handed to the network's event loop
        self.publish_events: Callable[[CycleDone], None] = self.events.publish
        self._loop: asyncio.AbstractEventLoop | None = None  # where run_forever runs
        self.number = 0
        self.component = CycleComponent()
        self.component.channel(CYCLE_TIME).set_now(period_ms)
        manager.add(self.component)
        #: every API reads channel values from here (core/snapshot.py)
        self.snapshots = SnapshotPublisher(manager)
        self._wake = asyncio.Event()
        self._stopping = False
        self._failed_controllers: set[str] = set()

    def run_once(self) -> CycleDone:
        with self._lock:
            started = time.perf_counter()
            self._busy, self._apply_pending = True, False
            self._last_apply = self.clock.monotonic()
            try:
                return self._run_phases(started)
            finally:
                self._busy = False

    def _run_phases(self, started: float) -> CycleDone:
        self.manager.freeze_process_image(self.clock.monotonic())
        self.sum_stage.calculate()
        self.power.begin_cycle()
        for controller in self.controllers():
            self._run_controller(controller)
        self.power.solve_and_apply()
        self.number += 1
        duration_ms = (time.perf_counter() - started) * 1000.0
        self.component.set(MEASURED_CYCLE_TIME, round(duration_ms))
        self.component.set(MEASURED_CYCLE_TIME_MICROS, round(duration_ms * 1000))
        self.component.set(CYCLE_COUNT, self.number)
        now = self.clock.time()
        snapshot = self.snapshots.publish(self.number, now)
        event = CycleDone(self.number, now, duration_ms, snapshot)
        self.publish_events(event)
        return event

    def controllers(self) -> list[Controller]:
        controllers = self.manager.of_type(Controller)
        if self.scheduler.explicit_order:
            present = {c.id for c in controllers}
            if all(cid in present for cid in self.scheduler.explicit_order):
                self.component.clear_state(IGNORE_DISABLED_CONTROLLER)
            else:
                self.component.raise_state(IGNORE_DISABLED_CONTROLLER)
        return self.scheduler.order(controllers)

    def _run_controller(self, controller: Controller) -> None:
        try:
            controller.run()
        except Exception as error:  # one failing controller must not stop the others
            if controller.id not in self._failed_controllers:
                log.exception("controller %s failed", controller.id)
            self._failed_controllers.add(controller.id)
            controller.raise_state(RUN_FAILED, f"{type(error).__name__}: {error}")
        else:
            if controller.id in self._failed_controllers:
                self._failed_controllers.discard(controller.id)
                controller.clear_state(RUN_FAILED)

    def apply_step(self) -> None:
        """Controllers → solve → apply on the last cycle's process image: what a write changed
        reaches the batteries now, not with the next cycle. Nothing is published; the next
        cycle (woken too) shows the write's effects to readers."""
        with self._lock:
            self._busy, self._apply_pending = True, False
            self._last_apply = self.clock.monotonic()
            try:
                self.power.begin_cycle()
                for controller in self.controllers():
                    self._run_controller(controller)
                self.power.solve_and_apply()
            except Exception:  # a write must never fail because a device did
                log.exception("apply step after cycle %d failed", self.number)
            finally:
                self._busy = False

    def wake(self) -> None:
        """A setpoint was accepted: apply it at once (the apply step, unless the batteries were
        written less than `apply_spacing_ms` ago: then the loop applies it when that has
        passed) and run the next cycle early. From another thread than the cycle's (the API's,
        with the cycle in its own thread), the apply step runs here and now unless a cycle runs
        or the spacing forbids it: then the cycle's thread applies it. A write never waits for
        the cycle's thread to get the interpreter lock from a busy API thread."""
        loop = self._loop
        if loop is not None and loop is not _running_loop():
            if self._apply_here():
                loop.call_soon_threadsafe(self._wake.set)  # only the next cycle, early
            else:
                loop.call_soon_threadsafe(self._woken)
        else:
            self._woken()

    def _apply_here(self) -> bool:
        """The apply step in the calling thread, if no cycle holds the lock and it is due."""
        if self.number == 0 or not self._lock.acquire(blocking=False):
            return False
        try:
            due = self._last_apply + self.apply_spacing_ms / 1000.0
            if self._busy or self.clock.monotonic() < due:
                return False
            self.apply_step()
            return True
        finally:
            self._lock.release()

    def _woken(self) -> None:
        self._apply_pending = True
        due = self._last_apply + self.apply_spacing_ms / 1000.0
        if self.number > 0 and not self._busy and self.clock.monotonic() >= due:
            self.apply_step()
        self._wake.set()

    def _sleep_exactly_until(self, when: float) -> None:
        remaining = when - self.clock.monotonic()
        if remaining > 0:
            self.exact_sleep(remaining)

    async def _until_cycle_allowed(self, allowed: float) -> None:
        """Woken early: wait out the cycle's minimum spacing; a write that came too soon after
        the last apply step is applied as soon as `apply_spacing_ms` allows."""
        apply_spacing = self.apply_spacing_ms / 1000.0
        while not self._stopping:
            self._wake.clear()  # before looking: a write from now on ends the wait below
            now = self.clock.monotonic()
            until = allowed
            if self._apply_pending:
                due = self._last_apply + apply_spacing
                if now >= due:
                    self.apply_step()
                    continue
                until = min(due, allowed)
            if now >= allowed:
                return
            await self._sleep_unless_woken(until - now)

    async def _sleep_unless_woken(self, seconds: float) -> None:
        sleeper = asyncio.ensure_future(self.clock.sleep(seconds))
        waker = asyncio.ensure_future(self._wake.wait())
        try:
            await asyncio.wait({sleeper, waker}, return_when=asyncio.FIRST_COMPLETED)
        finally:
            sleeper.cancel()
            waker.cancel()

    def stop(self) -> None:
        self._stopping = True
        loop = self._loop
        if loop is not None and loop is not _running_loop():
            loop.call_soon_threadsafe(self._wake.set)
        else:
            self._wake.set()

    async def run_forever(self) -> None:
        """Real-time loop; tests call run_once() with a fake clock instead."""
        self._loop = asyncio.get_running_loop()
        try:
            await self._run_forever()
        finally:
            self._loop = None

    async def _run_forever(self) -> None:
        period = self.period_ms / 1000.0
        spacing = self.min_spacing_ms / 1000.0
        next_start = self.clock.monotonic()
        while not self._stopping:
            started = self.clock.monotonic()
            self._wake.clear()
            try:
                self.run_once()
            except Exception:  # the loop must survive anything a component does
                log.exception("cycle %d failed", self.number)
            next_start = max(next_start + period, started + spacing)
            if next_start < self.clock.monotonic() - period:
                next_start = self.clock.monotonic()  # fell behind: do not try to catch up
            timeout = next_start - self.clock.monotonic()
            if timeout > 0:
                early = min(self.precise_start_s, timeout)
                if not await self.clock.wait(self._wake, timeout - early):
                    self._sleep_exactly_until(next_start)
                    continue
                settled = self.clock.monotonic() + self.wake_settle_ms / 1000.0
                await self._until_cycle_allowed(max(started + spacing, settled))
                next_start = self.clock.monotonic()
            else:
                await asyncio.sleep(0)


def _running_loop() -> asyncio.AbstractEventLoop | None:
    try:
        return asyncio.get_running_loop()
    except RuntimeError:
        return None
