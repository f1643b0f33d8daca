"""Oversized, deep or slow requests are refused early, on a real server while the cycle runs."""

from __future__ import annotations

import asyncio
import json
import resource

import httpx
import pytest

from tests.api.conftest import GUEST, OWNER
from tests.security.conftest import follow


async def raw(port: int, head: bytes, then: bytes = b"", repeat: int = 0) -> tuple[bytes, int]:
    """Send a head (and `then` up to `repeat` times) until the server answers; (answer, sent)."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    sent = 0
    try:
        writer.write(head)
        sent += len(head)
        for _ in range(repeat):
            if reader.at_eof() or writer.is_closing():
                break
            writer.write(then)
            sent += len(then)
            try:
                await asyncio.wait_for(writer.drain(), 5)
            except (ConnectionError, TimeoutError):
                break
            if reader._buffer:  # type: ignore[attr-defined]  # an answer arrived: stop sending
                break
        answer = await asyncio.wait_for(reader.read(65536), 10)
    except ConnectionError:
        answer = b""
    finally:
        writer.close()
    return answer, sent


def status(answer: bytes) -> int:
    return int(answer.split(b" ", 2)[1])


async def test_a_100_mb_header_is_431_without_being_buffered(start_edge, watch) -> None:
    edge = await start_edge()
    follow(edge, watch)
    await edge.until(lambda: len(watch.times) >= 2)
    mark = watch.mark()
    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    head = b"GET /rest/channel/_sum/EssSoc HTTP/1.1\r\nHost: x\r\nX-Big: "
    chunk = b"a" * (1 << 20)
    attack = asyncio.create_task(raw(edge.ports[0], head, chunk, repeat=100))
    async with httpx.AsyncClient(base_url=edge.url, timeout=10) as client:
        ordinary = await client.get("/rest/channel/_sum/EssSoc", headers=GUEST)
    answer, sent = await attack
    assert ordinary.status_code == 200
    assert status(answer) == 431, answer[:200]
    assert sent < 50 << 20  # refused long before the 100 MB were sent
    rss_growth_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - rss_before
    assert rss_growth_kb < 40_000
    assert watch.longest_gap(mark) < 2.0


async def test_long_request_line_414_and_many_headers_431(start_edge) -> None:
    edge = await start_edge()
    port = edge.ports[0]
    line, _ = await raw(
        port, b"GET /rest/channel/" + b"a" * 40_000 + b" HTTP/1.1\r\nHost: x\r\n\r\n"
    )
    assert status(line) == 414
    url, _ = await raw(
        port, b"GET /rest/channel/_sum/" + b"a" * 20_000 + b" HTTP/1.1\r\nHost: x\r\n\r\n"
    )
    assert status(url) == 414
    many = b"".join(b"X-%d: 1\r\n" % i for i in range(200))
    headers, _ = await raw(
        port, b"GET /rest/channel/_sum/EssSoc HTTP/1.1\r\nHost: x\r\n" + many + b"\r\n"
    )
    assert status(headers) == 431


async def test_bodies_are_refused_by_length_and_role_before_reading(start_edge) -> None:
    edge = await start_edge()
    port = edge.ports[0]
    huge = b"Content-Length: 200000000\r\nContent-Type: application/json\r\n"
    for auth, expected in ((GUEST, 413), (OWNER, 413)):  # refused by length before anything
        credentials = auth["Authorization"].encode()
        head = (
            b"POST /jsonrpc HTTP/1.1\r\nHost: x\r\nAuthorization: "
            + credentials
            + b"\r\n"
            + huge
            + b"\r\n"
        )
        answer, _ = await raw(port, head)
        assert status(answer) == expected, answer[:300]
    credentials = OWNER["Authorization"].encode()
    head = (
        b"POST /rest/channel/ess0/SetActivePowerEquals HTTP/1.1\r\nHost: x\r\nAuthorization: "
        + credentials
        + b"\r\n"
        + huge
        + b"\r\n"
    )
    answer, _ = await raw(port, head)
    assert status(answer) == 413
    # chunked, no Content-Length: counted while streaming
    head = (
        b"POST /jsonrpc HTTP/1.1\r\nHost: x\r\nAuthorization: "
        + credentials
        + b"\r\nTransfer-Encoding: chunked\r\n\r\n"
    )
    answer, sent = await raw(port, head, b"100000\r\n" + b"[" * 0x100000 + b"\r\n", repeat=50)
    assert status(answer) == 413
    assert sent < 20 << 20


async def test_deep_json_and_huge_numbers_are_400(api) -> None:
    deep = b'{"value":' + b"[" * 30_000 + b"]" * 30_000 + b"}"
    response = await api.post("ess0/SetActivePowerEquals", deep)
    assert response.status_code == 400
    assert "nested deeper" in response.json()["error"]["message"]
    rpc = b"[" * 100_000 + b"]" * 100_000
    response = await api.client.post("/jsonrpc", content=rpc, headers=OWNER)
    assert response.status_code == 400
    response = await api.client.post("/jsonrpc", content=rpc, headers=GUEST)
    assert response.status_code == 403
    resolution = '{"value": ' + "9" * 4301 + ', "unit": "Minutes"}'
    body = (
        '{"jsonrpc":"2.0","id":"1","method":"queryHistoricTimeseriesData","params":{"resolution":'
        + resolution
        + "}}"
    )
    response = await api.client.post("/jsonrpc", content=body, headers=OWNER)
    assert response.status_code == 400
    response = await api.get("/rest/channel/ess0/a%7B4294967295%7D")
    assert response.status_code < 500


@pytest.mark.parametrize(
    ("method", "path", "allow"),
    [
        ("GET", "/jsonrpc", "POST"),
        ("POST", "/openapi.json", "GET"),
        ("PUT", "/rest/channel/_sum/EssSoc", "GET, POST"),
        ("POST", "/ui/app.js", "GET, HEAD"),
    ],
)
async def test_every_405_has_allow(api, method: str, path: str, allow: str) -> None:
    response = await api.client.request(method, path, headers=OWNER)
    assert response.status_code == 405
    assert allow in response.headers["allow"]
    json.loads(response.text)
