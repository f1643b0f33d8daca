"""The Meter nature: grid, production and consumption meters."""

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


METER = (
    ChannelDoc(
        "ActivePower",
        T.INTEGER,
        Unit.WATT,
        text="Grid: positive buy, negative feed-in; production: positive",
        history=History.POWER,
    ),
    ChannelDoc("ReactivePower", T.INTEGER, Unit.VAR),
    ChannelDoc("Voltage", T.INTEGER, Unit.MILLIVOLT),
    ChannelDoc("Current", T.INTEGER, Unit.AMPERE),
    ChannelDoc("Frequency", T.INTEGER, Unit.HERTZ),
    ChannelDoc(
        "ActiveProductionEnergy", T.LONG, Unit.CUMULATED_WATT_HOURS, history=History.COUNTER
    ),
    ChannelDoc(
        "ActiveConsumptionEnergy", T.LONG, Unit.CUMULATED_WATT_HOURS, history=History.COUNTER
    ),
)


class Meter(Component):
    """Measures power at one point of the site."""

    meter_type: MeterType = MeterType.GRID

    def __init__(self, component_id: str, alias: str = "", config: Any = None) -> None:
        super().__init__(component_id, alias, config)
        self.declare_all(METER)

    def active_power(self) -> float | None:
        value = self.value("ActivePower")
        return float(value) if isinstance(value, int | float) else None
