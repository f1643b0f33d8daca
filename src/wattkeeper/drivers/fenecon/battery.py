"""`Battery.Fenecon.Home`: the FENECON Home BMS (unit 1 on the internal RS-485 line).

Reads only (the battery has no setpoint). Channels: the `Battery` nature, the level-1/2
alarms, hardware and system faults as state channels, tower/module layout, and per-cell
voltages and module temperatures, declared once the towers and modules are discovered
(`Tower0Module1Cell000Voltage`, as OpenEMS names them). Register map:
`wattkeeper.protocols.fenecon_home`; which register feeds which channel: docs/fenecon-home.md.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import AliasChoices, Field

from wattkeeper.config.registry import BuildContext, Factory
from wattkeeper.core.channel import ChannelDoc, ChannelType, Unit
from wattkeeper.core.component import Component
from wattkeeper.core.manager import ComponentManager
from wattkeeper.core.state import COMMUNICATION_FAILED, Level, StateDoc
from wattkeeper.drivers.fenecon.session import FeneconHomeSession
from wattkeeper.drivers.modbus_device import number, rounded, set_all_none
from wattkeeper.drivers.modbus_line import DeviceOnLineConfig, LineLink
from wattkeeper.natures import battery as bms_ch
from wattkeeper.natures.battery import Battery
from wattkeeper.protocols import fenecon_home as fh
from wattkeeper.protocols.poll_plan import PollPlan


class FeneconHomeConfig(DeviceOnLineConfig):
    unit_id: int = Field(
        fh.UNIT_ID,
        ge=0,
        le=247,
        validation_alias=AliasChoices("modbusUnitId", "unitId", "unit_id"),
        serialization_alias="modbusUnitId",
    )
    start_stop: Literal["AUTO", "START", "STOP"] = Field(
        "AUTO",
        validation_alias=AliasChoices("startStop", "start_stop"),
        serialization_alias="startStop",
        description="Accepted for OpenEMS compatibility; wattkeeper does not switch the battery",
    )
    battery_start_up_relay: str = Field(
        "io0/Relay4",
        validation_alias=AliasChoices("batteryStartUpRelay", "battery_start_up_relay"),
        serialization_alias="batteryStartUpRelay",
        description="The relay that starts the battery (not driven by wattkeeper: switch it on)",
    )


def _states(prefix: str, bits: dict[int, str], level: Level, what: str) -> dict[int, StateDoc]:
    return {
        bit: StateDoc(f"{prefix}{name}", level, f"{what}: {name}") for bit, name in bits.items()
    }


PRE_ALARM = _states("RackPreAlarm", fh.LEVEL_BITS, Level.INFO, "BMS pre-alarm")
LEVEL_1 = _states("RackLevel1", fh.LEVEL_BITS, Level.WARNING, "BMS level-1 alarm")
LEVEL_2 = _states("RackLevel2", fh.LEVEL_BITS, Level.FAULT, "BMS level-2 alarm")
HW_FAULT = {
    bit: StateDoc(f"RackHw{name}Fault", Level.FAULT, f"BMS hardware fault: {name}")
    for bit, name in fh.HARDWARE_FAULT_BITS.items()
}
SYSTEM_FAULT = _states("RackSystem", fh.SYSTEM_FAULT_BITS, Level.FAULT, "BMS system fault")
BIT_STATES = (
    ("PreAlarm", PRE_ALARM),
    ("Level1Alarm", LEVEL_1),
    ("Level2Alarm", LEVEL_2),
    ("HardwareFault", HW_FAULT),
    ("SystemFault", SYSTEM_FAULT),
)

EXTRA = (
    ChannelDoc("NumberOfTowers", ChannelType.INTEGER),
    ChannelDoc("NumberOfModulesPerTower", ChannelType.INTEGER),
    ChannelDoc("BatteryHardwareType", ChannelType.STRING, text="BATTERY_52 or BATTERY_64"),
    ChannelDoc("RackMaxCellVoltageLimit", ChannelType.INTEGER, Unit.MILLIVOLT),
    ChannelDoc("RackMinCellVoltageLimit", ChannelType.INTEGER, Unit.MILLIVOLT),
)


class FeneconHomeBattery(Battery):
    config: FeneconHomeConfig
    live_config = False

    def __init__(
        self, component_id: str, alias: str, config: FeneconHomeConfig, manager: ComponentManager
    ) -> None:
        super().__init__(component_id, alias, config)
        self.declare_all(EXTRA)
        self.declare_state(COMMUNICATION_FAILED)
        for _, docs in BIT_STATES:
            self.declare_state(*docs.values())
        self.manager = manager
        self.session = FeneconHomeSession()
        self.link = LineLink(
            f"{component_id} (unit {config.unit_id})", config.modbus_id, config.unit_id, manager,
            self.session,
        )  # fmt: skip
        self._layout = 0
        self._cell_channels: dict[str, list[tuple[str, str]]] = {}
        set_all_none(self)

    async def start(self) -> None:
        # the worst poll: the status block and the largest module block (64 Ah, 5 sensors)
        worst = PollPlan([fh.STATUS, fh.module_block(0, 1, fh.BATTERY_64)], baudrate=19200)
        self.link.line().reserve(self.id, worst.cost_worst())
        await self.link.start()

    async def stop(self) -> None:
        await self.link.stop()

    def before_process_image(self, now: float) -> None:
        if not self.link.check(self, now):
            set_all_none(self)
            return
        if self._layout != self.session.discovered:
            self._declare_layout()
        status = self.session.status
        kind = self.session.kind
        modules = self.session.modules_per_tower
        self.set(bms_ch.SOC, rounded(number(status, "Soc")))
        self.set(bms_ch.SOH, rounded(number(status, "Soh")))
        self.set(bms_ch.VOLTAGE, rounded(number(status, "Voltage")))
        self.set(bms_ch.CURRENT, rounded(number(status, "Current")))
        self.set(bms_ch.CHARGE_MAX_CURRENT, rounded(number(status, "ChargeMaxCurrent")))
        self.set(bms_ch.DISCHARGE_MAX_CURRENT, rounded(number(status, "DischargeMaxCurrent")))
        self.set(bms_ch.MIN_CELL_VOLTAGE, rounded(number(status, "MinCellVoltage")))
        self.set(bms_ch.MAX_CELL_VOLTAGE, rounded(number(status, "MaxCellVoltage")))
        self.set(bms_ch.MIN_CELL_TEMPERATURE, rounded(number(status, "MinCellTemperature")))
        self.set(bms_ch.MAX_CELL_TEMPERATURE, rounded(number(status, "MaxCellTemperature")))
        self.set("RackMaxCellVoltageLimit", rounded(number(status, "MaxCellVoltageLimit")))
        self.set("RackMinCellVoltageLimit", rounded(number(status, "MinCellVoltageLimit")))
        self.set(bms_ch.CAPACITY, self.session.towers * modules * kind.capacity_wh or None)
        self.set(bms_ch.CHARGE_MAX_VOLTAGE, round(modules * kind.module_max_v) if modules else None)
        self.set(
            bms_ch.DISCHARGE_MIN_VOLTAGE, round(modules * kind.module_min_v) if modules else None
        )
        self.set("NumberOfTowers", self.session.towers)
        self.set("NumberOfModulesPerTower", modules)
        self.set("BatteryHardwareType", kind.name)
        self.set(bms_ch.START_STOP, 1)
        for point, docs in BIT_STATES:
            raw = status.get(point)
            bits = int(raw) if isinstance(raw, int) else 0
            for bit, doc in docs.items():
                if bits & (1 << bit):
                    self.raise_state(doc)
                else:
                    self.clear_state(doc)
        for block_name, channels in self._cell_channels.items():
            values = self.session.cells.get(block_name, {})
            for channel, point in channels:
                self.set(channel, rounded(number(values, point)))

    def _declare_layout(self) -> None:
        """Channels for every discovered cell and module temperature."""
        session = self.session
        self._cell_channels = {}
        for tower, module, block in session.module_blocks:
            prefix = f"Tower{tower}Module{module}"
            channels: list[tuple[str, str]] = []
            for point in block.table.points:
                if point.name.startswith("Cell"):
                    index = int(point.name[4:6])
                    name = f"{prefix}Cell{index:03d}Voltage"
                    self.declare(ChannelDoc(name, ChannelType.INTEGER, Unit.MILLIVOLT))
                else:
                    name = f"{prefix}{point.name}"
                    self.declare(ChannelDoc(name, ChannelType.INTEGER, Unit.DEGREE_CELSIUS))
                channels.append((name, point.name))
            self._cell_channels[block.name] = channels
        self.manager.reindex()
        self._layout = session.discovered

    # -- what the inverter's BMS relay and the protection need -------------------------------
    def snapshot(self) -> dict[str, Any] | None:
        """The latest BMS readings for the relay (next values of this cycle), or None when
        the battery is not answering."""
        if self.has_state(COMMUNICATION_FAILED) or not self.session.has_data:
            return None
        status = self.session.status
        values: dict[str, Any] = {
            name: self.channels[name].next
            for name in (
                "Soc", "Soh", "Voltage", "Current", "ChargeMaxVoltage", "DischargeMinVoltage",
                "MinCellTemperature", "MaxCellTemperature", "MinCellVoltage", "MaxCellVoltage",
            )
        }  # fmt: skip
        # unrounded values for the relay and the protection
        values["VoltageExact"] = number(status, "Voltage")
        values["CurrentExact"] = number(status, "Current")
        values["ChargeMaxCurrentExact"] = number(status, "ChargeMaxCurrent")
        values["DischargeMaxCurrentExact"] = number(status, "DischargeMaxCurrent")
        values["MaxCellVoltageLimit"] = number(status, "MaxCellVoltageLimit")
        values["MinCellVoltageLimit"] = number(status, "MinCellVoltageLimit")
        values["Level1Bits"] = status.get("Level1Alarm") or 0
        values["Level2Bits"] = status.get("Level2Alarm") or 0
        values["Level2"] = bool(status.get("Level2Alarm"))
        values["Alarm"] = bool(status.get("Level1Alarm")) or values["Level2"]
        values["Fault"] = bool(status.get("HardwareFault")) or bool(status.get("SystemFault"))
        return values


def build(cid: str, alias: str, config: Any, ctx: BuildContext) -> Component:
    return FeneconHomeBattery(cid, alias, config, ctx.manager)


FACTORY = Factory("Battery.Fenecon.Home", FeneconHomeConfig, build, "FENECON Home battery (BMS)")
