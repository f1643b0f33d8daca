"""What the FENECON Home driver does on the line: discover towers and modules once per
connection, then read the status block every poll and one module's cells in rotation."""

from __future__ import annotations

from wattkeeper.bridges.modbus_tcp import ModbusExceptionResponse, RegisterIO
from wattkeeper.core.errors import DeviceError
from wattkeeper.protocols import fenecon_home as fh
from wattkeeper.protocols.poll_plan import Block, PollPlan
from wattkeeper.protocols.registers import Decoded


class FeneconHomeSession:
    def __init__(self) -> None:
        self.status: dict[str, Decoded] = {}
        self.cells: dict[str, dict[str, Decoded]] = {}  # module block name → values
        self.towers = 0
        self.modules_per_tower = 0
        self.kind = fh.BATTERY_52
        self.module_blocks: list[tuple[int, int, Block]] = []  # (tower, module, block)
        # the line checks its devices against its own baud rate; this plan only orders reads
        self.plan = PollPlan([fh.STATUS], baudrate=19200)
        self.discovered = 0  # counts discoveries, so the component sees a new layout
        self.poll_index = 0

    @property
    def has_data(self) -> bool:
        return bool(self.status)

    async def on_connect(self, io: RegisterIO) -> None:
        """Which towers answer with a software version, their modules and module type."""
        towers = 0
        modules = 0
        kind = fh.BATTERY_52
        for tower in range(fh.MAX_TOWERS):
            block = fh.tower_block(tower)
            try:
                values = block.decode(await io.read(block.address, block.count))
            except ModbusExceptionResponse:
                break  # no such tower
            if not values.get("SoftwareVersion"):
                break
            towers += 1
            if tower == 0:
                kind = fh.hardware_type(_num(values.get("HardwareType")))
                modules = int(_num(values.get("ModulesPerTower")) or 0)
                if not 0 <= modules <= fh.MAX_MODULES_PER_TOWER:
                    raise DeviceError(
                        f"implausible modules per tower (10024): {modules}, "
                        f"at most {fh.MAX_MODULES_PER_TOWER} expected"
                    )
        blocks = [
            (tower, module, fh.module_block(tower, module, kind))
            for tower in range(towers)
            for module in range(1, modules + 1)
        ]
        self.plan = PollPlan([fh.STATUS, *(b for _, _, b in blocks)], baudrate=19200)
        self.towers, self.modules_per_tower, self.kind = towers, modules, kind
        self.module_blocks = blocks
        self.discovered += 1

    async def poll(self, io: RegisterIO) -> None:
        for block in self.plan.for_poll(self.poll_index):
            values = block.decode(await io.read(block.address, block.count))
            if block is fh.STATUS:
                self.status = values
            else:
                self.cells[block.name] = values
        self.poll_index += 1


def _num(value: Decoded) -> float | None:
    return float(value) if isinstance(value, int | float) else None
