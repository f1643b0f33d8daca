"""Energy storage natures: SymmetricEss, ManagedSymmetricEss (controllable) and HybridEss."""

from __future__ import annotations

from typing import Any

from wattkeeper.core.channel import AccessMode, ChannelDoc, History, Unit
from wattkeeper.core.channel import ChannelType as T
from wattkeeper.core.component import Component
from wattkeeper.core.state import Level, StateDoc

WO = AccessMode.WRITE_ONLY
GRID_MODE_OPTIONS = (("UNDEFINED", -1), ("ON_GRID", 1), ("OFF_GRID", 2), ("OFF_GRID_GENSET", 3))

# Handles: each channel is declared once, here, and addressed by its constant (`ess.value(SOC)`).
SOC = ChannelDoc(
    "Soc", T.INTEGER, Unit.PERCENT, text="State of charge, 0..100", history=History.POWER
)
CAPACITY = ChannelDoc("Capacity", T.INTEGER, Unit.WATT_HOURS, text="Usable capacity")
GRID_MODE = ChannelDoc(
    "GridMode",
    T.INTEGER,
    text="-1:Undefined, 1:On-Grid, 2:Off-Grid, 3:Off-Grid-Genset",
    options=GRID_MODE_OPTIONS,
)
ACTIVE_POWER = ChannelDoc(
    "ActivePower",
    T.INTEGER,
    Unit.WATT,
    text="Positive: discharge, negative: charge",
    history=History.POWER,
)
REACTIVE_POWER = ChannelDoc("ReactivePower", T.INTEGER, Unit.VAR, history=History.POWER)
MAX_APPARENT_POWER = ChannelDoc(
    "MaxApparentPower", T.INTEGER, Unit.VOLT_AMPERE, text="Apparent power limit"
)
ACTIVE_CHARGE_ENERGY = ChannelDoc(
    "ActiveChargeEnergy", T.LONG, Unit.CUMULATED_WATT_HOURS, history=History.COUNTER
)
ACTIVE_DISCHARGE_ENERGY = ChannelDoc(
    "ActiveDischargeEnergy", T.LONG, Unit.CUMULATED_WATT_HOURS, history=History.COUNTER
)
MIN_CELL_VOLTAGE = ChannelDoc(
    "MinCellVoltage", T.INTEGER, Unit.MILLIVOLT, text="Lowest cell voltage"
)
MAX_CELL_VOLTAGE = ChannelDoc(
    "MaxCellVoltage", T.INTEGER, Unit.MILLIVOLT, text="Highest cell voltage"
)
MIN_CELL_TEMPERATURE = ChannelDoc(
    "MinCellTemperature", T.INTEGER, Unit.DEGREE_CELSIUS, text="Coolest cell"
)
MAX_CELL_TEMPERATURE = ChannelDoc(
    "MaxCellTemperature", T.INTEGER, Unit.DEGREE_CELSIUS, text="Warmest cell"
)
SYMMETRIC_ESS = (
    SOC,
    CAPACITY,
    GRID_MODE,
    ACTIVE_POWER,
    REACTIVE_POWER,
    MAX_APPARENT_POWER,
    ACTIVE_CHARGE_ENERGY,
    ACTIVE_DISCHARGE_ENERGY,
    MIN_CELL_VOLTAGE,
    MAX_CELL_VOLTAGE,
    MIN_CELL_TEMPERATURE,
    MAX_CELL_TEMPERATURE,
)

DC_DISCHARGE_POWER = ChannelDoc(
    "DcDischargePower",
    T.INTEGER,
    Unit.WATT,
    text="Battery (DC side): + discharge, - charge; ActivePower minus the DC chargers",
    history=History.POWER,
)
DC_CHARGE_ENERGY = ChannelDoc(
    "DcChargeEnergy", T.LONG, Unit.CUMULATED_WATT_HOURS, history=History.COUNTER
)
DC_DISCHARGE_ENERGY = ChannelDoc(
    "DcDischargeEnergy", T.LONG, Unit.CUMULATED_WATT_HOURS, history=History.COUNTER
)
HYBRID_ESS = (DC_DISCHARGE_POWER, DC_CHARGE_ENERGY, DC_DISCHARGE_ENERGY)

APPLY_POWER_FAILED = StateDoc(
    "ApplyPowerFailed", Level.WARNING, "The power setpoint could not be applied"
)

