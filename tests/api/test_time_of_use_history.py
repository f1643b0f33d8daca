"""getSchedule over the real JSON-RPC API after a restart: the last 3 h come from the edge's
history store, quarter-hour aligned, and match what the meters read before the restart."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import pytest

from tests.api.conftest import ADMIN, Api
from tests.api.test_time_of_use_example import example
from wattkeeper.controllers.time_of_use.past import addresses

NOON = 1_782_043_200.0  # 2026-06-21 12:00 UTC (14:00 in Berlin): sun, the day rate
CID = "ctrlEssTimeOfUseTariff0"
KEYS = {"timestamp", "price", "state", "grid", "production", "consumption", "ess", "soc"}
FIELDS = ("grid", "production", "consumption", "ess", "soc")


def stamp(ts: float) -> str:
    return datetime.fromtimestamp(ts, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


@pytest.mark.slow  # two edges, four simulated hours at one cycle a minute
async def test_after_a_restart_the_past_3_h_come_from_history(
    make_api: Callable[..., Api], tmp_path: Path
) -> None:
    data = tmp_path / "site"
    first = make_api(example(), start=NOON, data_dir=data)
    where = addresses(CID)
    seen: dict[str, dict[float, list[float]]] = {f: defaultdict(list) for f in FIELDS}
    for _ in range(4 * 60):
        first.step(seconds=60.0)
        now = first.site.clock.time()
        for field in FIELDS:
            value = first.site.value(where[field])
            if isinstance(value, int | float):
                seen[field][now // 900 * 900].append(value)
    stopped = first.site.clock.time()
    await first.edge.stop()

    # a new edge on the same data directory, a minute later: one cycle, then the question
    second = make_api(example(), start=stopped + 60, data_dir=data)
    payload = {"method": "getSchedule", "params": {}}
    body = {"componentId": CID, "payload": payload}
    result = (await second.rpc("componentJsonApi", body, auth=ADMIN)).json()["result"]
    schedule = result["schedule"]
    assert result["measured"] == 12  # before its first plan: the past alone
    now = second.site.clock.time()
    quarter = now // 900 * 900
    # one entry per quarter hour, from 3 h before the current quarter on
    assert [e["timestamp"] for e in schedule] == [
        stamp(quarter - 3 * 3600 + 900 * k) for k in range(12)
    ]
    assert all(set(e) == KEYS for e in schedule)
    starts = range(int(quarter) - 3 * 3600, int(quarter), 900)
    for entry, start in zip(schedule, starts, strict=True):
        for field in FIELDS:
            readings = seen[field][start]
            assert entry[field] == pytest.approx(sum(readings) / len(readings), abs=1), field
        assert entry["price"] == 360.0  # the day rate, €/MWh, as the controller recorded it
        assert entry["state"] in {0, 1, 3, 4, 6}
    assert any(e["production"] > 1000 for e in schedule[:12])  # the afternoon sun was recorded
    # once planned, the plan follows from the current quarter hour on, without a gap or overlap
    second.edge.manager.get(CID).planner.wait(30)
    second.step()
    result = (await second.rpc("componentJsonApi", body, auth=ADMIN)).json()["result"]
    assert result["measured"] == 12
    assert [e["timestamp"] for e in result["schedule"][:16]] == [
        stamp(quarter - 3 * 3600 + 900 * k) for k in range(16)
    ]
