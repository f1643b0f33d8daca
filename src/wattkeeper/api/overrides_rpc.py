"""`setOverride` / `getOverrides`: the web UI's way to the write gate, and what it holds.

OpenEMS keeps `setChannelValue` for admins; an owner sets or releases a setpoint through the same
lease as `POST /rest/channel/...`, so the UI and REST clients share one timer and one audit log.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from wattkeeper.api.auth import require
from wattkeeper.api.context import ApiContext, RpcCall
from wattkeeper.api.errors import bad_request
from wattkeeper.api.rest import write_access_not_installed
from wattkeeper.api.users import Role
from wattkeeper.core.writes import WriteRequest


class OverrideMethods:
    def __init__(self, ctx: ApiContext) -> None:
        self.ctx = ctx

    async def set_override(self, call: RpcCall) -> Any:
        """{address, value}: value null releases the setpoint."""
        require(call.user, Role.OWNER, "setting a setpoint")
        address = call.params.get("address")
        if not isinstance(address, str) or address.count("/") != 1:
            raise bad_request(
                '"address" must be a channel address such as "ess0/SetActivePowerEquals"'
            )
        if "value" not in call.params:
            raise bad_request('setOverride needs a "value" (null releases the setpoint)')
        gate = self.ctx.write_gate()
        if gate is None:
            raise write_access_not_installed()
        request = WriteRequest(
            address,
            call.params["value"],
            call.user.name,
            call.user.role.wire,
            call.remote,
            call.via,
        )
        return {"address": address, "value": gate.write(request)}

    async def get_overrides(self, call: RpcCall) -> Any:
        """Who holds which setpoint since when; the remote address only for owners and above."""
        require(call.user, Role.GUEST, "reading overrides")
        gate = self.ctx.write_gate()
        if gate is None:
            return {"writable": False, "componentId": None, "overrides": [], "remaining": None}
        show_remote = call.user.role >= Role.OWNER
        overrides = [
            {
                "address": held.address,
                "value": held.value,
                "since": datetime.fromtimestamp(held.since, UTC).isoformat(timespec="seconds"),
                "role": held.role,
                "remote": held.remote if show_remote else None,
            }
            for held in gate.held_writes()
        ]
        remaining = gate.remaining()
        return {
            "writable": True,
            "componentId": gate.id,
            "alias": gate.alias,
            "apiTimeout": gate.timeout_s(),
            "overrides": overrides,
            "remaining": None if remaining is None else round(remaining, 1),
        }
