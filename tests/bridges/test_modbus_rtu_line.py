"""The shared Modbus line over a real serial transport: Modbus RTU through a pseudo-terminal
null modem to the FENECON Home simulator (unit 247 inverter, unit 1 battery on one line)."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator

import pytest

from wattkeeper.bridges.modbus_rtu import ModbusLine, SerialSettings, TcpSettings
from wattkeeper.bridges.modbus_tcp import RegisterIO
from wattkeeper.simulator.fenecon.nullmodem import NullModem
from wattkeeper.simulator.fenecon.physics import HomeFault
from wattkeeper.simulator.fenecon.server import FeneconHomeSimulator
from wattkeeper.testing.fake_clock import FakeClock


class Reader:
    """Reads one block per poll and counts the polls."""

    def __init__(self, address: int, count: int) -> None:
        self.address, self.count = address, count
        self.words: list[int] = []
        self.connects = 0
        self.poll_index = 0

    @property
    def has_data(self) -> bool:
        return bool(self.words)

    async def on_connect(self, io: RegisterIO) -> None:
        self.connects += 1

    async def poll(self, io: RegisterIO) -> None:
        self.words = await io.read(self.address, self.count)
        self.poll_index += 1


@pytest.fixture
async def rtu() -> AsyncIterator[tuple[FeneconHomeSimulator, NullModem]]:
    modem = NullModem().open()
    simulator = FeneconHomeSimulator(serial=modem.device_path, load_w=500.0, pv_w=0.0)
    await simulator.start()
    yield simulator, modem
    await simulator.stop()
    modem.close()


def line_on(path: str) -> ModbusLine:
    return ModbusLine(
        SerialSettings(path, 9600), poll_interval=0.05, timeout=0.15, backoff_min=0.1,
        backoff_max=0.4,
    )  # fmt: skip


async def until(condition, timeout: float = 5.0) -> None:
    async with asyncio.timeout(timeout):
        while not condition():
            await asyncio.sleep(0.01)


async def test_two_units_share_one_rtu_line(rtu) -> None:
    simulator, modem = rtu
    line = line_on(modem.edge_path)
    battery, inverter = Reader(500, 29), Reader(35180, 5)
    b = line.attach(1, battery, "battery")
    i = line.attach(247, inverter, "inverter")
    await line.start()
    try:
        await until(lambda: battery.poll_index >= 3 and inverter.poll_index >= 3)
        assert battery.words[8] == 500  # 508: SoC 50.0 % in 0.1 %
        assert inverter.words[0] > 0  # 35180: battery voltage
        assert not b.failed and not i.failed
        # a write goes to its own unit: 47511/47512 on the inverter
        i.queue_write(47511, [11, 1500])
        await i.flush()
        assert (simulator.inverter.ems_mode, simulator.inverter.ems_power) == (11, 1500)
    finally:
        await line.stop()


async def test_a_silent_unit_costs_the_others_nothing_and_recovers(rtu, caplog) -> None:
    """On a fake clock (the wire stays real RTU): the silent unit is retried after a backoff
    doubling from 2 s to at most 8 s, while the other unit is polled every round."""
    simulator, modem = rtu
    caplog.set_level(logging.INFO, logger="wattkeeper.bridges.modbus_rtu")
    clock = FakeClock()
    line = ModbusLine(
        SerialSettings(modem.edge_path, 9600), clock=clock, poll_interval=1.0, timeout=0.15,
        backoff_min=2.0, backoff_max=8.0,
    )  # fmt: skip
    battery, inverter = Reader(500, 29), Reader(35180, 5)
    b = line.attach(1, battery, "battery")
    line.attach(247, inverter, "inverter")
    await line.start()

    async def next_round() -> None:
        rounds = line.rounds
        clock.advance(1.0)  # whole seconds: the schedule's sums stay exact
        await until(lambda: line.rounds == rounds + 1)

    try:
        await until(lambda: line.rounds == 1 and battery.poll_index == 1)
        await simulator.set_faults(HomeFault.BATTERY_SILENT)
        attempted: list[int] = []
        for _ in range(15):
            attempts = b.attempts
            polled = inverter.poll_index
            await next_round()
            attempted.append(b.attempts - attempts)
            assert inverter.poll_index == polled + 1  # the inverter keeps its period
        assert b.failed and "read 500+29" in b.last_error
        # tried at once, then after 2, 4 and 8 s (capped), then 8 s again
        tries_at = [second for second, tried in enumerate(attempted) if tried]
        assert tries_at == [0, 2, 6, 14]
        await simulator.set_faults()
        for _ in range(8):
            await next_round()
        assert not b.failed
        assert battery.connects >= 2  # the session is set up again after the failure
    finally:
        await line.stop()
    messages = [r.getMessage() for r in caplog.records]
    assert sum("battery:" in m and "restored" not in m for m in messages) == 1  # once
    assert sum(m == "battery: communication restored" for m in messages) == 1


async def test_a_closed_port_fails_every_unit_until_it_is_back(rtu) -> None:
    simulator, modem = rtu
    line = line_on(modem.edge_path)
    battery, inverter = Reader(500, 29), Reader(35180, 5)
    b = line.attach(1, battery, "battery")
    i = line.attach(247, inverter, "inverter")
    await line.start()
    try:
        await until(lambda: battery.poll_index >= 1 and inverter.poll_index >= 1)
        await simulator.set_faults(HomeFault.DISCONNECT)
        await until(lambda: b.failed and i.failed)
        await simulator.set_faults()
        await until(lambda: not b.failed and not i.failed, timeout=8.0)
    finally:
        await line.stop()


async def test_a_missing_serial_device_is_a_failure_not_a_crash() -> None:
    line = line_on("/dev/does-not-exist-wattkeeper")
    device = line.attach(1, Reader(500, 1), "battery")
    await line.start()
    try:
        await until(lambda: device.failed)
        assert "cannot open /dev/does-not-exist-wattkeeper" in device.last_error
        assert line.port_failed
    finally:
        await line.stop()


async def test_the_same_line_over_tcp() -> None:
    simulator = FeneconHomeSimulator("127.0.0.1", 0)
    await simulator.start()
    line = ModbusLine(TcpSettings("127.0.0.1", simulator.port), poll_interval=0.05, timeout=0.2)
    battery = Reader(500, 29)
    line.attach(1, battery)
    await line.start()
    try:
        await until(lambda: battery.poll_index >= 2)
        assert battery.words[8] == 500
    finally:
        await line.stop()
        await simulator.stop()


def test_a_line_too_slow_for_its_devices_is_a_configuration_error(tmp_path) -> None:
    from wattkeeper.config.registry import BuildContext
    from wattkeeper.core.clock import SystemClock
    from wattkeeper.core.errors import ConfigError
    from wattkeeper.core.manager import ComponentManager
    from wattkeeper.drivers.modbus_line import SERIAL_FACTORY
    from wattkeeper.protocols.goodwe import tables as gw
    from wattkeeper.protocols.poll_plan import PollPlan

    ctx = BuildContext(SystemClock(), ComponentManager(), tmp_path)
    config = SERIAL_FACTORY.model.model_validate(
        {"portName": "/dev/ttyUSB1", "baudRate": 9600, "pollPeriodMs": 200}
    )
    line = SERIAL_FACTORY.build("modbus1", "", config, ctx)
    plan = PollPlan(gw.INVERTER_BLOCKS, gw.CYCLE_WRITES)
    with pytest.raises(ConfigError, match=r"modbus1: .* 9600 baud \(ess0\); the budget is 100 ms"):
        line.reserve("ess0", plan.cost_worst())
    config = SERIAL_FACTORY.model.model_validate({"portName": "/dev/ttyUSB1", "baudRate": 9600})
    SERIAL_FACTORY.build("modbus1", "", config, ctx).reserve("ess0", plan.cost_worst())  # fits


async def test_a_slow_device_times_out_and_recovers() -> None:
    simulator = FeneconHomeSimulator("127.0.0.1", 0, slow_delay=0.5)
    await simulator.start()
    line = ModbusLine(
        TcpSettings("127.0.0.1", simulator.port), poll_interval=0.05, timeout=0.1,
        backoff_min=0.05, backoff_max=0.2,
    )  # fmt: skip
    inverter = Reader(35180, 5)
    device = line.attach(247, inverter)
    await line.start()
    try:
        await until(lambda: inverter.poll_index >= 1)
        await simulator.set_faults(HomeFault.SLOW)
        await until(lambda: device.failed)
        assert "read 35180+5" in device.last_error
        await simulator.set_faults()
        await until(lambda: not device.failed)
    finally:
        await line.stop()
        await simulator.stop()
