"""The BMS relay: every cycle the battery's limits, SoC and status go into the inverter's
real-time BMS registers (47900-47916); its static battery settings (45352-45358) are
written after each connect and when they change.

A silent battery is relayed as "may neither charge nor discharge": both currents 0, status
stop-charge + stop-discharge, the communication alarm bit set (the inverter stops the
battery at once, whatever the EMS mode says).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from wattkeeper.drivers.goodwe.protection import Allowed
from wattkeeper.protocols.goodwe import tables as gw
from wattkeeper.protocols.registers import Decoded


def _num(values: Mapping[str, Any], name: str, default: float = 0.0) -> float:
    value = values.get(name)
    return float(value) if isinstance(value, int | float) else default


#: FENECON level-1/2 alarm bit → GoodWe warning/alarm code bit (both tables: 0 charge over-
#: voltage, 1 discharge under-voltage, 2 cell high temperature, 3 cell low temperature,
#: 4 charge over-current, 5 discharge over-current).
_BIT_MAP = {0: 0, 1: 1, 2: 4, 3: 5, 4: 2, 5: 3}


def _goodwe_bits(fenecon: int) -> int:
    return sum(1 << goodwe for bit, goodwe in _BIT_MAP.items() if fenecon & (1 << bit))


def wbms_values(
    bms: Mapping[str, Any] | None, limits: Allowed, last_soc: float | None
) -> dict[str, Decoded]:
    """The 47900-47916 block for this cycle."""
    if bms is None:
        return {
            "WbmsVersion": 1,
            "WbmsStrings": 1,
            "WbmsChargeMaxVoltage": 0.0,
            "WbmsChargeMaxCurrent": 0.0,
            "WbmsDischargeMinVoltage": 0.0,
            "WbmsDischargeMaxCurrent": 0.0,
            "WbmsVoltage": 0.0,
            "WbmsCurrent": 0.0,
            "WbmsSoc": round(min(max(last_soc or 1.0, 1.0), 100.0)),
            "WbmsSoh": 100,
            "WbmsTemperature": 0.0,
            "WbmsWarningCode": gw.WARNING_COMMUNICATION_FAILURE,
            "WbmsAlarmCode": gw.ALARM_COMMUNICATION_FAULT,
            "WbmsStatus": gw.STATUS_STOP_CHARGE | gw.STATUS_STOP_DISCHARGE,
            "WbmsDisableTimeoutDetection": 0,
        }
    status = 0
    if limits.charge_a <= 0:
        status |= gw.STATUS_STOP_CHARGE
    if limits.discharge_a <= 0:
        status |= gw.STATUS_STOP_DISCHARGE
    warning = _goodwe_bits(int(_num(bms, "Level1Bits")))
    alarm = _goodwe_bits(int(_num(bms, "Level2Bits")))
    low_t, high_t = _num(bms, "MinCellTemperature"), _num(bms, "MaxCellTemperature")
    return {
        "WbmsVersion": 1,
        "WbmsStrings": 1,
        "WbmsChargeMaxVoltage": round(_num(bms, "ChargeMaxVoltage"), 1),
        "WbmsChargeMaxCurrent": round(limits.charge_a, 1),
        "WbmsDischargeMinVoltage": round(_num(bms, "DischargeMinVoltage"), 1),
        "WbmsDischargeMaxCurrent": round(limits.discharge_a, 1),
        "WbmsVoltage": round(_num(bms, "VoltageExact"), 1),
        "WbmsCurrent": round(_num(bms, "CurrentExact"), 1),
        # OpenEMS keeps the relayed SoC within 1..100: 0 % stops the inverter
        "WbmsSoc": round(min(max(_num(bms, "Soc", 1.0), 1.0), 100.0)),
        "WbmsSoh": round(_num(bms, "Soh", 100.0)),
        "WbmsTemperature": round((low_t + high_t) / 2, 1),
        "WbmsWarningCode": warning,
        "WbmsAlarmCode": alarm,
        "WbmsStatus": status,
        "WbmsDisableTimeoutDetection": 0,  # keep the inverter's BMS timeout armed
    }


def limit_values(bms: Mapping[str, Any], max_dc_current: float) -> dict[str, Decoded]:
    """The 45352-45358 settings: voltage window and the type's maximum DC current."""
    return {
        "BmsChargeMaxVoltage": round(_num(bms, "ChargeMaxVoltage"), 1),
        "BmsChargeMaxCurrent": float(max_dc_current),
        "BmsDischargeMinVoltage": round(_num(bms, "DischargeMinVoltage"), 1),
        "BmsDischargeMaxCurrent": float(max_dc_current),
        "BmsSocUnderMin": 0,
        "BmsOfflineDischargeMinVoltage": round(_num(bms, "DischargeMinVoltage"), 1),
        "BmsOfflineSocUnderMin": 0,
    }
