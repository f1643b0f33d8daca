"""The ElectricityMeter nature: grid, production and consumption meters, L1..L3."""

from __future__ import annotations

from enum import Enum
from typing import Any

from wattkeeper.core.channel import ChannelDoc, History, Unit
from wattkeeper.core.channel import ChannelType as T
from wattkeeper.core.component import Component


class MeterType(Enum):
    GRID = "GRID"
    PRODUCTION = "PRODUCTION"
    CONSUMPTION_METERED = "CONSUMPTION_METERED"


PHASES = ("L1", "L2", "L3")


Phases = tuple[ChannelDoc, ChannelDoc, ChannelDoc]


def _phases(total: ChannelDoc) -> Phases:
    """The phase channels L1..L3 of a total (`ActivePowerL1`..`L3`); only the total is kept in
    the history."""
    l1, l2, l3 = (
        ChannelDoc(f"{total.name}{p}", total.type, total.unit, text=f"{total.text} {p}".strip())
        for p in PHASES
    )
    return (l1, l2, l3)


# OpenEMS's ElectricityMeter: power in W/var, voltage in mV, current in mA, frequency in mHz.
# Grid meter: + buy, - feed-in; ActiveProductionEnergy counts what flowed into the site.
# Handles: each total is declared once, here, and addressed by its constant.
ACTIVE_POWER = ChannelDoc(
    "ActivePower",
    T.INTEGER,
    Unit.WATT,
    text="Grid: positive buy, negative feed-in; production: positive",
    history=History.POWER,
)
REACTIVE_POWER = ChannelDoc("ReactivePower", T.INTEGER, Unit.VAR)
VOLTAGE = ChannelDoc("Voltage", T.INTEGER, Unit.MILLIVOLT, text="Voltage (average of the phases)")
CURRENT = ChannelDoc("Current", T.INTEGER, Unit.MILLIAMPERE, text="Current (sum of the phases)")
FREQUENCY = ChannelDoc("Frequency", T.INTEGER, Unit.MILLIHERTZ, text="Grid frequency")
ACTIVE_PRODUCTION_ENERGY = ChannelDoc(
    "ActiveProductionEnergy",
    T.LONG,
    Unit.CUMULATED_WATT_HOURS,
    text="Energy into the site (grid: bought)",
    history=History.COUNTER,
)
ACTIVE_CONSUMPTION_ENERGY = ChannelDoc(
    "ActiveConsumptionEnergy",
    T.LONG,
    Unit.CUMULATED_WATT_HOURS,
    text="Energy out of the site (grid: sold)",
    history=History.COUNTER,
)
#: the phase channels of each phased total, L1..L3
ACTIVE_POWER_PHASES = _phases(ACTIVE_POWER)
REACTIVE_POWER_PHASES = _phases(REACTIVE_POWER)
VOLTAGE_PHASES = _phases(VOLTAGE)
CURRENT_PHASES = _phases(CURRENT)
ACTIVE_PRODUCTION_ENERGY_PHASES = _phases(ACTIVE_PRODUCTION_ENERGY)
ACTIVE_CONSUMPTION_ENERGY_PHASES = _phases(ACTIVE_CONSUMPTION_ENERGY)
METER = (
    ACTIVE_POWER,
    *ACTIVE_POWER_PHASES,
    REACTIVE_POWER,
    *REACTIVE_POWER_PHASES,
    VOLTAGE,
    *VOLTAGE_PHASES,
    CURRENT,
    *CURRENT_PHASES,
    FREQUENCY,
    ACTIVE_PRODUCTION_ENERGY,
    *ACTIVE_PRODUCTION_ENERGY_PHASES,
    ACTIVE_CONSUMPTION_ENERGY,
    *ACTIVE_CONSUMPTION_ENERGY_PHASES,
)


class Meter(Component):
    """Measures power at one point of the site."""

    nature_id = "ElectricityMeter"
    meter_type: MeterType = MeterType.GRID

    def __init__(self, component_id: str, alias: str = "", config: Any = None) -> None:
        super().__init__(component_id, alias, config)
        self.declare_all(METER)

    def active_power(self) -> float | None:
        value = self.value(ACTIVE_POWER)
        return float(value) if isinstance(value, int | float) else None
