"""`componentJsonApi` on `_componentManager`: channel metadata of one component."""

from __future__ import annotations

from typing import Any

from wattkeeper.api.auth import require
from wattkeeper.api.context import ApiContext, RpcCall
from wattkeeper.api.errors import bad_request
from wattkeeper.api.serialize import channel_category, plain_value
from wattkeeper.api.users import Role
from wattkeeper.core.channel import AccessMode

COMPONENT_MANAGER_ID = "_componentManager"


class ComponentManagerApi:
    def __init__(self, ctx: ApiContext) -> None:
        self.ctx = ctx

    async def __call__(self, call: RpcCall) -> Any:
        require(call.user, Role.GUEST, f"{COMPONENT_MANAGER_ID}: {call.method}")
        if call.method != "getChannelsOfComponent":
            raise bad_request(f"Component [{COMPONENT_MANAGER_ID}] has no method [{call.method}]")
        component_id = call.params.get("componentId")
        if not isinstance(component_id, str) or not component_id:
            raise bad_request('"componentId" must be a non-empty string')
        component = self.ctx.manager.get(component_id)
        owner = call.user.role >= Role.OWNER  # a private channel's value is for owners only
        channels = []
        for name, channel in component.channels.items():
            doc = channel.doc
            item: dict[str, Any] = {
                "id": name,
                "address": channel.address,
                "type": doc.type.value,
                "accessMode": doc.access.value,
                "unit": doc.unit,
                "text": doc.text,
                **channel_category(doc),
            }
            if doc.access is not AccessMode.WRITE_ONLY:
                item["value"] = plain_value(channel) if owner or not doc.private else None
            channels.append(item)
        return {"channels": channels}
