"""`getCurrentData {channels}`: what `currentData` would carry, for a backend that polls."""

from __future__ import annotations

import pytest

from tests.api.conftest import OWNER, Api
from tests.api.test_snapshot_reads import Vault
from wattkeeper.api.context import RpcCall
from wattkeeper.api.current_data_rpc import MAX_CHANNELS
from wattkeeper.api.errors import ApiError
from wattkeeper.api.users import Role, User

CHANNELS = ["_sum/EssSoc", "vault0/Secret", "vault0/Open", "nope0/Nothing"]


async def test_the_values_of_the_last_cycle_private_ones_for_owners_only(api: Api) -> None:
    api.edge.manager.add(Vault())
    api.step()
    owner = await api.rpc("getCurrentData", {"channels": CHANNELS}, OWNER)
    assert owner.json()["result"] == {
        "_sum/EssSoc": await api.value("_sum/EssSoc"),
        "vault0/Secret": "owner's eyes only",
        "vault0/Open": 7,
        "nope0/Nothing": None,  # as currentData: an unknown channel is null, not an error
    }
    # a guest has no /jsonrpc on the edge; it asks over a websocket, its own or a backend's
    who = User("backend:somebody", Role.GUEST, "")
    call = RpcCall("getCurrentData", {"channels": CHANNELS}, who, "backend", "backend-websocket")
    guest = await api.edge.api.methods["getCurrentData"](call)
    assert (guest["vault0/Secret"], guest["vault0/Open"]) == (None, 7)


async def test_bad_or_too_many_channels_are_refused(api: Api) -> None:
    for params, message in [
        ({}, '"channels" must be a list of channel addresses ("_sum/EssSoc")'),
        (
            {"channels": ["_sum/EssSoc", 5]},
            '"channels" must be a list of channel addresses ("_sum/EssSoc")',
        ),
        (
            {"channels": ["_sum/EssSoc"] * (MAX_CHANNELS + 1)},
            f"at most {MAX_CHANNELS} channels can be read at once",
        ),
    ]:
        answer = await api.rpc("getCurrentData", params, OWNER)
        assert answer.status_code == 400 and answer.json()["error"]["message"] == message


async def test_a_guest_reads_the_edge_config_over_a_ui_socket_only(api: Api) -> None:
    """The UI needs getEdgeConfig: a guest may read it over the edge's websocket or a backend's
    UI socket, not over JSON-RPC (the backend's /jsonrpc included)."""
    guest = User("backend:somebody", Role.GUEST, "")
    get_edge_config = api.edge.api.methods["getEdgeConfig"]
    for via in ("websocket", "backend-websocket"):
        config = await get_edge_config(RpcCall("getEdgeConfig", {}, guest, "backend", via))
        assert "ess0" in config["components"]
    with pytest.raises(ApiError):
        await get_edge_config(RpcCall("getEdgeConfig", {}, guest, "backend", "backend"))
