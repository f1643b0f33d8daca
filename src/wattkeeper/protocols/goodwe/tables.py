"""GoodWe ET-platform register blocks as data (addresses are absolute Modbus registers).

Facts from the OpenEMS GoodWe driver (io.openems.edge.goodwe, AbstractGoodWe) and the
`goodwe` PyPI library (et.py), summarised in /work/shared/reference/hardware-and-apis.md
§1.3; read for the register numbers, types and scales, not copied.

Signs as the device has them: battery power 35182 is + discharge / − charge; grid power at
the inverter (35140) and at the GoodWe meter (36008, 36025) is + feed-in / − purchase (the
opposite of the OpenEMS meter convention: drivers invert it).
"""

from __future__ import annotations

from wattkeeper.protocols.poll_plan import Block, Priority
from wattkeeper.protocols.registers import Access, Point, RegisterTable, RegType

U16, S16, U32, S32 = RegType.UINT16, RegType.INT16, RegType.UINT32, RegType.INT32
STR = RegType.STRING
RW = Access.RW

UNIT_ID = 247  # 0xF7, GoodWe's default Modbus address


def block(name: str, address: int, priority: Priority, *points: Point) -> Block:
    return Block(name, address, RegisterTable(f"goodwe.{name}", points), priority)


def at(
    base: int,
    address: int,
    name: str,
    kind: RegType,
    scale: int | None = None,
    *,
    size: int = 0,
    access: Access = Access.R,
    unit: str = "",
) -> Point:
    """A point by its absolute register number, in a block that starts at `base`."""
    return Point(name, address - base, kind, scale, access, unit, size)


# -- identity (read once per connection) ----------------------------------------------------
_ID = 35000
DEVICE_INFO = block(
    "device_info",
    _ID,
    Priority.ONCE,
    at(_ID, 35000, "ModbusVersion", U16),
    at(_ID, 35001, "RatedPower", U16, unit="W"),
    at(_ID, 35002, "AcOutputType", U16),  # 0: single phase, 1: 3-phase 4-wire, 2: 3-wire
    at(_ID, 35003, "SerialNumber", STR, size=8),
    at(_ID, 35011, "ModelName", STR, size=5),
    at(_ID, 35016, "DspVersion", U16),
    at(_ID, 35017, "Dsp2Version", U16),
    at(_ID, 35018, "DspSvnVersion", U16),
    at(_ID, 35019, "ArmVersion", U16),
    at(_ID, 35020, "ArmSvnVersion", U16),
    at(_ID, 35021, "DspFirmware", STR, size=6),
    at(_ID, 35027, "ArmFirmware", STR, size=6),
)

#: The inverter's clock (bytes: year−2000, month, day, hour, minute, second); not polled.
_CLK = 35100
CLOCK = block(
    "clock",
    _CLK,
    Priority.LOW,
    at(_CLK, 35100, "YearMonth", U16),
    at(_CLK, 35101, "DayHour", U16),
    at(_CLK, 35102, "MinuteSecond", U16),
)

# -- every poll -----------------------------------------------------------------------------
_PV = 35103
PV = block(
    "pv",
    _PV,
    Priority.HIGH,
    at(_PV, 35103, "Pv1Voltage", U16, -1, unit="V"),
    at(_PV, 35104, "Pv1Current", U16, -1, unit="A"),
    at(_PV, 35105, "Pv1Power", U32, unit="W"),
    at(_PV, 35107, "Pv2Voltage", U16, -1, unit="V"),
    at(_PV, 35108, "Pv2Current", U16, -1, unit="A"),
    at(_PV, 35109, "Pv2Power", U32, unit="W"),
)
_AC = 35136
AC = block(
    "ac",
    _AC,
    Priority.HIGH,
    at(_AC, 35136, "GridMode", U16),  # 0: loss, 1: on grid, 2: fault
    at(_AC, 35138, "TotalInverterPower", S16, unit="W"),  # AC side: + output
    at(_AC, 35140, "GridActivePower", S16, unit="W"),  # + feed-in
)
_BAT = 35180
BATTERY = block(
    "battery",
    _BAT,
    Priority.HIGH,
    at(_BAT, 35180, "BatteryVoltage", U16, -1, unit="V"),
    at(_BAT, 35181, "BatteryCurrent", S16, -1, unit="A"),
    at(_BAT, 35182, "BatteryPower", S32, unit="W"),  # + discharge
    at(_BAT, 35184, "BatteryMode", U16),  # 0 no battery, 1 standby, 2 discharge, 3 charge
)
_MTR = 36019
METER_POWER = block(
    "meter_power",
    _MTR,
    Priority.HIGH,
    at(_MTR, 36019, "MeterActivePowerL1", S32, unit="W"),  # + feed-in
    at(_MTR, 36021, "MeterActivePowerL2", S32, unit="W"),
    at(_MTR, 36023, "MeterActivePowerL3", S32, unit="W"),
    at(_MTR, 36025, "MeterActivePower", S32, unit="W"),
)

