"""Whatever a client sends over the websocket: exactly one reply each, never an internal error."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.api.conftest import demo_with_write_access
from wattkeeper.edge.app import Edge
from wattkeeper.testing.fake_clock import FakeClock

JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=12),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3)
    ),
    max_leaves=8,
)
METHODS = st.sampled_from(
    ["getEdges", "getEdge", "edgeRpc", "subscribeEdges", "authenticateWithToken", "nope"]
)
INNER = st.sampled_from(
    [
        "subscribeChannels",
        "getEdgeConfig",
        "componentJsonApi",
        "setOverride",
        "getOverrides",
        "updateComponentConfig",
        "setChannelValue",
        "queryHistoricTimeseriesData",
        "queryHistoricTimeseriesEnergy",
        "nope",
    ]
)


def _request(method: str, params: Any, inner: str, inner_params: Any, inner_id: Any) -> str:
    outer = dict(params) if isinstance(params, dict) else {}
    outer.setdefault("edgeId", "0")
    outer["payload"] = {"method": inner, "params": inner_params, "id": inner_id}
    return json.dumps({"jsonrpc": "2.0", "id": "r", "method": method, "params": outer})


MESSAGE = st.one_of(
    st.builds(_request, METHODS, JSON, INNER, JSON, JSON),
    JSON.map(json.dumps),
    st.text(max_size=30),
)


@pytest.fixture(scope="module")
def edge(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Edge]:
    edge = Edge(demo_with_write_access(), tmp_path_factory.mktemp("edge"), FakeClock())
    edge.cycle.run_once()
    yield edge
    edge.api.audit.close()
    edge.history.close()


async def session(edge: Edge, messages: list[str]) -> list[dict[str, Any]]:
    """One websocket session straight on the ASGI app: connect, send all, collect the replies."""
    inbox: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
    await inbox.put({"type": "websocket.connect"})
    for text in messages:
        await inbox.put({"type": "websocket.receive", "text": text})
    replies: list[dict[str, Any]] = []

    async def send(message: dict[str, Any]) -> None:
        if message["type"] == "websocket.send":
            replies.append(json.loads(message["text"]))
            if len(replies) == len(messages):
                await inbox.put({"type": "websocket.disconnect", "code": 1000})

    scope = {
        "type": "websocket",
        "asgi": {"version": "3.0"},
        "path": "/websocket",
        "raw_path": b"/websocket",
        "root_path": "",
        "scheme": "ws",
        "query_string": b"",
        "headers": [],
        "client": ("127.0.0.1", 1),
        "server": ("127.0.0.1", 8085),
        "subprotocols": [],
    }
    await asyncio.wait_for(edge.asgi(scope, inbox.get, send), 10)
    return replies


@settings(max_examples=120, deadline=None)
@given(
    messages=st.lists(MESSAGE, min_size=1, max_size=6), password=st.sampled_from(["user", "owner"])
)
def test_any_message_gets_exactly_one_reply(edge: Edge, messages: list[str], password: str) -> None:
    login = json.dumps(
        {"id": "login", "method": "authenticateWithPassword", "params": {"password": password}}
    )
    sent = [login, *messages]
    replies = asyncio.run(session(edge, sent))
    assert len(replies) == len(sent)
    assert "result" in replies[0]
    for text, reply in zip(sent, replies, strict=True):
        assert reply.get("jsonrpc") == "2.0" and "id" in reply, (text, reply)
        assert ("result" in reply) != ("error" in reply), (text, reply)
        if "error" in reply:
            message = reply["error"]["message"]
            assert message and not message.startswith("Internal error"), (text, reply)
