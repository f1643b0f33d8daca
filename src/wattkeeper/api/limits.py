"""Bounds on what one request may cost: URL, header count, body size and time, JSON depth."""

from __future__ import annotations

import asyncio
import json
from collections.abc import MutableMapping
from typing import Any

from wattkeeper.api.errors import ApiError, bad_request

MAX_URL = 16 * 1024  # a 98-name alternation, percent-encoded, is ~4 KB
MAX_HEADERS = 100
MAX_BODY = 256 * 1024  # the largest JSON-RPC request; REST writes allow far less
BODY_TIMEOUT = 10.0  # seconds to send a whole body once the head has arrived
MAX_DEPTH = 32  # nesting of JSON objects and arrays; OpenEMS requests use fewer than 8


def head_problem(scope: dict[str, Any]) -> ApiError | None:
    """The 414/431 for a head within uvicorn's byte limit but with too much in it."""
    length = len(scope.get("raw_path") or b"") + len(scope.get("query_string") or b"")
    if length > MAX_URL:
        return ApiError(414, f"URL is {length} bytes long; at most {MAX_URL} are accepted")
    if len(scope.get("headers") or ()) > MAX_HEADERS:
        return ApiError(431, f"More than {MAX_HEADERS} request headers")
    return None


def declared_length(scope: MutableMapping[str, Any], limit: int) -> None:
    """Refuse a body by its Content-Length before a byte of it is read."""
    for key, value in scope.get("headers") or ():
        if key == b"content-length":
            try:
                length = int(value)
            except ValueError:
                raise bad_request("Content-Length is not a number") from None
            if length > limit:
                raise too_large(limit)


async def read_body(scope: MutableMapping[str, Any], receive: Any, limit: int) -> bytes:
    """The whole body, refused with 413 as soon as it passes `limit`, 408 if it is too slow."""
    declared_length(scope, limit)
    chunks: list[bytes] = []
    size = 0
    try:
        async with asyncio.timeout(BODY_TIMEOUT):
            while True:
                message = await receive()
                if message["type"] == "http.disconnect":
                    break
                chunk = message.get("body", b"")
                size += len(chunk)
                if size > limit:
                    raise too_large(limit)
                chunks.append(chunk)
                if not message.get("more_body", False):
                    break
    except TimeoutError:
        raise ApiError(408, f"Request body not received within {BODY_TIMEOUT:.0f} s") from None
    return b"".join(chunks)


def too_large(limit: int) -> ApiError:
    return ApiError(413, f"Request body is larger than {limit} bytes")


def load_json(body: bytes | str, what: str = "Request") -> Any:
    """`json.loads` with constants refused and nesting bounded: a client's input, never a 500."""
    try:
        data = json.loads(body, parse_constant=_no_constant)
    except RecursionError:
        raise too_deep(what) from None
    except UnicodeDecodeError:
        raise bad_request(f"{what} is not UTF-8 text") from None
    except ValueError as error:
        raise bad_request(f"{what} is not valid JSON: {error}") from None
    check_depth(data, what)
    return data


def check_depth(data: Any, what: str = "Request") -> None:
    if _depth_exceeds(data, MAX_DEPTH):
        raise too_deep(what)


def too_deep(what: str) -> ApiError:
    return bad_request(f"{what} is nested deeper than {MAX_DEPTH} levels")


def _depth_exceeds(data: Any, limit: int) -> bool:
    stack: list[tuple[Any, int]] = [(data, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, dict):
            item = item.values()
        elif not isinstance(item, list):
            continue
        if depth > limit:
            return True
        stack.extend((child, depth + 1) for child in item if isinstance(child, dict | list))
    return False


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not allowed")