# -- in rotation ----------------------------------------------------------------------------
_EN = 35187
ENERGY = block(
    "energy",
    _EN,
    Priority.LOW,
    at(_EN, 35187, "WorkMode", U16),
    at(_EN, 35189, "ErrorCodes", U32),
    at(_EN, 35191, "PvEnergyTotal", U32, -1, unit="kWh"),
    at(_EN, 35195, "ExportEnergyTotal", U32, -1, unit="kWh"),
    at(_EN, 35200, "ImportEnergyTotal", U32, -1, unit="kWh"),
    at(_EN, 35206, "BatteryChargeTotal", U32, -1, unit="kWh"),
    at(_EN, 35209, "BatteryDischargeTotal", U32, -1, unit="kWh"),
)
_M = 36000
METER = block(
    "meter",
    _M,
    Priority.LOW,
    at(_M, 36004, "MeterCommStatus", U16),  # 1: OK
    at(_M, 36005, "MeterPowerL1", S16, unit="W"),
    at(_M, 36006, "MeterPowerL2", S16, unit="W"),
    at(_M, 36007, "MeterPowerL3", S16, unit="W"),
    at(_M, 36008, "MeterPowerTotal", S16, unit="W"),
    at(_M, 36009, "MeterReactivePower", S16, unit="var"),
    at(_M, 36014, "MeterFrequency", U16, -2, unit="Hz"),
    at(_M, 36015, "MeterExportEnergy", RegType.FLOAT32, unit="Wh"),
    at(_M, 36017, "MeterImportEnergy", RegType.FLOAT32, unit="Wh"),
)
_BMS = 37000
BMS_INFO = block(
    "bms_info",
    _BMS,
    Priority.LOW,
    at(_BMS, 37000, "BmsId", U16),
    at(_BMS, 37002, "BmsStatus", U16),
    at(_BMS, 37003, "BmsTemperature", S16, -1, unit="C"),
    at(_BMS, 37004, "BmsChargeImax", U16, unit="A"),
    at(_BMS, 37005, "BmsDischargeImax", U16, unit="A"),
    at(_BMS, 37006, "BmsErrorL", U16),
    at(_BMS, 37007, "BmsSoc", U16, unit="%"),
    at(_BMS, 37008, "BmsSoh", U16, unit="%"),
    at(_BMS, 37009, "BmsStrings", U16),
    at(_BMS, 37010, "BmsWarningL", U16),
    at(_BMS, 37012, "BmsErrorH", U16),
    at(_BMS, 37013, "BmsWarningH", U16),
    at(_BMS, 37020, "BmsMaxCellTemperature", S16, -1, unit="C"),
    at(_BMS, 37021, "BmsMinCellTemperature", S16, -1, unit="C"),
    at(_BMS, 37022, "BmsMaxCellVoltage", U16, unit="mV"),
    at(_BMS, 37023, "BmsMinCellVoltage", U16, unit="mV"),
)

# -- control: EMS mode and power (FC16, 47511 + 47512 together) ---------------------------------
_EMS = 47511
EMS = block(
    "ems",
    _EMS,
    Priority.LOW,
    at(_EMS, 47511, "EmsPowerMode", U16, access=RW),
    at(_EMS, 47512, "EmsPowerSet", U16, access=RW, unit="W"),  # always ≥ 0; the mode says where
)

