"""The EssDcCharger nature: PV on the DC side of a hybrid battery inverter (`charger0`)."""

from __future__ import annotations

from typing import Any

from wattkeeper.core.channel import ChannelDoc, History, Unit
from wattkeeper.core.channel import ChannelType as T
from wattkeeper.core.component import Component

MAX_ACTUAL_POWER = ChannelDoc(
    "MaxActualPower", T.INTEGER, Unit.WATT, text="Peak power of the PV string(s)"
)
ACTUAL_POWER = ChannelDoc(
    "ActualPower", T.INTEGER, Unit.WATT, text="PV power now", history=History.POWER
)
ACTUAL_ENERGY = ChannelDoc(
    "ActualEnergy", T.LONG, Unit.CUMULATED_WATT_HOURS, history=History.COUNTER
)
VOLTAGE = ChannelDoc("Voltage", T.INTEGER, Unit.MILLIVOLT, text="PV string voltage")
CURRENT = ChannelDoc("Current", T.INTEGER, Unit.MILLIAMPERE, text="PV string current")
ESS_DC_CHARGER = (MAX_ACTUAL_POWER, ACTUAL_POWER, ACTUAL_ENERGY, VOLTAGE, CURRENT)


class EssDcCharger(Component):
    """A DC charger: its power reaches the site only through its battery inverter (`ess_id`)."""

    nature_id = "EssDcCharger"
    ess_id: str = ""

    def __init__(self, component_id: str, alias: str = "", config: Any = None) -> None:
        super().__init__(component_id, alias, config)
        self.declare_all(ESS_DC_CHARGER)

    def actual_power(self) -> float | None:
        value = self.value(ACTUAL_POWER)
        return float(value) if isinstance(value, int | float) else None
