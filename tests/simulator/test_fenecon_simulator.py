"""The FENECON Home simulator: the inverter's reaction to its EMS mode and to the relayed BMS
data (including its own fallback when the edge goes silent), and its register images."""

from __future__ import annotations

import argparse
import asyncio

import pytest

from wattkeeper.protocols import fenecon_home as fh
from wattkeeper.protocols.goodwe import tables as gw
from wattkeeper.protocols.goodwe.modes import EmsPowerMode
from wattkeeper.simulator.clock import ManualClock
from wattkeeper.simulator.faults import WriteRefused
from wattkeeper.simulator.fenecon.nullmodem import NullModem
from wattkeeper.simulator.fenecon.physics import HomeFault
from wattkeeper.simulator.fenecon.server import FeneconHomeSimulator


def relay(sim: FeneconHomeSimulator, charge_a: float, discharge_a: float, status: int = 0) -> None:
    values = {
        "WbmsChargeMaxCurrent": charge_a,
        "WbmsDischargeMaxCurrent": discharge_a,
        "WbmsStatus": status,
        "WbmsSoc": 50,
    }
    sim.inverter_image.write(gw.WBMS.address, gw.WBMS.encode(values))


def command(sim: FeneconHomeSimulator, mode: EmsPowerMode, power: int) -> None:
    sim.inverter_image.write(47511, [int(mode), power])
    sim.inverter.advance()


@pytest.fixture
def sim() -> FeneconHomeSimulator:
    return FeneconHomeSimulator(clock=ManualClock(), load_w=800.0, pv_w=3000.0, bms_timeout=10.0)


def test_without_bms_data_the_inverter_keeps_the_battery_still(sim) -> None:
    command(sim, EmsPowerMode.DISCHARGE_BAT, 2000)
    assert sim.battery.power_w == 0.0


def test_ems_modes_move_the_battery_within_the_relayed_limits(sim) -> None:
    relay(sim, 25.0, 25.0)
    command(sim, EmsPowerMode.AUTO, 0)
    assert sim.battery.power_w == pytest.approx(800 - 3000)  # AUTO: PV surplus charges
    command(sim, EmsPowerMode.DISCHARGE_BAT, 2000)
    assert sim.battery.power_w == 2000
    assert sim.inverter.grid_w == pytest.approx(800 - 5000)  # feed-in
    command(sim, EmsPowerMode.CHARGE_BAT, 9000)  # more than 25 A allow
    assert sim.battery.power_w == pytest.approx(-25.0 * sim.battery.voltage)
    relay(sim, 25.0, 25.0, gw.STATUS_STOP_CHARGE)
    sim.inverter.advance()
    assert sim.battery.power_w == 0.0
    command(sim, EmsPowerMode.BATTERY_STANDBY, 0)
    assert sim.battery.power_w == 0.0


def test_the_inverter_stops_the_battery_when_the_relay_goes_silent(sim) -> None:
    """The inverter-side fallback: the edge stops writing 47900-47916 (crashed, unplugged)."""
    relay(sim, 25.0, 25.0)
    command(sim, EmsPowerMode.DISCHARGE_BAT, 2000)
    sim.clock.advance(9.0)  # type: ignore[attr-defined]
    sim.inverter.advance()
    assert sim.battery.power_w == 2000
    sim.clock.advance(2.0)  # type: ignore[attr-defined]
    sim.inverter.advance()
    assert sim.battery.power_w == 0.0  # BMS data older than 10 s: battery held
    relay(sim, 25.0, 25.0)
    sim.inverter.advance()
    assert sim.battery.power_w == 2000


def test_bms_alarm_limits_the_current_the_battery_reports(sim) -> None:
    status = fh.STATUS.decode(sim.registers(1, 500, 29))
    assert status["ChargeMaxCurrent"] == 25.0 and status["Level1Alarm"] == 0
    sim.battery.alarm = True
    status = fh.STATUS.decode(sim.registers(1, 500, 29))
    assert status["ChargeMaxCurrent"] == 5.0 and status["Level1Alarm"] == 1 << 4
    assert status["MaxCellTemperature"] == 52.0


def test_images_refuse_unknown_reads_and_writes(sim) -> None:
    with pytest.raises(WriteRefused):
        sim.inverter_image.write(35100, [1])
    with pytest.raises(WriteRefused):
        sim.battery_image.write(500, [1])
    with pytest.raises(WriteRefused):
        sim.inverter_image.read(40000, 2)
    with pytest.raises(WriteRefused):
        sim.inverter_image.write(47511, [99, 0])  # no such EMS mode
    identity = gw.DEVICE_INFO.decode(sim.registers(247, 35000, 33))
    assert identity["SerialNumber"] == "9010KETU00SIM001"


def test_cli_knows_the_model_and_its_faults() -> None:
    from wattkeeper.simulator.cli import register

    parser = argparse.ArgumentParser()
    register(parser.add_subparsers(dest="command"))
    args = parser.parse_args(
        ["simulate-device", "--model", "fenecon-home", "--serial", "pty", "--fault", "bms-alarm"]
    )
    assert args.model == "fenecon-home" and args.serial == "pty"
    assert args.fault == [HomeFault.BMS_ALARM]


async def test_serve_on_a_serial_line_until_cancelled() -> None:
    from pymodbus.client import AsyncModbusSerialClient
    from pymodbus.exceptions import ModbusException

    from wattkeeper.simulator.fenecon.server import serve

    modem = NullModem().open()
    task = asyncio.create_task(serve(serial=modem.device_path, load_w=500.0, pv_w=0.0))
    client = AsyncModbusSerialClient(modem.edge_path, baudrate=9600, timeout=0.3, retries=0)
    try:
        assert await client.connect()
        async with asyncio.timeout(5):
            while True:
                try:
                    response = await client.read_holding_registers(508, count=1, device_id=1)
                except ModbusException:
                    continue  # the server is still opening its end of the line
                if not response.isError():
                    break
        assert response.registers == [500]  # SoC 50.0 %
    finally:
        client.close()
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        modem.close()
