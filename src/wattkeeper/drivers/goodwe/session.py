"""What the GoodWe driver does on the line: read the identity once per connection, then every
HIGH block and one LOW block per poll (the plan is checked against the line's baud rate)."""

from __future__ import annotations

from wattkeeper.bridges.modbus_tcp import RegisterIO
from wattkeeper.protocols.goodwe import tables as gw
from wattkeeper.protocols.goodwe.modes import UNDEFINED, GoodWeType, detect
from wattkeeper.protocols.poll_plan import PollPlan
from wattkeeper.protocols.registers import Decoded


class GoodWeSession:
    def __init__(self) -> None:
        # over TCP the line is not the bottleneck: the plan is checked against the RS-485
        # line of the real box (9600 baud, 1 s), so what works on the LAN works there too
        # (the line checks the sum of its devices against its own baud rate and period)
        self.plan = PollPlan(gw.INVERTER_BLOCKS, gw.CYCLE_WRITES, baudrate=9600, period=1.0)
        self.identity: dict[str, Decoded] = {}
        self.type: GoodWeType = UNDEFINED
        self.values: dict[str, Decoded] = {}
        self.seen: set[str] = set()  # blocks read at least once since connect
        self.poll_index = 0
        self.connects = 0  # completed connects: settings are written again after each

    @property
    def has_data(self) -> bool:
        return all(block.name in self.seen for block in self.plan.high)

    async def on_connect(self, io: RegisterIO) -> None:
        for block in self.plan.once:
            values = block.decode(await io.read(block.address, block.count))
            self.identity.update(values)
        serial = self.identity.get("SerialNumber")
        model = self.identity.get("ModelName")
        self.type = detect(
            serial if isinstance(serial, str) else None, model if isinstance(model, str) else None
        )
        self.seen = set()
        self.connects += 1

    async def poll(self, io: RegisterIO) -> None:
        for block in self.plan.for_poll(self.poll_index):
            self.values.update(block.decode(await io.read(block.address, block.count)))
            self.seen.add(block.name)
        self.poll_index += 1
