"""`/rest/channel/...`: read channels by regular expression, write one channel (a raw ASGI app).

Kept as plain ASGI because it is the hot path: a dashboard may read `.*/.*` every second.
"""

from __future__ import annotations

import json
import math
from typing import Any

from wattkeeper.api.auth import require
from wattkeeper.api.context import ApiContext
from wattkeeper.api.errors import ApiError, Code, bad_request
from wattkeeper.api.limits import check_depth, declared_length, read_body, too_deep
from wattkeeper.api.paths import PREFIX, split_address
from wattkeeper.api.patterns import InvalidPattern
from wattkeeper.api.users import Role, User
from wattkeeper.config.overrides import StorageError
from wattkeeper.core.errors import ChannelNotFound, ComponentNotFound, WriteRejected
from wattkeeper.core.writes import WriteRequest

MAX_BODY = 64 * 1024
JSON_HEADERS = [(b"content-type", b"application/json")]
Scope = dict[str, Any]


class RestChannelApp:
    def __init__(self, ctx: ApiContext) -> None:
        self.ctx = ctx

    async def __call__(self, scope: Scope, receive: Any, send: Any) -> None:
        try:
            status, body = await self._handle(scope, receive)
            headers = JSON_HEADERS
        except ApiError as error:
            status, body = error.status, error.json()
            headers = JSON_HEADERS + [
                (k.lower().encode(), v.encode()) for k, v in error.headers.items()
            ]
        headers = [*headers, (b"content-length", str(len(body)).encode())]
        await send({"type": "http.response.start", "status": status, "headers": headers})
        await send({"type": "http.response.body", "body": body})

    async def _handle(self, scope: Scope, receive: Any) -> tuple[int, bytes]:
        method = scope["method"]
        if method not in ("GET", "POST"):
            raise ApiError(
                405,
                f"Method {method} is not allowed here (GET or POST)",
                headers={"Allow": "GET, POST"},
            )
        if method == "POST":
            declared_length(scope, MAX_BODY)  # before any work: a 200 MB body is never read
        if self.ctx.rest_api_id() is None:
            raise ApiError(
                403,
                "The REST/JSON API is not installed on this edge: install "
                "'App.Api.RestJson.ReadOnly' (free) or 'App.Api.RestJson.ReadWrite' "
                "in the App Center.",
                Code.ROLE_DENIED,
            )
        user = await self.ctx.auth.authenticate(_header(scope, b"authorization"), _remote(scope))
        path: str = scope["path"]
        if not path.startswith(PREFIX):
            raise ApiError(
                404, f"Unknown endpoint [{path}]: use /rest/channel/<component>/<channel>"
            )
        address = path[len(PREFIX) :]
        if method == "GET":
            return 200, self._read(user, address)
        component, channel = split_address(address)
        require(user, Role.OWNER, "writing a channel")
        body = await read_body(scope, receive, MAX_BODY)
        self._write(user, _remote(scope), component, channel, body)
        return 200, b"{}"

    def _read(self, user: User, address: str) -> bytes:
        reads = self.ctx.reads
        try:
            text = reads.read(user.role, address)
            hidden = text is None and user.role < Role.OWNER
            if hidden and reads.read(Role.OWNER, address) is not None:
                raise ApiError(
                    403,
                    f"Access denied: reading [{address}] needs role owner or "
                    f"higher; user '{user.name}' has role {user.role.wire}",
                    Code.ROLE_DENIED,
                )
        except InvalidPattern as error:
            raise bad_request(str(error)) from None
        if text is None:
            raise ApiError(404, f"No channel matches [{address}]", Code.NO_SUCH_CHANNEL)
        return text

    def _write(self, user: User, remote: str, component: str, channel: str, body: bytes) -> None:
        require(user, Role.OWNER, "writing a channel")
        gate = self.ctx.write_gate()
        if gate is None:
            raise write_access_not_installed()
        request = WriteRequest(
            f"{component}/{channel}",
            parse_write_body(body),
            user.name,
            user.role.wire,
            remote,
            "rest",
        )
        try:
            gate.write(request)
        except ComponentNotFound as error:
            raise ApiError(404, str(error), Code.NO_SUCH_COMPONENT) from None
        except ChannelNotFound as error:
            raise ApiError(404, str(error), Code.NO_SUCH_CHANNEL) from None
        except WriteRejected as error:
            raise bad_request(str(error)) from None
        except StorageError as error:
            raise storage_refused(error) from None


def storage_refused(error: StorageError) -> ApiError:
    return ApiError(503, f"Refused, nothing was changed: {error}")


def write_access_not_installed() -> ApiError:
    return ApiError(
        403,
        "REST/JSON write access is not installed on this edge. Install the app "
        "'App.Api.RestJson.ReadWrite' with its licence key in the App Center "
        "(wattkeeper apps install App.Api.RestJson.ReadWrite --key XXXX-XXXX-XXXX-XXXX).",
        Code.ROLE_DENIED,
    )


def parse_write_body(body: bytes) -> Any:
    """`{"value": ...}` whatever the Content-Type; refuse anything else with a clear message."""
    if not body.strip():
        raise bad_request('Empty request body: send a JSON object such as {"value": 5000}')
    try:
        data = json.loads(body, parse_constant=_reject_constant)
    except RecursionError:
        raise too_deep("Request body") from None
    except UnicodeDecodeError:
        raise bad_request("Request body is not UTF-8 text") from None
    except ValueError as error:
        raise bad_request(
            f'Request body is not valid JSON ({error}): send {{"value": 5000}}'
        ) from None
    check_depth(data, "Request body")
    if not isinstance(data, dict):
        raise bad_request('Request body must be a JSON object such as {"value": 5000}')
    if "value" not in data:
        raise bad_request(
            'Request body has no "value": send {"value": 5000}, or {"value": null} to release'
        )
    value = data["value"]
    if isinstance(value, float) and not math.isfinite(value):
        raise bad_request(f"Value {value} is not a finite number")
    return value


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a number that can be written")


def _header(scope: Scope, name: bytes) -> str | None:
    for key, value in scope["headers"]:
        if key == name:
            return str(value.decode("latin-1"))
    return None


def _remote(scope: Scope) -> str:
    client = scope.get("client")
    return str(client[0]) if client else "unknown"
