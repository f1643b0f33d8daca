"""JSON-RPC 2.0: the envelope, role checks and the methods every edge has."""

from __future__ import annotations

import inspect
import json
import math
from typing import Any

from wattkeeper.api.auth import require
from wattkeeper.api.context import ApiContext, RpcCall
from wattkeeper.api.edge_config import edge_config
from wattkeeper.api.errors import NULL_ID, ApiError, Code, bad_request
from wattkeeper.api.limits import load_json
from wattkeeper.api.rest import storage_refused, write_access_not_installed
from wattkeeper.api.users import PasswordTaken, Role
from wattkeeper.config.overrides import StorageError
from wattkeeper.config.site import ComponentEntry
from wattkeeper.core.channel import coerce
from wattkeeper.core.errors import (
    ChannelNotFound,
    ComponentNotFound,
    ConfigError,
    WriteRejected,
)
from wattkeeper.core.json_api import JsonApiComponent
from wattkeeper.core.writes import WriteRequest
from wattkeeper.power.setpoints import SETPOINT_CHANNELS

#: transports of the monitoring UI: the edge's websocket, and a backend's UI websocket
UI_SOCKETS = ("websocket", "backend-websocket")


def parse_request(body: bytes) -> tuple[Any, str, dict[str, Any]]:
    """(id, method, params) of a request; `jsonrpc` and `id` may be omitted."""
    data = load_json(body)
    if not isinstance(data, dict):
        raise bad_request("A JSON-RPC request must be a JSON object")
    request_id = data.get("id", NULL_ID)
    if isinstance(request_id, bool) or not isinstance(request_id, str | int | float | None):
        raise bad_request('"id" must be a string, a number or null')
    method = data.get("method")
    if not isinstance(method, str) or not method:
        raise bad_request('JSON-RPC request has no "method"')
    params = data.get("params", {})
    if params is None:
        params = {}
    if not isinstance(params, dict):
        raise bad_request('"params" must be a JSON object')
    return request_id, method, params


def success(request_id: Any, result: Any) -> dict[str, Any]:
    return {"jsonrpc": "2.0", "id": request_id, "result": result if result is not None else {}}


