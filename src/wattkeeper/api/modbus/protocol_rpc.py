"""JSON-RPC `getModbusProtocol`: a running Modbus/TCP API's register map, as OpenEMS sends it."""

from __future__ import annotations

from typing import Any

from wattkeeper.api.context import ApiContext, RpcCall
from wattkeeper.api.errors import ApiError, bad_request


class ModbusProtocolRpc:
    """`{"table": [{ref, name, value, unit, type, access}, ...]}` for one Modbus API controller.

    Called directly (`componentId` optional while one API runs) or as the controller's
    `componentJsonApi` (the edge registers it under each controller's id, as OpenEMS has it)."""

    def __init__(self, ctx: ApiContext, component_id: str | None = None) -> None:
        self._ctx = ctx
        self._component_id = component_id

    async def __call__(self, call: RpcCall) -> Any:
        images = self._ctx.modbus_images()
        wanted = self._component_id or call.params.get("componentId")
        if wanted is None:
            if len(images) != 1:
                running = ", ".join(sorted(images)) or "none"
                raise bad_request(
                    f'getModbusProtocol needs a "componentId" (Modbus/TCP APIs running: {running})'
                )
            wanted = next(iter(images))
        if not isinstance(wanted, str):
            raise bad_request('"componentId" must be a string')
        image = images.get(wanted)
        if image is None:
            raise ApiError(404, f"No Modbus/TCP API [{wanted}] is running")
        return {"table": image.protocol()}
