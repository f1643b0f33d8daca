"""Whatever a client sends, the answer is never a 500 and always a JSON body."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from urllib.parse import quote

import httpx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.api.conftest import ADMIN, GUEST, OWNER, demo_with_write_access
from wattkeeper.edge.app import Edge
from wattkeeper.testing.fake_clock import FakeClock

PATH_PART = st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=30)
JSON_VALUE = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=10),
    lambda children: (
        st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=5), children, max_size=3)
    ),
    max_leaves=6,
)
BODY = st.one_of(
    st.binary(max_size=60),
    JSON_VALUE.map(lambda v: json.dumps({"value": v}, allow_nan=True).encode()),
    JSON_VALUE.map(lambda v: json.dumps(v, allow_nan=True).encode()),
)


@pytest.fixture(scope="module")
def edge(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Edge]:
    """One edge for all examples: building one costs a password hash per default user."""
    edge = Edge(demo_with_write_access(), tmp_path_factory.mktemp("edge"), FakeClock())
    edge.cycle.run_once()
    yield edge
    edge.api.audit.close()
    edge.history.close()


def check(response: httpx.Response) -> None:
    assert response.status_code < 500, response.text
    response.json()


@settings(max_examples=150, deadline=None)
@given(
    component=PATH_PART,
    channel=PATH_PART,
    body=BODY,
    auth=st.sampled_from([GUEST, OWNER, ADMIN, {}, {"Authorization": "Basic ???"}]),
    method=st.sampled_from(["GET", "POST", "PUT", "DELETE"]),
)
def test_rest_never_answers_500(edge, component, channel, body, auth, method) -> None:
    path = f"/rest/channel/{quote(component, safe='()|.*[]')}/{quote(channel, safe='()|.*[]')}"

    async def go() -> httpx.Response:
        transport = httpx.ASGITransport(app=edge.asgi, client=("127.0.0.1", 1))
        async with httpx.AsyncClient(transport=transport, base_url="http://edge") as client:
            return await client.request(method, path, content=body, headers=auth)

    check(asyncio.run(go()))


@settings(max_examples=100, deadline=None)
@given(body=BODY)
def test_jsonrpc_never_answers_500(edge, body) -> None:
    async def go() -> httpx.Response:
        transport = httpx.ASGITransport(app=edge.asgi, client=("127.0.0.1", 1))
        async with httpx.AsyncClient(transport=transport, base_url="http://edge") as client:
            return await client.post("/jsonrpc", content=body, headers=ADMIN)

    check(asyncio.run(go()))
