"""`GoodWe.Ess`: the GoodWe hybrid inverter of a FENECON Home as `ess0` (a HybridEss).

Every cycle, in the process-image phase: read the inverter's latest poll and the battery's
BMS (`battery.id`, a `Battery.Fenecon.Home`), compute what the battery may do now
(`protection.py`: BMS current limits, taper near the cell voltage limits), publish the
allowed charge/discharge power for the solver, and relay the BMS data into 47900-47916
(`relay.py`). After the solver: turn the setpoint into (EMS mode, power) (`control.py`) and
write 47511/47512, every cycle. Verification: the battery power the inverter reports must
follow the command within `POWER_GRACE` polls, else `SetpointIgnored`.

Without a fresh poll of the inverter: every reading None, allowed power 0, state
`CommunicationFailed` (the cycle goes on). Without the battery: the relay tells the inverter
to stop the battery, and the EMS mode is BATTERY_STANDBY.
"""

from __future__ import annotations

import logging
from typing import Any

from pydantic import AliasChoices, Field

from wattkeeper.config.registry import BuildContext, Factory
from wattkeeper.core.channel import ChannelDoc, ChannelType, Unit
from wattkeeper.core.component import Component
from wattkeeper.core.errors import DeviceError
from wattkeeper.core.manager import ComponentManager
from wattkeeper.core.state import COMMUNICATION_FAILED, Level, StateDoc
from wattkeeper.drivers.fenecon.battery import FeneconHomeBattery
from wattkeeper.drivers.goodwe.control import ControlMode, EmsCommand, ems_command
from wattkeeper.drivers.goodwe.protection import Allowed, allowed
from wattkeeper.drivers.goodwe.relay import limit_values, wbms_values
from wattkeeper.drivers.goodwe.session import GoodWeSession
from wattkeeper.drivers.modbus_device import number, rounded, set_all_none
from wattkeeper.drivers.modbus_line import DeviceOnLineConfig, LineLink
from wattkeeper.natures import battery as bms_ch
from wattkeeper.natures import ess as ess_ch
from wattkeeper.natures.ess import HybridEss, ManagedSymmetricEss
from wattkeeper.protocols.goodwe import tables as gw

log = logging.getLogger(__name__)

SETPOINT_IGNORED = StateDoc(
    "SetpointIgnored", Level.WARNING, "The inverter does not follow its EMS setpoint"
)
BATTERY_STOPPED = StateDoc(
    "BatteryStoppedByRelay",
    Level.WARNING,
    "The inverter was told that the battery may neither charge nor discharge",
)
PROTECTION_LIMITING = StateDoc(
    "BatteryProtectionLimiting", Level.INFO, "The battery's BMS limits its power"
)

EXTRA = (
    ChannelDoc("EmsPowerMode", ChannelType.INTEGER, text="47511 as last written"),
    ChannelDoc("EmsPowerSet", ChannelType.INTEGER, Unit.WATT, text="47512 as last written"),
    ChannelDoc("GoodweType", ChannelType.STRING, text="Detected from the serial number"),
    ChannelDoc("SerialNumber", ChannelType.STRING),
    ChannelDoc(
        "BmsAllowedChargePower", ChannelType.INTEGER, Unit.WATT,
        text="What the battery may take now (BMS limits, cell-voltage taper)",
    ),
    ChannelDoc(
        "BmsAllowedDischargePower", ChannelType.INTEGER, Unit.WATT,
        text="What the battery may give now (BMS limits, cell-voltage taper)",
    ),
    ChannelDoc("PvPower", ChannelType.INTEGER, Unit.WATT, text="Sum of the PV strings"),
)  # fmt: skip

POWER_GRACE = 5  # polls the battery power may take to follow a command
POWER_TOLERANCE = 200.0  # W, or 10 % of the command


class GoodWeEssConfig(DeviceOnLineConfig):
    unit_id: int = Field(
        gw.UNIT_ID,
        ge=0,
        le=247,
        validation_alias=AliasChoices("modbusUnitId", "unitId", "unit_id"),
        serialization_alias="modbusUnitId",
    )
    battery_id: str = Field(
        "battery0",
        validation_alias=AliasChoices("battery.id", "battery_id"),
        serialization_alias="battery.id",
    )
    control_mode: ControlMode = Field(
        ControlMode.SMART,
        validation_alias=AliasChoices("controlMode", "control_mode"),
        serialization_alias="controlMode",
    )
    read_only: bool = Field(
        False,
        validation_alias=AliasChoices("readOnly", "read_only"),
        serialization_alias="readOnly",
        description="Read only: write neither setpoints nor the BMS relay (the battery then stops)",
    )


