"""What OpenEMS's own UI sent to an edge (tests/fixtures/openems-ui), replayed against a backend
node for one edge of a fleet user: every request is answered, live values arrive."""

from __future__ import annotations

import asyncio
import json
from datetime import UTC, datetime
from typing import Any

import pytest
from websockets.asyncio.client import connect

from tests.api.conftest import EVENING
from tests.backend.conftest import Fleet, until
from tests.openems_ui.conftest import inner_method, recorded, unwrap

pytestmark = [pytest.mark.external, pytest.mark.slow]


async def test_the_openems_ui_recording_through_the_backend(fleet: Fleet) -> None:
    node = await fleet.node()
    owner = await fleet.user()
    edge_id, runner = await fleet.edge(owner=owner, start=EVENING)
    link = runner.edge.manager.get("ctrlBackend0").link  # type: ignore[attr-defined]

    async def connected() -> bool:
        return link.connected_to is not None

    await until(connected)
    runner.step()
    values = {
        "{TODAY}": datetime.fromtimestamp(runner.clock.time(), UTC).date().isoformat(),
        '"edgeId": "0"': f'"edgeId": "{edge_id}"',  # the recording's edge is this fleet edge
        '"edges": ["0"]': f'"edges": ["{edge_id}"]',
    }
    pushed: list[dict[str, Any]] = []
    answered: list[str] = []
    async with connect(f"ws://{node.host}:{node.port}/websocket") as ws:
        for request in recorded("live-and-history"):
            method = inner_method(request)
            if method == "authenticateWithPassword":  # a backend's sign-in names the user
                request = {**request, "params": {"username": owner, "password": "secret"}}
            text = json.dumps(request)
            for placeholder, value in values.items():
                text = text.replace(placeholder, value)
            await ws.send(text)
            while True:
                message = json.loads(await asyncio.wait_for(ws.recv(), 10))
                if message.get("id") == request["id"]:
                    break
                pushed.append(message)
            inner = unwrap(message)
            assert "error" not in inner, (method, inner)
            if method in ("authenticateWithPassword", "authenticateWithToken"):
                values["{TOKEN}"] = inner["result"]["token"]
            answered.append(method)
            runner.step()
    assert {"getEdges", "getEdge", "getEdgeConfig", "queryHistoricTimeseriesEnergy"} <= set(
        answered
    )
    live = [m["params"] for m in pushed if m.get("method") == "edgeRpc"]
    assert live and {m["edgeId"] for m in live} == {edge_id}
    assert isinstance(live[-1]["payload"]["params"]["_sum/EssSoc"], int)
