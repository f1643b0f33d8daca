"""One write gate: REST, JSON-RPC and the web UI's setOverride all validate, audit, hold and
wake through the REST write app's controller, under its one lease."""

from __future__ import annotations

from tests.api.conftest import ADMIN, OWNER
from wattkeeper.core.writes import WriteRequest


async def test_every_api_writes_through_the_gate(api, monkeypatch) -> None:
    gate = api.edge.api.write_gate()
    seen: list[WriteRequest] = []
    real = gate.write

    def counting(request: WriteRequest):
        seen.append(request)
        return real(request)

    monkeypatch.setattr(gate, "write", counting)
    assert (await api.post("ess0/SetActivePowerEquals", {"value": 1000})).status_code == 200
    response = await api.rpc(
        "setChannelValue",
        {"componentId": "ess0", "channelId": "SetActivePowerLessOrEquals", "value": 3000},
        auth=ADMIN,
    )
    assert response.status_code == 200, response.text
    response = await api.rpc(
        "setOverride", {"address": "ess0/SetActivePowerGreaterOrEquals", "value": -2000}, auth=OWNER
    )
    assert response.status_code == 200, response.text
    assert [(r.address, r.source, r.role) for r in seen] == [
        ("ess0/SetActivePowerEquals", "rest", "owner"),
        ("ess0/SetActivePowerLessOrEquals", "jsonrpc", "admin"),
        ("ess0/SetActivePowerGreaterOrEquals", "jsonrpc", "owner"),
    ]
    # one lease holds all three, and the audit log names the API each came through
    assert set(api.worker.held) == {r.address for r in seen}
    assert [e["via"] for e in reversed(api.edge.api.audit.read(3))] == [
        "rest",
        "jsonrpc",
        "jsonrpc",
    ]


async def test_a_write_refused_by_the_gate_is_held_nowhere(api) -> None:
    response = await api.post("ess0/SetActivePowerEquals", {"value": "lots"})
    assert response.status_code == 400
    assert api.worker.held == {}
    assert api.edge.api.audit.read() == []
