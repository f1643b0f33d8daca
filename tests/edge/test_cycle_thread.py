"""The cycle in its own thread: cycles run there, their listeners on the main event loop with
the cycle's snapshot, and a write accepted on the main loop is applied at once there, or by the
cycle's thread when a cycle was running (tests/core/test_apply_from_the_api_thread.py)."""

from __future__ import annotations

import asyncio
import logging
import os
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.api.conftest import demo_with_write_access
from wattkeeper.core.events import CycleDone
from wattkeeper.core.stand_aside import CHECKPOINT
from wattkeeper.core.writes import WriteRequest
from wattkeeper.drivers.simulated.battery import SimulatedBattery
from wattkeeper.edge.app import Edge
from wattkeeper.edge.cycle_thread import (
    NETWORK_NICE,
    STEP_ASIDE_SLACK,
    SWITCH_INTERVAL,
    CycleThread,
)
from wattkeeper.testing.eventually import eventually


async def _started_edge(tmp_path: Path, period_ms: int) -> Edge:
    """The demo home with write access, its cycle `period_ms` long, started (its cycle not)."""
    site = demo_with_write_access()
    site.edge.period_ms = period_ms
    edge = Edge(site, tmp_path)
    await edge.start()
    return edge


async def test_cycles_run_in_their_thread_and_listeners_on_the_main_loop(tmp_path: Path) -> None:
    edge = await _started_edge(tmp_path, 20)
    main = threading.get_ident()
    cycles: list[int] = []
    heard: list[tuple[int, int, int | None]] = []
    run_once = edge.cycle.run_once

    def timed() -> CycleDone:
        cycles.append(threading.get_ident())
        return run_once()

    def listener(event: CycleDone) -> None:
        snapshot = event.snapshot
        heard.append((threading.get_ident(), event.number, snapshot and snapshot.cycle))

    edge.cycle.run_once = timed  # type: ignore[method-assign]
    edge.cycle.events.subscribe(listener)
    battery = edge.manager.get("ess0")
    assert isinstance(battery, SimulatedBattery)
    applied_in: list[int] = []
    write_power = battery.write_power

    def record(active: int, reactive: int) -> None:
        if active == 4321:
            applied_in.append(threading.get_ident())
        write_power(active, reactive)

    battery.write_power = record  # type: ignore[method-assign]
    runner = CycleThread(edge.cycle, real_time=False)
    previous = sys.getswitchinterval()
    runner.start()
    try:
        assert sys.getswitchinterval() == pytest.approx(SWITCH_INTERVAL)
        await eventually(lambda: len(heard) >= 3)
        gate = edge.api.write_gate()
        assert gate is not None
        gate.write(WriteRequest("ess0/SetActivePowerEquals", 4321, "owner", "owner", "t", "test"))
        await eventually(lambda: bool(applied_in))
    finally:
        await edge.stop()
        await runner.stop()
    assert sys.getswitchinterval() == previous
    assert set(cycles) == {cycles[0]} and cycles[0] != main  # every cycle in one other thread
    assert set(applied_in) <= {main, cycles[0]}  # at once here, or by the cycle's thread
    assert all(thread == main and number == cycle for thread, number, cycle in heard)


def _may_raise_priority() -> bool:
    """Whether this process may lower a thread's nice value (root or CAP_SYS_NICE), tried in a
    throwaway thread."""
    allowed: list[bool] = []

    def attempt() -> None:
        try:
            os.setpriority(os.PRIO_PROCESS, 0, os.getpriority(os.PRIO_PROCESS, 0) - 1)
            allowed.append(True)
        except OSError:
            allowed.append(False)

    thread = threading.Thread(target=attempt)
    thread.start()
    thread.join()
    return allowed[0]


async def test_the_cycle_gets_real_time_and_the_network_thread_precedence_where_allowed(
    tmp_path: Path,
) -> None:
    edge = await _started_edge(tmp_path, 20)
    policies: list[int] = []
    run_once = edge.cycle.run_once

    def noted() -> CycleDone:
        policies.append(os.sched_getscheduler(0))
        return run_once()

    edge.cycle.run_once = noted  # type: ignore[method-assign]
    allowed = _may_raise_priority()
    nice = os.getpriority(os.PRIO_PROCESS, 0)
    runner = CycleThread(edge.cycle)
    runner.start()
    try:
        await eventually(lambda: len(policies) >= 2)
        during = os.getpriority(os.PRIO_PROCESS, 0)
    finally:
        await edge.stop()
        await runner.stop()
    if allowed:
        assert set(policies) == {os.SCHED_FIFO}
        assert during == NETWORK_NICE
    else:  # not allowed: everything runs as before, nothing fails
        assert set(policies) == {os.SCHED_OTHER}
        assert during == nice
    assert os.getpriority(os.PRIO_PROCESS, 0) == nice  # given back when the cycle stops


