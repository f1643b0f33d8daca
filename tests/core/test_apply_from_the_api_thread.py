"""With the cycle in its own thread, a write is applied in the API's thread at once while no
cycle runs (it never waits for the cycle's thread to win the interpreter lock from a busy API
thread), and by the cycle's thread, as soon as it can, while a cycle holds the lock."""

from __future__ import annotations

import asyncio
import threading
from pathlib import Path

from tests.api.conftest import demo_with_write_access
from wattkeeper.core.writes import WriteRequest
from wattkeeper.drivers.simulated.battery import SimulatedBattery
from wattkeeper.edge.app import Edge
from wattkeeper.testing.fake_clock import FakeClock


def write(edge: Edge, watts: int) -> None:
    gate = edge.api.write_gate()
    assert gate is not None
    gate.write(WriteRequest("ess0/SetActivePowerEquals", watts, "owner", "owner", "t", "test"))


def test_a_write_is_applied_in_the_api_thread_unless_a_cycle_runs(tmp_path: Path) -> None:
    clock = FakeClock()
    edge = Edge(demo_with_write_access(), tmp_path, clock)
    edge.cycle.run_once()
    battery = edge.manager.get("ess0")
    assert isinstance(battery, SimulatedBattery)
    written: list[tuple[int, int]] = []
    original = battery.write_power

    def record(active: int, reactive: int) -> None:
        written.append((active, threading.get_ident()))
        original(active, reactive)

    battery.write_power = record  # type: ignore[method-assign]
    cycle_loop = asyncio.new_event_loop()  # stands for the loop of the cycle's own thread
    edge.cycle._loop = cycle_loop
    try:
        clock.advance(1)
        write(edge, 4321)
        # applied before the write returned, in this (the API's) thread
        assert (4321, threading.get_ident()) in written

        holding, release = threading.Event(), threading.Event()

        def a_cycle_running() -> None:
            with edge.cycle._lock:
                holding.set()
                release.wait(10)

        cycle = threading.Thread(target=a_cycle_running)
        cycle.start()
        holding.wait(10)
        clock.advance(1)
        write(edge, 1234)
        assert all(watts != 1234 for watts, _ in written)  # not while a cycle runs
        release.set()
        cycle.join(10)
        cycle_loop.run_until_complete(asyncio.sleep(0))  # the cycle's thread takes it over
        assert any(watts == 1234 for watts, _ in written)
    finally:
        edge.cycle._loop = None
        cycle_loop.close()
