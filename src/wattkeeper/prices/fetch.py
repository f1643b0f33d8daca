"""One bounded HTTP exchange for the price and forecast clients: size, time and status checked."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import httpx

from wattkeeper.prices.series import PriceError

MAX_BODY = 2 * 1024 * 1024  # a year of quarter-hour prices as XML is ~1.5 MB
TIMEOUT_S = 10.0


def exchange(
    client: httpx.Client,
    method: str,
    url: str,
    *,
    params: dict[str, str] | None = None,
    headers: dict[str, str] | None = None,
    json: Any = None,
    max_body: int = MAX_BODY,
) -> bytes:
    """The response body, or PriceError saying what went wrong (never more than max_body read)."""
    try:
        with client.stream(
            method, url, params=params, headers=headers, json=json, timeout=TIMEOUT_S
        ) as response:
            declared = response.headers.get("content-length")
            if declared is not None and declared.isdigit() and int(declared) > max_body:
                raise PriceError(f"{url} answered {declared} bytes, more than {max_body}")
            body = bytearray()
            for chunk in response.iter_bytes():
                body += chunk
                if len(body) > max_body:
                    raise PriceError(f"{url} answered more than {max_body} bytes")
            if response.status_code != 200:
                text = bytes(body[:200]).decode("utf-8", "replace")
                raise PriceError(f"{url} answered HTTP {response.status_code}: {text}")
            return bytes(body)
    except httpx.HTTPError as exc:
        raise PriceError(f"{url} could not be reached: {exc}") from exc


def aware_time(stamp: str, what: str, error: type[ValueError]) -> datetime:
    """An ISO 8601 time with its UTC offset, in UTC; `error` names `what` (the service and
    field) when it is not ISO 8601 or has no offset, which would make its hour a guess."""
    try:
        when = datetime.fromisoformat(stamp)
    except ValueError as exc:
        raise error(f"{what} {stamp!r} is not ISO 8601") from exc
    if when.tzinfo is None:
        raise error(f"{what} {stamp!r} has no UTC offset")
    return when.astimezone(UTC)
