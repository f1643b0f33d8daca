"""One request, twenty batteries: a dispatch is held on each edge's write gate under its lease,
reported per edge, and released on all of them on cancel or expiry."""

from __future__ import annotations

import pytest

from tests.api.conftest import EVENING
from tests.backend.conftest import Fleet, until

pytestmark = [pytest.mark.external, pytest.mark.slow]

SETPOINT = "ess0/SetActivePowerEquals"


def _held(runner: object) -> dict[str, object]:
    worker = runner.edge.manager.get("ctrlApiRest0")  # type: ignore[attr-defined]
    return {address: held.value for address, held in worker.held.items()}


async def test_a_dispatch_to_20_edges_is_applied_and_released(fleet: Fleet) -> None:
    node = await fleet.node()
    aggregator = await fleet.user()
    edges = [await fleet.edge(start=EVENING) for _ in range(20)]
    assert fleet.store is not None
    for edge_id, _ in edges:
        await fleet.store.grant(aggregator, edge_id, "installer")
    for _, runner in edges:
        link = runner.edge.manager.get("ctrlBackend0").link  # type: ignore[attr-defined]
        await until(lambda link=link: _true(link.connected_to is not None))
    ids = [edge_id for edge_id, _ in edges]

    answer = await fleet.rpc(
        node, aggregator, "dispatch", {"edges": ids, "value": 2500, "seconds": 600}
    )
    assert answer.status_code == 200, answer.text
    record = answer.json()["result"]
    assert record["state"] == "running"
    assert {e: r["applied"] for e, r in record["edges"].items()} == dict.fromkeys(ids, True)
    for _, runner in edges:
        assert _held(runner) == {SETPOINT: 2500}
        runner.step(2)
        assert runner.value("ess0/ActivePower") == 2500

    cancelled = await fleet.rpc(node, aggregator, "cancelDispatch", {"id": record["id"]})
    report = cancelled.json()["result"]
    assert report["state"] == "cancelled"
    assert {e: r["released"] for e, r in report["edges"].items()} == dict.fromkeys(ids, True)
    assert all(_held(runner) == {} for _, runner in edges)

    short = await fleet.rpc(
        node, aggregator, "dispatch", {"edges": ids[:5], "value": 1000, "seconds": 0.2}
    )
    assert all(_held(runner) == {SETPOINT: 1000} for _, runner in edges[:5])
    dispatch = node.node.dispatches[short.json()["result"]["id"]]
    await dispatch.wait()  # its end comes on the backend's clock
    assert dispatch.state == "expired"
    assert all(_held(runner) == {} for _, runner in edges[:5])


async def test_a_dispatch_is_all_or_nothing_on_roles(fleet: Fleet) -> None:
    node = await fleet.node()
    owner = await fleet.user()
    mine, runner = await fleet.edge(owner=owner, start=EVENING)
    guest_on, other = await fleet.edge(start=EVENING)
    assert fleet.store is not None
    await fleet.store.grant(owner, guest_on, "guest")
    answer = await fleet.rpc(
        node, owner, "dispatch", {"edges": [mine, guest_on], "value": 1000, "seconds": 60}
    )
    assert answer.status_code == 403
    assert answer.json()["error"]["message"] == f"no write access to edges {guest_on}"
    assert _held(runner) == {} and _held(other) == {}
    bad = await fleet.rpc(
        node, owner, "dispatch", {"edges": [mine], "value": "lots", "seconds": 60}
    )
    assert bad.status_code == 400 and "value" in bad.json()["error"]["message"]


async def _true(value: bool) -> bool:
    return value
