"""An edge reports to a backend node; its history is queried from the backend's PostgreSQL."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.backend.conftest import Fleet, until
from tests.conftest import SUMMER_NOON
from wattkeeper.backend.schema import AGGREGATES, RAW
from wattkeeper.config.site import demo_site
from wattkeeper.core.errors import ConfigError
from wattkeeper.edge.app import Edge
from wattkeeper.testing.fake_clock import FakeClock

pytestmark = [pytest.mark.external]


async def test_an_edge_reports_and_its_history_is_queryable_from_the_backend(fleet: Fleet) -> None:
    node = await fleet.node()
    owner = await fleet.user()
    edge_id, edge = await fleet.edge(owner=owner)
    store = fleet.store
    assert store is not None
    link = edge.edge.manager.get("ctrlBackend0").link  # type: ignore[attr-defined]
    await until(lambda: _true(link.connected_to is not None))
    edge.step(120)  # two minutes of the demo home, one cycle a second
    await _settle(link)  # everything sent and confirmed
    soc = await store.stamps(RAW, edge_id, "_sum/EssSoc")
    assert len(soc) >= 1  # the first cycle sends everything, later ones what changed
    power = await store.stamps(RAW, edge_id, "_sum/ProductionActivePower")
    assert len(power) > 60  # PV moves every cycle at noon
    response = await fleet.rpc(
        node,
        owner,
        "edgeRpc",
        {
            "edgeId": edge_id,
            "payload": {
                "method": "queryHistoricTimeseriesData",
                "params": {
                    "fromDate": "2026-06-21",
                    "toDate": "2026-06-21",
                    "timezone": "UTC",
                    "channels": ["_sum/ProductionActivePower", "_sum/EssSoc"],
                    "resolution": {"value": 1, "unit": "Minutes"},
                },
            },
        },
    )
    assert response.status_code == 200, response.text
    result = response.json()["result"]
    assert len(result["timestamps"]) == 1440
    assert result["timestamps"][600] == "2026-06-21T10:00:00+00:00"
    edge_side = edge.edge.history.query_timeseries_data(
        1_782_036_000, 1_782_036_120, ["_sum/ProductionActivePower"], 60, "UTC"
    )["data"]["_sum/ProductionActivePower"]
    backend_side = result["data"]["_sum/ProductionActivePower"][600:602]
    # the same minutes, the same averages as the edge's own history (the edge records the
    # value after each cycle, the uplink sends it one cycle later: allow that one sample)
    for ours, theirs in zip(backend_side, edge_side, strict=True):
        assert theirs is not None and ours is not None
        assert abs(ours - theirs) <= 0.05 * abs(theirs) + 5
    assert result["data"]["_sum/ProductionActivePower"][0] is None  # midnight: nothing sent


async def test_five_minute_aggregates_arrive_after_the_random_delay(fleet: Fleet) -> None:
    await fleet.node()
    edge_id, edge = await fleet.edge()
    store = fleet.store
    assert store is not None
    link = edge.edge.manager.get("ctrlBackend0").link  # type: ignore[attr-defined]
    link.sampler.delay_s = 30.0  # what the injected random drew
    await until(lambda: _true(link.connected_to is not None))
    edge.step(300 + 29)  # the window 10:00-10:05 closed 29 s ago: not yet sent
    await _settle(link)
    assert await store.count(AGGREGATES, edge_id) == 0
    edge.step(2)
    await until(lambda: _equal(store.count(AGGREGATES, edge_id), None))
    stamps = await store.stamps(AGGREGATES, edge_id, "_sum/ProductionActivePower")
    assert stamps == [1_782_036_000.0]


async def _settle(link: object) -> None:
    await until(lambda: _true(link.pending() == 0))  # type: ignore[attr-defined]


async def _true(value: bool) -> bool:
    return value


async def _equal(awaitable: object, expected: object) -> bool:
    value = await awaitable  # type: ignore[misc]
    return bool(value) if expected is None else value == expected


async def test_the_app_center_installs_the_backend_app(fleet: Fleet, tmp_path: Path) -> None:
    node = await fleet.node()
    store = fleet.store
    assert store is not None
    await store.add_edge("appedge", "key-of-appedge")
    edge = Edge(demo_site(), tmp_path / "appedge", FakeClock(SUMMER_NOON))
    await edge.start()
    try:
        missing = edge.apps.install("App.Api.Backend", properties={"URI": node.edge_url})
        with pytest.raises(ConfigError, match="apikey"):
            await missing  # no key: a clear refusal, nothing installed
        await edge.apps.install(
            "App.Api.Backend", properties={"API_KEY": "key-of-appedge", "URI": node.edge_url}
        )
        link = edge.manager.get("ctrlBackend0").link  # type: ignore[attr-defined]
        await until(lambda: _true(link.connected_to == node.edge_url))
        edge.cycle.run_once()
        await until(lambda: _true(link.pending() == 0))
        assert await store.count(RAW, "appedge") > 0
    finally:
        await edge.stop()


async def test_old_partitions_are_dropped_whole(fleet: Fleet) -> None:
    await fleet.node()
    other = (await fleet.node()).node.store  # a second node, with its own partition cache
    store = fleet.store
    assert store is not None
    await store.add_edge("retained", "key-of-retained")
    now = 1_795_478_400.0  # 2026-11-24
    await other.insert(RAW, "retained", [("a/B", now - 9 * 86_400, 1.0), ("a/B", now, 2.0)])
    await store.insert(AGGREGATES, "retained", [("a/B", now - 9 * 86_400, 1.0)])
    dropped = await store.drop_old_partitions(now, raw_days=8, aggregate_days=3660)
    assert "fleet_sample_20261115" in dropped
    assert not any(name.startswith("fleet_aggregate") for name in dropped)
    assert await store.stamps(RAW, "retained", "a/B") == [now]
    assert await store.stamps(AGGREGATES, "retained", "a/B") == [now - 9 * 86_400]
    # a late resend reaches the other node, which still believes in the dropped partition
    await other.insert(RAW, "retained", [("a/B", now - 9 * 86_400, 3.0)])
    assert len(await store.stamps(RAW, "retained", "a/B")) == 2
