"""The setpoint → (EMS mode, power) mapping, battery protection and the relay's values."""

from __future__ import annotations

import pytest

from wattkeeper.drivers.goodwe.control import ControlMode, ems_command
from wattkeeper.drivers.goodwe.protection import allowed, taper
from wattkeeper.drivers.goodwe.relay import wbms_values
from wattkeeper.protocols.goodwe import tables as gw
from wattkeeper.protocols.goodwe.modes import EmsPowerMode as M

CHARGE, DISCHARGE = M.CHARGE_BAT, M.DISCHARGE_BAT


@pytest.mark.parametrize(
    ("setpoint", "pv", "mode", "power"),
    [
        (-3000, 0, CHARGE, 3000),  # charge from the grid
        (-3000, 2000, CHARGE, 5000),  # charge from the grid and all of PV
        (1000, 4000, CHARGE, 3000),  # PV surplus: 1000 W out, the rest into the battery
        (0, 2500, CHARGE, 2500),  # P = 0 with PV: charge PV (OpenEMS PR #3509's edge case)
        (4000, 4000, CHARGE, 0),  # PV covers the setpoint exactly
        (5000, 2000, DISCHARGE, 3000),  # the document's write with 2 kW PV
        (5000, 0, DISCHARGE, 5000),
        (0, 0, CHARGE, 0),
    ],
)
def test_remote_mapping(setpoint: int, pv: float, mode: M, power: int) -> None:
    command = ems_command(setpoint, pv, mode=ControlMode.REMOTE)
    assert (command.mode, command.power) == (mode, power)
    # whatever the mode, the battery moves by P − PV
    assert command.battery_power() == setpoint - pv


def test_smart_hands_balancing_to_the_inverter() -> None:
    assert ems_command(700, 0, balance_target=700.0).mode is M.AUTO
    # anything else than "balance to zero" is a remote command
    assert ems_command(701, 0, balance_target=700.0).mode is DISCHARGE
    assert ems_command(700, 0, balance_target=None).mode is DISCHARGE
    assert ems_command(700, 0, mode=ControlMode.REMOTE, balance_target=700.0).mode is DISCHARGE


def test_a_battery_that_may_do_nothing_is_put_in_standby() -> None:
    command = ems_command(5000, 2000, battery_usable=False)
    assert command.registers() == [int(M.BATTERY_STANDBY), 0]


def test_the_power_register_is_unsigned_16_bit() -> None:
    assert ems_command(-100_000, 0, mode=ControlMode.REMOTE).power == 0xFFFE


BMS = {
    "VoltageExact": 230.0,
    "CurrentExact": -10.0,
    "ChargeMaxCurrentExact": 25.0,
    "DischargeMaxCurrentExact": 25.0,
    "MaxCellVoltage": 3300,
    "MinCellVoltage": 3280,
    "MaxCellVoltageLimit": 3550,
    "MinCellVoltageLimit": 2900,
    "ChargeMaxVoltage": 245,
    "DischargeMinVoltage": 210,
    "Soc": 50,
    "Soh": 99,
    "MinCellTemperature": 20,
    "MaxCellTemperature": 24,
    "Level1Bits": 0,
    "Level2Bits": 0,
}


def limits(**changes: object):
    return allowed(
        {**BMS, **changes}, max_dc_current=25, max_charge_w=10_000, max_discharge_w=10_000
    )


def test_bms_current_limits_become_power_limits() -> None:
    result = limits()
    assert (result.charge_w, result.discharge_w) == (25 * 230.0, 25 * 230.0)
    assert limits(ChargeMaxCurrentExact=5.0).charge_w == 5 * 230.0
    # the inverter type caps the current the BMS allows
    assert limits(ChargeMaxCurrentExact=80.0).charge_a == 25


def test_charge_tapers_near_the_upper_cell_limit_and_stops_at_it() -> None:
    assert taper(150) == 1.0 and taper(75) == 0.5 and taper(0) == 0.0 and taper(-20) == 0.0
    assert limits(MaxCellVoltage=3475).charge_a == pytest.approx(12.5)  # 75 mV to go
    assert limits(MaxCellVoltage=3550).charge_w == 0.0
    assert limits(MaxCellVoltage=3600).charge_w == 0.0
    assert limits(MaxCellVoltage=3600).discharge_w == 25 * 230.0  # discharging is fine
    assert limits(MinCellVoltage=2900).discharge_w == 0.0
    assert "near 2900 mV" in limits(MinCellVoltage=2950).limited_by


def test_level_2_alarm_or_silence_allows_nothing() -> None:
    assert limits(Level2=True).charge_w == limits(Level2=True).discharge_w == 0.0
    silent = allowed(None, max_dc_current=25, max_charge_w=1, max_discharge_w=1)
    assert (silent.charge_w, silent.discharge_w) == (0.0, 0.0)


def test_relay_values_follow_the_battery() -> None:
    values = wbms_values({**BMS, "Level1Bits": 1 << 4}, limits(ChargeMaxCurrentExact=5.0), 50)
    assert values["WbmsChargeMaxCurrent"] == 5.0
    assert values["WbmsDischargeMaxCurrent"] == 25.0
    assert values["WbmsSoc"] == 50
    assert values["WbmsStatus"] == 0
    assert values["WbmsWarningCode"] == gw.ALARM_CELL_HIGH_TEMPERATURE  # bit 2 in both tables
    words = gw.WBMS.encode(values)
    assert len(words) == 17 and gw.WBMS.decode(words)["WbmsChargeMaxCurrent"] == 5.0


def test_relay_for_a_silent_battery_stops_it() -> None:
    values = wbms_values(
        None, allowed(None, max_dc_current=25, max_charge_w=1, max_discharge_w=1), 42
    )
    assert values["WbmsChargeMaxCurrent"] == values["WbmsDischargeMaxCurrent"] == 0.0
    assert values["WbmsStatus"] == gw.STATUS_STOP_CHARGE | gw.STATUS_STOP_DISCHARGE
    assert values["WbmsAlarmCode"] == gw.ALARM_COMMUNICATION_FAULT
    assert values["WbmsSoc"] == 42
