"""The OpenEMS `Battery` nature (channel ids from openems-channels.json), for drivers of
battery management systems. Units as OpenEMS has them: V, A, mV, °C."""

from __future__ import annotations

from typing import Any

from wattkeeper.core.channel import ChannelDoc, History, Unit
from wattkeeper.core.channel import ChannelType as T
from wattkeeper.core.component import Component

BATTERY = (
    ChannelDoc("Soc", T.INTEGER, Unit.PERCENT, text="State of charge", history=History.POWER),
    ChannelDoc("Soh", T.INTEGER, Unit.PERCENT, text="State of health"),
    ChannelDoc("Voltage", T.INTEGER, Unit.VOLT, text="Pack voltage"),
    ChannelDoc("Current", T.INTEGER, Unit.AMPERE, text="Pack current, + discharge"),
    ChannelDoc("Capacity", T.INTEGER, Unit.WATT_HOURS),
    ChannelDoc("ChargeMaxVoltage", T.INTEGER, Unit.VOLT),
    ChannelDoc("ChargeMaxCurrent", T.INTEGER, Unit.AMPERE, text="What the BMS allows now"),
    ChannelDoc("DischargeMinVoltage", T.INTEGER, Unit.VOLT),
    ChannelDoc("DischargeMaxCurrent", T.INTEGER, Unit.AMPERE, text="What the BMS allows now"),
    ChannelDoc("MinCellTemperature", T.INTEGER, Unit.DEGREE_CELSIUS),
    ChannelDoc("MaxCellTemperature", T.INTEGER, Unit.DEGREE_CELSIUS),
    ChannelDoc("MinCellVoltage", T.INTEGER, Unit.MILLIVOLT),
    ChannelDoc("MaxCellVoltage", T.INTEGER, Unit.MILLIVOLT),
    ChannelDoc("InnerResistance", T.INTEGER, "mOhm"),
    ChannelDoc(
        "StartStop",
        T.INTEGER,
        text="-1:Undefined, 1:Start, 2:Stop",
        options=(("UNDEFINED", -1), ("START", 1), ("STOP", 2)),
    ),
)


class Battery(Component):
    """A battery's BMS: state of charge and health, and the limits it allows."""

    nature_id = "Battery"

    def __init__(self, component_id: str, alias: str = "", config: Any = None) -> None:
        super().__init__(component_id, alias, config)
        self.declare_all(BATTERY)
