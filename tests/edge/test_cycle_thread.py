"""The cycle in its own thread: cycles run there, their listeners on the main event loop with
the cycle's snapshot, and a write accepted on the main loop is applied at once there, or by the
cycle's thread when a cycle was running (tests/core/test_apply_from_the_api_thread.py)."""

from __future__ import annotations

import sys
import threading
from pathlib import Path

import pytest

from tests.api.conftest import demo_with_write_access
from wattkeeper.core.events import CycleDone
from wattkeeper.core.writes import WriteRequest
from wattkeeper.drivers.simulated.battery import SimulatedBattery
from wattkeeper.edge.app import Edge
from wattkeeper.edge.cycle_thread import SWITCH_INTERVAL, CycleThread
from wattkeeper.testing.eventually import eventually


async def test_cycles_run_in_their_thread_and_listeners_on_the_main_loop(tmp_path: Path) -> None:
    site = demo_with_write_access()
    site.edge.period_ms = 20
    edge = Edge(site, tmp_path)
    await edge.start()
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