class GoodWeEss(ManagedSymmetricEss, HybridEss):
    config: GoodWeEssConfig
    live_config = False
    image_order = 3  # after the battery has read its BMS

    def __init__(
        self, component_id: str, alias: str, config: GoodWeEssConfig, manager: ComponentManager
    ) -> None:
        super().__init__(component_id, alias, config)
        self.declare_all(EXTRA)
        self.declare_state(
            COMMUNICATION_FAILED, SETPOINT_IGNORED, BATTERY_STOPPED, PROTECTION_LIMITING
        )
        self.manager = manager
        self.session = GoodWeSession()
        self.link = LineLink(
            f"{component_id} (unit {config.unit_id})", config.modbus_id, config.unit_id, manager,
            self.session,
        )  # fmt: skip
        self.fresh = False
        self.allowed = Allowed(0.0, 0.0, 0.0, 0.0, "not started")
        self.last_command: EmsCommand | None = None
        self._balance_target: float | None = None
        self._pv = 0.0
        self._last_soc: float | None = None
        self._limits_written: tuple[list[int], int] | None = None
        self._limits_pending = False
        self._verified_poll = -1
        self._misses = 0
        self._charged_wh = 0.0
        self._discharged_wh = 0.0
        self._energy_at: float | None = None
        self._publish_none()

    # -- lifecycle --------------------------------------------------------------------------
    async def start(self) -> None:
        self.link.line().reserve(self.id, self.session.plan.cost_worst())
        await self.link.start()

    async def stop(self) -> None:
        """Hand the inverter back to self-use (AUTO) if it is answering."""
        release = []
        if self.last_command is not None and not self.config.read_only:
            release.append((gw.EMS.address, [1, 0]))
        await self.link.stop(release)

    def battery(self) -> FeneconHomeBattery | None:
        found = self.manager.find(self.config.battery_id)
        return found if isinstance(found, FeneconHomeBattery) else None

    # -- readings, protection and the relay ---------------------------------------------------
    def before_process_image(self, now: float) -> None:
        battery = self.battery()
        bms = battery.snapshot() if battery is not None else None
        kind = self.session.type
        self.allowed = allowed(
            bms,
            max_dc_current=kind.max_dc_current,
            max_charge_w=kind.max_charge_power,
            max_discharge_w=kind.max_discharge_power,
        )
        self.fresh = self.link.check(self, now)
        if self.fresh:
            self._relay(bms)
            self._publish(now, battery)
            self._verify()
        else:
            self._publish_none()
            self._misses = 0
        starting = battery is not None and battery.link.failure(now) is None
        if bms is None and not starting:
            self.raise_state(BATTERY_STOPPED, self.allowed.limited_by)
        elif bms is None:
            pass  # the battery has not answered yet: relayed as stopped, no warning yet
        else:
            self.clear_state(BATTERY_STOPPED)
            self._last_soc = number(bms, "Soc")
        if self.fresh and self.allowed.limited_by and bms is not None:
            self.raise_state(PROTECTION_LIMITING, self.allowed.limited_by)
        else:
            self.clear_state(PROTECTION_LIMITING)

    def _relay(self, bms: dict[str, Any] | None) -> None:
        if self.config.read_only:
            return
        wbms = gw.WBMS.encode(wbms_values(bms, self.allowed, self._last_soc))
        self.link.queue_write(gw.WBMS.address, wbms)
        if bms is not None:
            limits = gw.BMS_LIMITS.encode(limit_values(bms, self.session.type.max_dc_current))
            connects = self.session.connects
            if (limits, connects) != self._limits_written and not self._limits_pending:
                # settings, not live data: written after each connect and on a change only
                self._limits_pending = True

                def done(error: DeviceError | None) -> None:
                    self._limits_pending = False
                    if error is None:
                        self._limits_written = (limits, connects)

                self.link.queue_write(gw.BMS_LIMITS.address, limits, done)

    def _publish(self, now: float, battery: FeneconHomeBattery | None) -> None:
        values = self.session.values
        kind = self.session.type
        pv = (number(values, "Pv1Power") or 0.0) + (number(values, "Pv2Power") or 0.0)
        self._pv = pv
        active = number(values, "TotalInverterPower")
        meter = number(values, "MeterActivePower")
        grid = -meter if meter is not None else None  # OpenEMS sign: + purchase
        self._balance_target = grid + active if grid is not None and active is not None else None
        soc = battery.channel(bms_ch.SOC).next if battery is not None else None
        if not isinstance(soc, int | float):
            soc = number(values, "BmsSoc")
        capacity = battery.channel(bms_ch.CAPACITY).next if battery is not None else None
        rated = float(kind.max_discharge_power)
        charge_w, discharge_w = self.allowed.charge_w, self.allowed.discharge_w
        self.set(ess_ch.SOC, rounded(soc))
        self.set(ess_ch.CAPACITY, capacity if isinstance(capacity, int) else None)
        self.set(ess_ch.GRID_MODE, 1 if values.get("GridMode") == 1 else 2)
        self.set(ess_ch.ACTIVE_POWER, rounded(active))
        self.set(ess_ch.REACTIVE_POWER, 0)
        self.set(ess_ch.MAX_APPARENT_POWER, round(rated))
        self.set(ess_ch.DC_DISCHARGE_POWER, rounded(number(values, "BatteryPower")))
        self.set("PvPower", round(pv))
        # the AC side carries PV plus the battery: P − PV must stay within the battery's window
        self.set(ess_ch.ALLOWED_DISCHARGE_POWER, round(max(min(pv + discharge_w, rated), 0.0)))
        self.set(ess_ch.ALLOWED_CHARGE_POWER, round(min(max(pv - charge_w, -rated), 0.0)))
        self.set("BmsAllowedChargePower", round(charge_w))
        self.set("BmsAllowedDischargePower", round(discharge_w))
        charged = number(values, "BatteryChargeTotal")
        discharged = number(values, "BatteryDischargeTotal")
        self.set(ess_ch.DC_CHARGE_ENERGY, rounded(charged, 1000.0))
        self.set(ess_ch.DC_DISCHARGE_ENERGY, rounded(discharged, 1000.0))
        self._integrate(now, active)
        self.set(ess_ch.ACTIVE_CHARGE_ENERGY, round(self._charged_wh))
        self.set(ess_ch.ACTIVE_DISCHARGE_ENERGY, round(self._discharged_wh))
        self.set("GoodweType", kind.name)
        serial = self.session.identity.get("SerialNumber")
        self.set("SerialNumber", serial if isinstance(serial, str) else None)

    def _integrate(self, now: float, active: float | None) -> None:
        last, self._energy_at = self._energy_at, now
        if last is None or active is None:
            return
        energy = active * max(now - last, 0.0) / 3600.0
        if energy >= 0:
            self._discharged_wh += energy
        else:
            self._charged_wh -= energy

    def _publish_none(self) -> None:
        set_all_none(self, keep=("State", "EmsPowerMode", "EmsPowerSet"))
        self.set(ess_ch.ALLOWED_CHARGE_POWER, 0)
        self.set(ess_ch.ALLOWED_DISCHARGE_POWER, 0)
        self._balance_target = None

    def _verify(self) -> None:
        """Once per new poll: does the reported battery power follow the last command?"""
        index = self.session.poll_index
        command = self.last_command
        if index == self._verified_poll or command is None:
            return
        self._verified_poll = index
        expected = command.battery_power()
        reported = number(self.session.values, "BatteryPower")
        if expected is None or reported is None:
            self._misses = 0
            return
        expected = min(max(expected, -self.allowed.charge_w), self.allowed.discharge_w)
        if abs(reported - expected) <= max(POWER_TOLERANCE, 0.1 * abs(expected)):
            self._misses = 0
            self.clear_state(SETPOINT_IGNORED)
            return
        self._misses += 1
        if self._misses >= POWER_GRACE:
            self.raise_state(
                SETPOINT_IGNORED,
                f"asked {expected:.0f} W of the battery, it reports {reported:.0f} W",
            )

    # -- control ----------------------------------------------------------------------------
    def write_power(self, active: int, reactive: int) -> None:
        if self.config.read_only or not self.fresh:
            return
        usable = self.allowed.charge_w > 0 or self.allowed.discharge_w > 0
        command = ems_command(
            active,
            self._pv,
            mode=self.config.control_mode,
            balance_target=self._balance_target,
            battery_usable=usable,
        )
        self.last_command = command
        self.channel("EmsPowerMode").set_now(int(command.mode))
        self.channel("EmsPowerSet").set_now(command.power)
        self.link.queue_write(gw.EMS.address, command.registers())


def build(cid: str, alias: str, config: Any, ctx: BuildContext) -> Component:
    return GoodWeEss(cid, alias, config, ctx.manager)


FACTORY = Factory("GoodWe.Ess", GoodWeEssConfig, build, "GoodWe hybrid inverter (FENECON Home)")
