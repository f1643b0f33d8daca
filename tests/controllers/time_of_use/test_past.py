"""The schedule's past read from history: quarters before the first record are left out,
gaps after it kept as nulls, in OpenEMS's entry shape."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime

from wattkeeper.controllers.time_of_use import controller as tou
from wattkeeper.controllers.time_of_use.past import past_quarters
from wattkeeper.controllers.time_of_use.wire import schedule_entries
from wattkeeper.testing.dummies import DummyManagedEss
from wattkeeper.testing.one_cycle import OneCycle

CID = "ctrlEssTimeOfUseTariff0"


def test_quarters_before_the_first_record_are_left_out_and_later_gaps_kept() -> None:
    now = datetime(2026, 6, 21, 15, 7, tzinfo=UTC)
    asked: list[tuple[float, float, float]] = []

    def read(
        start: float, end: float, wanted: Sequence[str], resolution: float
    ) -> Mapping[str, Sequence[float | None]]:
        asked.append((start, end, resolution))
        grid = [None] * 4 + [100.0, None, 300.0] + [400.0] * 5
        return {"_sum/GridActivePower": grid}  # everything else was never recorded

    past = past_quarters(read, CID, now)
    assert asked == [
        (datetime(2026, 6, 21, 12, 0, tzinfo=UTC).timestamp(), now.replace(minute=0).timestamp(),
         900)
    ]  # fmt: skip
    assert [p.start.strftime("%H:%M") for p in past] == [
        "13:00", "13:15", "13:30", "13:45", "14:00", "14:15", "14:30", "14:45"
    ]  # fmt: skip
    assert [p.grid for p in past] == [100.0, None, 300.0, 400.0, 400.0, 400.0, 400.0, 400.0]
    assert past[0].soc is None and past[0].state is None
    entries = schedule_entries(past, None, now)
    assert entries[1] == {
        "timestamp": "2026-06-21T13:15:00Z",
        "price": None,
        "state": None,
        "grid": None,
        "production": None,
        "consumption": None,
        "ess": None,
        "soc": None,
    }


def test_without_a_history_store_the_past_is_empty() -> None:
    def nothing(
        start: float, end: float, wanted: Sequence[str], resolution: float
    ) -> Mapping[str, Sequence[float | None]]:
        return {}

    assert past_quarters(nothing, CID, datetime(2026, 6, 21, 15, 7, tzinfo=UTC)) == []


async def test_get_schedule_reads_history_in_a_worker_thread_not_on_the_event_loop() -> None:
    release = threading.Event()
    threads: list[str] = []

    def held_store(
        start: float, end: float, wanted: Sequence[str], resolution: float
    ) -> Mapping[str, Sequence[float | None]]:
        threads.append(threading.current_thread().name)
        release.wait(10)  # the store's lock is held by a commit or another user's query
        return {}

    harness = OneCycle(start=datetime(2026, 6, 21, 15, 7, tzinfo=UTC).timestamp())
    harness.ctx.history = held_store
    harness.add(DummyManagedEss("ess0", soc=50, capacity=10_000))
    controller = harness.controller(tou.FACTORY, CID, defaultPrice=0.3)
    answer = asyncio.ensure_future(controller.json_api("getSchedule", {}, may_write=False))
    for _ in range(100):  # the loop goes on while the query waits
        await asyncio.sleep(0)
        if threads:
            break
    assert threads and threads[0] != threading.current_thread().name
    assert not answer.done()
    release.set()
    assert (await answer)["measured"] == 0
