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


def _phases(total: ChannelDoc) -> tuple[ChannelDoc, ...]:
    """A total channel and its three phase channels (`ActivePower`, `ActivePowerL1`..`L3`);
    only the total is kept in the history."""
    return (
        total,
        *(
            ChannelDoc(f"{total.name}{p}", total.type, total.unit, text=f"{total.text} {p}".strip())
            for p in PHASES
        ),
    )


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
METER = (
    *_phases(ACTIVE_POWER),
    *_phases(REACTIVE_POWER),
    *_phases(VOLTAGE),
    *_phases(CURRENT),
    FREQUENCY,
    *_phases(ACTIVE_PRODUCTION_ENERGY),
    *_phases(ACTIVE_CONSUMPTION_ENERGY),
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