# -- the BMS relay: real-time BMS data written by the EMS ("WBMS", FC16 47900..47916) -------
_WBMS = 47900
WBMS = block(
    "wbms",
    _WBMS,
    Priority.LOW,
    at(_WBMS, 47900, "WbmsVersion", U16, access=RW),
    at(_WBMS, 47901, "WbmsStrings", U16, access=RW),
    at(_WBMS, 47902, "WbmsChargeMaxVoltage", U16, -1, access=RW, unit="V"),
    at(_WBMS, 47903, "WbmsChargeMaxCurrent", U16, -1, access=RW, unit="A"),
    at(_WBMS, 47904, "WbmsDischargeMinVoltage", U16, -1, access=RW, unit="V"),
    at(_WBMS, 47905, "WbmsDischargeMaxCurrent", U16, -1, access=RW, unit="A"),
    at(_WBMS, 47906, "WbmsVoltage", U16, -1, access=RW, unit="V"),
    # OpenEMS declares 47907 unsigned; a charging current is negative, so it is sent as a
    # two's-complement 16-bit value (the same bits an S16 has)
    at(_WBMS, 47907, "WbmsCurrent", S16, -1, access=RW, unit="A"),
    at(_WBMS, 47908, "WbmsSoc", U16, access=RW, unit="%"),
    at(_WBMS, 47909, "WbmsSoh", U16, access=RW, unit="%"),
    at(_WBMS, 47910, "WbmsTemperature", S16, -1, access=RW, unit="C"),
    at(_WBMS, 47911, "WbmsWarningCode", U32, access=RW),
    at(_WBMS, 47913, "WbmsAlarmCode", U32, access=RW),
    at(_WBMS, 47915, "WbmsStatus", U16, access=RW),
    at(_WBMS, 47916, "WbmsDisableTimeoutDetection", U16, access=RW),
)
#: WbmsStatus bits (GoodWe table "BMS status").
STATUS_FORCE_CHARGE, STATUS_STOP_CHARGE, STATUS_STOP_DISCHARGE = 1, 2, 4
#: WbmsAlarmCode bits the relay sets from the battery's own state.
ALARM_CHARGE_OVER_VOLTAGE = 1 << 0
ALARM_DISCHARGE_UNDER_VOLTAGE = 1 << 1
ALARM_CELL_HIGH_TEMPERATURE = 1 << 2
ALARM_CELL_LOW_TEMPERATURE = 1 << 3
ALARM_COMMUNICATION_FAULT = 1 << 12
WARNING_COMMUNICATION_FAILURE = 1 << 6

# -- BMS charge/discharge limits of the inverter (settings; written when they change) ----------
_LIM = 45352
BMS_LIMITS = block(
    "bms_limits",
    _LIM,
    Priority.LOW,
    at(_LIM, 45352, "BmsChargeMaxVoltage", U16, -1, access=RW, unit="V"),
    at(_LIM, 45353, "BmsChargeMaxCurrent", U16, -1, access=RW, unit="A"),
    at(_LIM, 45354, "BmsDischargeMinVoltage", U16, -1, access=RW, unit="V"),
    at(_LIM, 45355, "BmsDischargeMaxCurrent", U16, -1, access=RW, unit="A"),
    at(_LIM, 45356, "BmsSocUnderMin", U16, access=RW, unit="%"),
    at(_LIM, 45357, "BmsOfflineDischargeMinVoltage", U16, -1, access=RW, unit="V"),
    at(_LIM, 45358, "BmsOfflineSocUnderMin", U16, access=RW, unit="%"),
)

#: What the ESS driver polls, in order; the plan takes priorities from here.
INVERTER_BLOCKS = (
    DEVICE_INFO,
    PV,
    AC,
    BATTERY,
    METER_POWER,
    ENERGY,
    METER,
    BMS_INFO,
    EMS,
    WBMS,
    BMS_LIMITS,
)
#: Written every poll: EMS mode + power, and the relayed BMS data.
CYCLE_WRITES = ((EMS.address, EMS.count), (WBMS.address, WBMS.count))
