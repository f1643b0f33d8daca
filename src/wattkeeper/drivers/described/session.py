"""The poll of one Modbus unit of a described device: identity once per connection, then the
unit's planned reads every poll, decoded into named values."""

from __future__ import annotations

from wattkeeper.bridges.modbus_tcp import RegisterIO
from wattkeeper.protocols.described.codec import DeviceCodec
from wattkeeper.protocols.registers import Decoded


class UnitSession:
    """What one bridge (one unit id) reads; `values` holds the latest complete poll."""

    def __init__(self, codec: DeviceCodec, unit: str) -> None:
        self.codec = codec
        self.unit = unit
        self.identity: dict[str, Decoded] = {}
        self.values: dict[str, Decoded] = {}
        self.poll_index = 0

    @property
    def has_data(self) -> bool:
        return bool(self.values) or not self.codec.poll_plan.get(self.unit)

    async def on_connect(self, io: RegisterIO) -> None:
        self.identity = await self._read(io, once=True)

    async def poll(self, io: RegisterIO) -> None:
        self.values = {**self.identity, **await self._read(io, once=False)}
        self.poll_index += 1

    async def _read(self, io: RegisterIO, *, once: bool) -> dict[str, Decoded]:
        plan = (self.codec.identity_plan if once else self.codec.poll_plan).get(self.unit, [])
        blocks: dict[tuple[int, bool], list[int]] = {}
        for request in plan:
            read = io.read_input if request.input_registers else io.read
            blocks[(request.address, request.input_registers)] = await read(
                request.address, request.count
            )
        return self.codec.decode(self.unit, blocks, once)
