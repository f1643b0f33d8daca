"""History over the API: the OpenEMS JSON-RPC queries and a CSV download."""

from __future__ import annotations

import asyncio
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from wattkeeper.api.auth import require
from wattkeeper.api.context import ApiContext, RpcCall
from wattkeeper.api.errors import ApiError, bad_request
from wattkeeper.api.users import Role
from wattkeeper.history import HistoryQueryError, HistoryStore
from wattkeeper.history.csv_export import render_csv
from wattkeeper.history.jsonrpc import HistoryJsonRpc


class HistoryApi:
    def __init__(self, ctx: ApiContext, store: HistoryStore) -> None:
        self.ctx = ctx
        self.store = store
        self.rpc = HistoryJsonRpc(store)

    async def query(self, call: RpcCall) -> Any:
        require(call.user, Role.GUEST, "reading history")
        try:
            # a query of a whole day takes ~100 ms: never on the loop that runs the cycle
            return await asyncio.to_thread(self.rpc.handle, call.method, call.params)
        except HistoryQueryError as error:
            raise bad_request(str(error)) from None

    async def export_csv(self, request: Request) -> Response:
        """`GET /history/export.csv?fromDate=...&channels=a,b` (+ toDate, timezone, resolution)."""
        try:
            remote = request.client.host if request.client else "unknown"
            user = await self.ctx.auth.authenticate(request.headers.get("authorization"), remote)
            require(user, Role.GUEST, "reading history")
            query = request.query_params
            channels = [c for c in query.get("channels", "").split(",") if c]
            params: dict[str, Any] = {
                "fromDate": query.get("fromDate"),
                "toDate": query.get("toDate", query.get("fromDate")),
                "channels": channels,
                "timezone": query.get("timezone", "Europe/Berlin"),
            }
            resolution = query.get("resolution")
            if resolution is not None:
                if not resolution.isdigit():
                    raise bad_request("resolution must be a number of seconds, e.g. 300")
                params["resolution"] = {"value": int(resolution), "unit": "Seconds"}
            try:
                result = await asyncio.to_thread(
                    self.rpc.handle, "queryHistoricTimeseriesData", params
                )
            except HistoryQueryError as error:
                raise bad_request(str(error)) from None
            text = render_csv(result, channels)
            name = f"wattkeeper-{params['fromDate']}.csv"
            return Response(
                text,
                media_type="text/csv; charset=utf-8",
                headers={"Content-Disposition": f'attachment; filename="{name}"'},
            )
        except ApiError as error:
            return JSONResponse(error.body(), error.status, headers=error.headers)