async def _exact_starts(
    tmp_path: Path, sleep: Callable[[CycleThread, float], None]
) -> tuple[list[float], list[float], CycleThread]:
    """Run cycles in their thread with `sleep` as the exact sleep before each; returns when the
    network thread's loop ran a callback posted at the start of each such sleep, when each sleep
    ended, and the runner."""
    edge = await _started_edge(tmp_path, 60)
    main = asyncio.get_running_loop()
    heard: list[float] = []
    woke: list[float] = []
    runner = CycleThread(edge.cycle, real_time=False)

    def noted(seconds: float) -> None:
        main.call_soon_threadsafe(lambda: heard.append(time.monotonic()))
        sleep(runner, seconds)
        woke.append(time.monotonic())

    runner.sleep = noted
    runner.start()
    edge.cycle.precise_start_s = 0.03  # long enough for an idle loop to answer meanwhile
    try:
        await eventually(lambda: len(heard) >= 3 and len(woke) >= 3)
    finally:
        await edge.stop()
        await runner.stop()
    return heard, woke, runner


async def test_the_network_thread_stands_aside_until_the_cycle_is_under_way(
    tmp_path: Path,
) -> None:
    heard, woke, runner = await _exact_starts(tmp_path, lambda _, seconds: time.sleep(seconds))
    # without standing aside the idle loop runs each callback within the 30 ms sleep
    assert all(h >= w for h, w in zip(heard, woke, strict=False))
    assert runner.stood_aside >= 3 and runner.stood_aside_s > 0


async def test_the_network_thread_never_waits_beyond_the_planned_start(tmp_path: Path) -> None:
    def overrun(_: CycleThread, seconds: float) -> None:
        time.sleep(seconds + 0.2)  # the cycle's thread is held up far beyond its start

    heard, woke, runner = await _exact_starts(tmp_path, overrun)
    assert all(h < w for h, w in zip(heard, woke, strict=False))  # back before the sleep ended
    assert runner.stood_aside_s / runner.stood_aside < 0.03 + STEP_ASIDE_SLACK + 0.05


async def test_a_loop_busy_with_a_batch_stands_aside_at_its_next_request(tmp_path: Path) -> None:
    """The loop's queue waits behind the batch in progress; a request arriving meanwhile passes
    the checkpoint, and the network thread stands aside there and then (ADR 0206), once."""
    edge = await _started_edge(tmp_path, 150)
    runner = CycleThread(edge.cycle, real_time=False)
    asleep = threading.Event()
    sleeps: list[float] = []

    def noted(seconds: float) -> None:
        sleeps.append(seconds)
        if seconds > 0.05:  # the test's own long sleep: time enough to reach the checkpoint
            asleep.set()
        time.sleep(seconds)

    runner.sleep = noted
    at_the_checkpoint: list[int] = []

    def batch() -> None:  # one callback that is still busy when the cycle's thread asks
        assert asleep.wait(5)
        before = runner.stood_aside
        CHECKPOINT()  # as the next request arrives
        at_the_checkpoint.append(runner.stood_aside - before)

    asyncio.get_running_loop().call_soon(batch)
    runner.start()
    edge.cycle.precise_start_s = 0.1
    try:
        await eventually(lambda: bool(at_the_checkpoint) and len(sleeps) >= 3)
    finally:
        await edge.stop()
        await runner.stop()
    assert at_the_checkpoint == [1]  # it stood aside inside the batch, not later from the queue
    assert runner.stood_aside <= len(sleeps)  # the queue's copy of a request taken: no second wait
    assert CHECKPOINT.pending is None  # nothing left for a request after the cycle stopped


async def test_a_cycle_denied_real_time_priority_says_so_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    """Not root and no CAP_SYS_NICE: the cycles run all the same, and the log says why they
    may be late and where to read how to grant the priority."""

    def denied(*_: object) -> None:
        raise PermissionError(1, "Operation not permitted")

    monkeypatch.setattr(os, "sched_setscheduler", denied)
    monkeypatch.setattr(os, "setpriority", denied)  # the network thread's nice: denied too
    edge = await _started_edge(tmp_path, 20)
    cycles: list[int] = []
    edge.cycle.events.subscribe(lambda event: cycles.append(event.number))
    runner = CycleThread(edge.cycle)
    with caplog.at_level(logging.WARNING, logger="wattkeeper.edge.cycle_thread"):
        runner.start()
        try:
            await eventually(lambda: len(cycles) >= 3)
        finally:
            await edge.stop()
            await runner.stop()
    warnings = [r.getMessage() for r in caplog.records if r.name.endswith("cycle_thread")]
    assert len(warnings) == 1
    assert "normal priority" in warnings[0] and "CAP_SYS_NICE" in warnings[0]
