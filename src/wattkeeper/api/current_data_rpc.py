"""`getCurrentData {channels}`: the values `currentData` would carry, for one request.

The edge's own websocket pushes `currentData` each cycle; a fleet backend has no such push
from an edge, so it asks for the same values about once a second per subscribed UI (ADR 0155).
The answer follows `currentData`'s rules: the cycle's snapshot, unknown channels `null`, and
private channels `null` unless the reader is an owner or above."""

from __future__ import annotations

from typing import Any

from wattkeeper.api.auth import require
from wattkeeper.api.context import ApiContext, RpcCall
from wattkeeper.api.errors import bad_request
from wattkeeper.api.users import Role
from wattkeeper.core.snapshot import plain

MAX_CHANNELS = 1000


class CurrentDataRpc:
    def __init__(self, ctx: ApiContext) -> None:
        self.ctx = ctx

    async def __call__(self, call: RpcCall) -> Any:
        require(call.user, Role.GUEST, "getCurrentData")
        channels = call.params.get("channels")
        if not isinstance(channels, list) or not all(isinstance(c, str) for c in channels):
            raise bad_request('"channels" must be a list of channel addresses ("_sum/EssSoc")')
        if len(channels) > MAX_CHANNELS:
            raise bad_request(f"at most {MAX_CHANNELS} channels can be read at once")
        snapshot = self.ctx.cycle.snapshots.current()
        index = snapshot.index
        private = call.user.role >= Role.OWNER
        values: dict[str, Any] = {}
        for address in channels:
            slot = index.position.get(address)
            if slot is None or (index.private[slot] and not private):
                values[address] = None
            else:
                values[address] = plain(snapshot.values[slot], index.docs[slot].type.is_integral)
        return values
