"""`setOverride` / `getOverrides`: the REST write path (validate, hold, audit) for the web UI.

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
from wattkeeper.controllers.api_rest import RestApiWorker


class OverrideMethods:
    def __init__(self, ctx: ApiContext) -> None:
        self.ctx = ctx

    def register(self) -> None:
        self.ctx.methods.setdefault("setOverride", self.set_override)
        self.ctx.methods.setdefault("getOverrides", self.get_overrides)

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
        worker = self._worker()
        component_id, _, channel_id = address.partition("/")
        value = worker.validate(component_id, channel_id, call.params["value"])
        # audited before it is held: a write that cannot be audited is refused
        self.ctx.audit.record(
            self.ctx.clock.time(),
            call.remote,
            call.user.name,
            call.user.role.wire,
            address,
            value,
            call.via,
        )
        worker.hold(address, value, call.user.role.wire, call.remote)
        return {"address": address, "value": value}

    async def get_overrides(self, call: RpcCall) -> Any:
        """Who holds which setpoint since when; the remote address only for owners and above."""
        require(call.user, Role.GUEST, "reading overrides")
        controller = self.ctx.rest_controller()
        if not isinstance(controller, RestApiWorker):
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
            for held in controller.held.values()
        ]
        remaining = controller.remaining()
        return {
            "writable": True,
            "componentId": controller.id,
            "alias": controller.alias,
            "apiTimeout": controller.config.api_timeout,
            "overrides": overrides,
            "remaining": None if remaining is None else round(remaining, 1),
        }

    def _worker(self) -> RestApiWorker:
        worker = self.ctx.rest_controller()
        if not isinstance(worker, RestApiWorker):
            raise write_access_not_installed()
        return worker
