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


def _phased(
    name: str, kind: T, unit: str, text: str = "", history: History = History.NONE
) -> tuple[ChannelDoc, ...]:
    """A total channel and its three phase channels (`ActivePower`, `ActivePowerL1`..`L3`);
    only the total is kept in the history."""
    return (
        ChannelDoc(name, kind, unit, text=text, history=history),
        *(ChannelDoc(f"{name}{p}", kind, unit, text=f"{text} {p}".strip()) for p in PHASES),
    )


# OpenEMS's ElectricityMeter: power in W/var, voltage in mV, current in mA, frequency in mHz.
# Grid meter: + buy, - feed-in; ActiveProductionEnergy counts what flowed into the site.
METER = (
    *_phased(
        "ActivePower",
        T.INTEGER,
        Unit.WATT,
        "Grid: positive buy, negative feed-in; production: positive",
        History.POWER,
    ),
    *_phased("ReactivePower", T.INTEGER, Unit.VAR),
    *_phased("Voltage", T.INTEGER, Unit.MILLIVOLT, "Voltage (average of the phases)"),
    *_phased("Current", T.INTEGER, Unit.MILLIAMPERE, "Current (sum of the phases)"),
    ChannelDoc("Frequency", T.INTEGER, Unit.MILLIHERTZ, text="Grid frequency"),
    *_phased(
        "ActiveProductionEnergy",
        T.LONG,
        Unit.CUMULATED_WATT_HOURS,
        "Energy into the site (grid: bought)",
        History.COUNTER,
    ),
    *_phased(
        "ActiveConsumptionEnergy",
        T.LONG,
        Unit.CUMULATED_WATT_HOURS,
        "Energy out of the site (grid: sold)",
        History.COUNTER,
    ),
)


class Meter(Component):
    """Measures power at one point of the site."""

    nature_id = "ElectricityMeter"
    meter_type: MeterType = MeterType.GRID

    def __init__(self, component_id: str, alias: str = "", config: Any = None) -> None:
        super().__init__(component_id, alias, config)
        self.declare_all(METER)

    def active_power(self) -> float | None:
        value = self.value("ActivePower")
        return float(value) if isinstance(value, int | float) else None
