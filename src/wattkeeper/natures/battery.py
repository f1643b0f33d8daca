"""The OpenEMS `Battery` nature (channel ids from openems-channels.json), for drivers of
battery management systems. Units as OpenEMS has them: V, A, mV, °C."""

from __future__ import annotations

from typing import Any

from wattkeeper.core.channel import ChannelDoc, History, Unit
from wattkeeper.core.channel import ChannelType as T
from wattkeeper.core.component import Component

SOC = ChannelDoc("Soc", T.INTEGER, Unit.PERCENT, text="State of charge", history=History.POWER)
SOH = ChannelDoc("Soh", T.INTEGER, Unit.PERCENT, text="State of health")
VOLTAGE = ChannelDoc("Voltage", T.INTEGER, Unit.VOLT, text="Pack voltage")
CURRENT = ChannelDoc("Current", T.INTEGER, Unit.AMPERE, text="Pack current, + discharge")
CAPACITY = ChannelDoc("Capacity", T.INTEGER, Unit.WATT_HOURS)
CHARGE_MAX_VOLTAGE = ChannelDoc("ChargeMaxVoltage", T.INTEGER, Unit.VOLT)
CHARGE_MAX_CURRENT = ChannelDoc(
    "ChargeMaxCurrent", T.INTEGER, Unit.AMPERE, text="What the BMS allows now"
)
DISCHARGE_MIN_VOLTAGE = ChannelDoc("DischargeMinVoltage", T.INTEGER, Unit.VOLT)
DISCHARGE_MAX_CURRENT = ChannelDoc(
    "DischargeMaxCurrent", T.INTEGER, Unit.AMPERE, text="What the BMS allows now"
)
MIN_CELL_TEMPERATURE = ChannelDoc("MinCellTemperature", T.INTEGER, Unit.DEGREE_CELSIUS)
MAX_CELL_TEMPERATURE = ChannelDoc("MaxCellTemperature", T.INTEGER, Unit.DEGREE_CELSIUS)
MIN_CELL_VOLTAGE = ChannelDoc("MinCellVoltage", T.INTEGER, Unit.MILLIVOLT)
MAX_CELL_VOLTAGE = ChannelDoc("MaxCellVoltage", T.INTEGER, Unit.MILLIVOLT)
INNER_RESISTANCE = ChannelDoc("InnerResistance", T.INTEGER, "mOhm")
START_STOP = ChannelDoc(
    "StartStop",
    T.INTEGER,
    text="-1:Undefined, 1:Start, 2:Stop",
    options=(("UNDEFINED", -1), ("START", 1), ("STOP", 2)),
)
BATTERY = (
    SOC,
    SOH,
    VOLTAGE,
    CURRENT,
    CAPACITY,
    CHARGE_MAX_VOLTAGE,
    CHARGE_MAX_CURRENT,
    DISCHARGE_MIN_VOLTAGE,
    DISCHARGE_MAX_CURRENT,
    MIN_CELL_TEMPERATURE,
    MAX_CELL_TEMPERATURE,
    MIN_CELL_VOLTAGE,
    MAX_CELL_VOLTAGE,
    INNER_RESISTANCE,
    START_STOP,
)


class Battery(Component):
    """A battery's BMS: state of charge and health, and the limits it allows."""

    nature_id = "Battery"

    def __init__(self, component_id: str, alias: str = "", config: Any = None) -> None:
        super().__init__(component_id, alias, config)
        self.declare_all(BATTERY)
