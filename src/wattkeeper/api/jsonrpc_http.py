"""`POST /jsonrpc`: JSON-RPC over HTTP with Basic authentication."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from wattkeeper.api.auth import require
from wattkeeper.api.context import ApiContext, RpcCall
from wattkeeper.api.errors import NULL_ID, ApiError
from wattkeeper.api.limits import MAX_BODY, declared_length, read_body
from wattkeeper.api.rpc import Dispatcher, parse_request, success
from wattkeeper.api.users import Role


class JsonRpcEndpoint:
    def __init__(self, ctx: ApiContext, dispatcher: Dispatcher) -> None:
        self.ctx = ctx
        self.dispatcher = dispatcher

    async def handle(self, request: Request) -> Response:
        request_id: object = NULL_ID
        try:
            declared_length(request.scope, MAX_BODY)
            remote = request.client.host if request.client else "unknown"
            user = await self.ctx.auth.authenticate(request.headers.get("authorization"), remote)
            # the role first: a guest's body is never read, let alone parsed
            require(user, Role.OWNER, "JSON-RPC over REST")
            body = await read_body(request.scope, request.receive, MAX_BODY)
            request_id, method, params = parse_request(body)
            result = await self.dispatcher.call(RpcCall(method, params, user, remote, "jsonrpc"))
            return JSONResponse(success(request_id, result))
        except ApiError as error:
            return JSONResponse(error.body(request_id), error.status, headers=error.headers)