class Dispatcher:
    """Runs a method for an authenticated user; the same for /jsonrpc and the websocket."""

    def __init__(self, ctx: ApiContext) -> None:
        self.ctx = ctx  # its handlers are registered with the others in api/methods.py

    async def call(self, call: RpcCall) -> Any:
        handler = self.ctx.methods.get(call.method)
        if handler is None:
            raise bad_request(f"Unknown JSON-RPC method [{call.method}]")
        try:
            return await handler(call)
        except ComponentNotFound as error:
            raise ApiError(404, str(error), Code.NO_SUCH_COMPONENT) from None
        except ChannelNotFound as error:
            raise ApiError(404, str(error), Code.NO_SUCH_CHANNEL) from None
        except StorageError as error:
            raise storage_refused(error) from None
        except (ConfigError, WriteRejected) as error:
            raise bad_request(str(error)) from None

    # -- methods --------------------------------------------------------------------------------
    async def get_edge_config(self, call: RpcCall) -> Any:
        # the UI reads it over a websocket, the edge's own or a fleet backend's (ADR 0155)
        ui = call.via in UI_SOCKETS
        require(call.user, Role.GUEST if ui else Role.OWNER, "getEdgeConfig")
        return edge_config(self.ctx)

    async def update_component_config(self, call: RpcCall) -> Any:
        require(call.user, Role.OWNER, "updateComponentConfig")
        component_id = _string(call.params, "componentId")
        properties = _properties(call.params.get("properties"))
        await self.ctx.configurator.update(component_id, properties)
        return {}

    async def create_component_config(self, call: RpcCall) -> Any:
        require(call.user, Role.ADMIN, "createComponentConfig")
        factory_id = _string(call.params, "factoryPid")
        properties = _properties(call.params.get("properties"))
        component_id = properties.pop("id", None)
        alias = properties.pop("alias", "")
        if not isinstance(component_id, str):
            raise bad_request('createComponentConfig needs an "id" property')
        entry = ComponentEntry(
            id=component_id, factory=factory_id, alias=str(alias), properties=properties
        )
        await self.ctx.configurator.create(entry)
        return {}

    async def delete_component_config(self, call: RpcCall) -> Any:
        require(call.user, Role.ADMIN, "deleteComponentConfig")
        await self.ctx.configurator.delete(_string(call.params, "componentId"))
        return {}

    async def set_channel_value(self, call: RpcCall) -> Any:
        require(call.user, Role.ADMIN, "setChannelValue")
        component_id = _string(call.params, "componentId")
        channel_id = _string(call.params, "channelId")
        if "value" not in call.params:
            raise bad_request('setChannelValue needs a "value"')
        address = f"{component_id}/{channel_id}"
        gate = self.ctx.write_gate()
        if gate is not None:
            gate.write(
                WriteRequest(
                    address,
                    call.params["value"],
                    call.user.name,
                    call.user.role.wire,
                    call.remote,
                    call.via,
                )
            )
            return {}
        if channel_id in SETPOINT_CHANNELS:
            raise write_access_not_installed()  # a setpoint only acts while something holds it
        # an admin's direct write to another writable channel: applied once, not held
        channel = self.ctx.manager.get(component_id).channel(channel_id)
        if not channel.doc.access.writable:
            raise WriteRejected(f"Channel [{channel.address}] is read-only")
        value = coerce(channel.doc, call.params["value"])
        self.ctx.audit.record(
            self.ctx.clock.time(),
            call.remote,
            call.user.name,
            call.user.role.wire,
            address,
            value,
            call.via,
        )
        channel.write(value)
        return {}

    async def component_json_api(self, call: RpcCall) -> Any:
        component_id = _string(call.params, "componentId")
        payload = call.params.get("payload")
        if not isinstance(payload, dict):
            raise bad_request('componentJsonApi needs a "payload" object')
        _, method, params = parse_request(json.dumps(payload).encode())
        inner = RpcCall(method, params, call.user, call.remote, call.via)
        handler = self.ctx.component_methods.get(component_id)
        if handler is not None:
            return await handler(inner)
        component = self.ctx.manager.get(component_id)  # unknown: a 404, not a bad method
        if isinstance(component, JsonApiComponent):
            answer = component.json_api(method, params, call.user.role >= Role.OWNER)
            # an answer that needs I/O (history) comes as a coroutine that runs it off the loop
            return await answer if inspect.isawaitable(answer) else answer
        if method == "getAuditLog" and component_id == self.ctx.rest_api_id():
            return await self.get_audit_log(inner)
        raise bad_request(f"Component [{component_id}] has no JSON API method [{method}]")

    async def get_audit_log(self, call: RpcCall) -> Any:
        require(call.user, Role.OWNER, "reading the audit log")
        limit = call.params.get("limit", 100)
        if not isinstance(limit, int) or isinstance(limit, bool) or not 1 <= limit <= 10_000:
            raise bad_request('"limit" must be a whole number from 1 to 10000')
        return {"entries": self.ctx.audit.read(limit)}

    async def change_password(self, call: RpcCall) -> Any:
        """An owner (or higher) changes its own password, an admin anybody's; a guest none:
        the guest password is shared by every read-only integration."""
        require(call.user, Role.OWNER, "changing a password")
        new = _string(call.params, "newPassword")
        name = call.params.get("username", call.user.name)
        if not isinstance(name, str):
            raise bad_request('"username" must be a string')
        if name != call.user.name:
            require(call.user, Role.ADMIN, "changing another user's password")
        auth = self.ctx.auth
        # comparing the new password with everybody's is a password check: throttled like one
        await auth.take_turn(call.remote)
        try:
            await auth.hash_work(auth.users.set_password, name, new)
        except PasswordTaken:
            raise bad_request(
                "That password cannot be used: choose another one (at least 4 characters, "
                "different from every other user's)"
            ) from None
        auth.give_back(call.remote)
        return {}


def _string(params: dict[str, Any], key: str) -> str:
    value = params.get(key)
    if not isinstance(value, str) or not value:
        raise bad_request(f'"{key}" must be a non-empty string')
    return value


def _properties(raw: Any) -> dict[str, Any]:
    """OpenEMS sends `[{"name": ..., "value": ...}]`; a plain object is accepted too."""
    if isinstance(raw, dict):
        return dict(raw)
    if not isinstance(raw, list):
        raise bad_request('"properties" must be a list of {"name", "value"} objects')
    result: dict[str, Any] = {}
    for item in raw:
        if (
            not isinstance(item, dict)
            or not isinstance(item.get("name"), str)
            or "value" not in item
        ):
            raise bad_request('each property must be an object {"name": ..., "value": ...}')
        value = item["value"]
        if isinstance(value, float) and not math.isfinite(value):
            raise bad_request(f"property '{item['name']}': not a finite number")
        result[item["name"]] = value
    return result