SET_ACTIVE_POWER_EQUALS = ChannelDoc(
    "SetActivePowerEquals", T.INTEGER, Unit.WATT, WO, "Charge (-) or discharge (+) exactly"
)
SET_ACTIVE_POWER_LESS_OR_EQUALS = ChannelDoc(
    "SetActivePowerLessOrEquals", T.INTEGER, Unit.WATT, WO, "Maximum discharge power"
)
SET_ACTIVE_POWER_GREATER_OR_EQUALS = ChannelDoc(
    "SetActivePowerGreaterOrEquals", T.INTEGER, Unit.WATT, WO, "Maximum charge power (negative)"
)
SET_REACTIVE_POWER_EQUALS = ChannelDoc(
    "SetReactivePowerEquals", T.INTEGER, Unit.VAR, WO, "Reactive power setpoint"
)
SET_REACTIVE_POWER_LESS_OR_EQUALS = ChannelDoc(
    "SetReactivePowerLessOrEquals", T.INTEGER, Unit.VAR, WO, "Reactive upper bound"
)
SET_REACTIVE_POWER_GREATER_OR_EQUALS = ChannelDoc(
    "SetReactivePowerGreaterOrEquals", T.INTEGER, Unit.VAR, WO, "Reactive lower bound"
)
SET_CHANNELS = (
    SET_ACTIVE_POWER_EQUALS,
    SET_ACTIVE_POWER_LESS_OR_EQUALS,
    SET_ACTIVE_POWER_GREATER_OR_EQUALS,
    SET_REACTIVE_POWER_EQUALS,
    SET_REACTIVE_POWER_LESS_OR_EQUALS,
    SET_REACTIVE_POWER_GREATER_OR_EQUALS,
)

ALLOWED_CHARGE_POWER = ChannelDoc(
    "AllowedChargePower", T.INTEGER, Unit.WATT, text="Charge limit now (zero or negative)"
)
ALLOWED_DISCHARGE_POWER = ChannelDoc(
    "AllowedDischargePower", T.INTEGER, Unit.WATT, text="Discharge limit now (zero or positive)"
)
DEBUG_SET_ACTIVE_POWER = ChannelDoc(
    "DebugSetActivePower",
    T.INTEGER,
    Unit.WATT,
    text="Active power setpoint of the last cycle",
    history=History.POWER,
)
DEBUG_SET_REACTIVE_POWER = ChannelDoc(
    "DebugSetReactivePower", T.INTEGER, Unit.VAR, text="Reactive setpoint, last cycle"
)
MANAGED_SYMMETRIC_ESS = (
    ALLOWED_CHARGE_POWER,
    ALLOWED_DISCHARGE_POWER,
    DEBUG_SET_ACTIVE_POWER,
    DEBUG_SET_REACTIVE_POWER,
    *SET_CHANNELS,
)


class SymmetricEss(Component):
    """A battery system: state of charge, power and energy readings."""

    nature_id = "SymmetricEss"

    def __init__(self, component_id: str, alias: str = "", config: Any = None) -> None:
        super().__init__(component_id, alias, config)
        self.declare_all(SYMMETRIC_ESS)


class ManagedSymmetricEss(SymmetricEss):
    """A battery system whose power the cycle sets; the solver calls `apply_power` once a cycle."""

    nature_id = "ManagedSymmetricEss"
    #: Home batteries say False: reactive setpoints are then refused, not silently ignored.
    supports_reactive_power: bool = False

    def __init__(self, component_id: str, alias: str = "", config: Any = None) -> None:
        super().__init__(component_id, alias, config)
        self.declare_all(MANAGED_SYMMETRIC_ESS)
        self.declare_state(APPLY_POWER_FAILED)

    def power_limits(self) -> tuple[float, float]:
        """(min, max) active power from the process image: charge limit ≤ P ≤ discharge limit.

        An unknown limit means the device is not usable this cycle: (0, 0).
        """
        low = self.value(ALLOWED_CHARGE_POWER)
        high = self.value(ALLOWED_DISCHARGE_POWER)
        if not isinstance(low, int | float) or not isinstance(high, int | float):
            return (0.0, 0.0)
        return (float(min(low, 0)), float(max(high, 0)))

    def apparent_limit(self) -> float:
        limit = self.value(MAX_APPARENT_POWER)
        return float(limit) if isinstance(limit, int | float) else 0.0

    def soc(self) -> float | None:
        soc = self.value(SOC)
        return float(soc) if isinstance(soc, int | float) else None

    def capacity(self) -> float:
        capacity = self.value(CAPACITY)
        return float(capacity) if isinstance(capacity, int | float) else 0.0

    def control_refusal(self) -> str | None:
        """Why this battery cannot take setpoints now, for the installer (None: it can);
        the write gate answers setpoint writes as not applicable while it says so."""
        return None

    def apply_power(self, active: int, reactive: int) -> None:
        """Called once per cycle with the solved setpoint; devices override `write_power`."""
        self.channel(DEBUG_SET_ACTIVE_POWER).set_now(active)
        self.channel(DEBUG_SET_REACTIVE_POWER).set_now(reactive)
        self.write_power(active, reactive)

    def write_power(self, active: int, reactive: int) -> None:
        raise NotImplementedError


class HybridEss(SymmetricEss):
    """A battery inverter with DC chargers (PV) behind it: ActivePower is its AC side."""

    nature_id = "HybridEss"

    def __init__(self, component_id: str, alias: str = "", config: Any = None) -> None:
        super().__init__(component_id, alias, config)
        self.declare_all(HYBRID_ESS)


class EssCluster(ManagedSymmetricEss):
    """Several batteries acting as one; the solver distributes its setpoint over the members."""

    def __init__(
        self, component_id: str, member_ids: list[str], alias: str = "", config: Any = None
    ) -> None:
        super().__init__(component_id, alias, config)
        self.member_ids = list(member_ids)

    def write_power(self, active: int, reactive: int) -> None:
        """Members receive their share directly from the solver."""
