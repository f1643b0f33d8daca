"""The Modbus/TCP bridge: error translation, prompt writes, reconnect with backoff."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import AsyncIterator, Sequence

import pytest

from wattkeeper.bridges.modbus_tcp import (
    ModbusClient,
    ModbusExceptionResponse,
    ModbusTcpBridge,
    RegisterIO,
)
from wattkeeper.core.errors import DeviceError
from wattkeeper.simulator.clock import ManualClock
from wattkeeper.simulator.devices import Fault
from wattkeeper.simulator.server import DeviceSimulator
from wattkeeper.testing.eventually import eventually
from wattkeeper.testing.fake_clock import FakeClock

STORAGE_AT = 40122


@pytest.fixture
async def simulator() -> AsyncIterator[DeviceSimulator]:
    simulator = DeviceSimulator("127.0.0.1", 0, clock=ManualClock(), slow_delay=0.3)
    await simulator.start()
    yield simulator
    await simulator.stop()


def closed_port() -> int:
    """A loopback port nobody listens on (bound, then released)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class Recorder:
    """A session that reads the SunSpec marker each poll."""

    def __init__(self) -> None:
        self.connects = 0
        self.polls: list[list[int]] = []

    async def on_connect(self, io: RegisterIO) -> None:
        self.connects += 1

    async def poll(self, io: RegisterIO) -> None:
        self.polls.append(await io.read(40000, 2))


async def test_client_reads_writes_and_translates_errors(simulator: DeviceSimulator) -> None:
    client = ModbusClient("127.0.0.1", simulator.port, 1, timeout=0.2)
    await client.connect()
    try:
        assert await client.read(40000, 2) == [0x5375, 0x6E53]
        await client.write(STORAGE_AT + 15, [30])
        assert simulator.battery.rvrt_tms == 30
        with pytest.raises(ModbusExceptionResponse) as refused:
            await client.read(0, 2)
        assert refused.value.code == 2  # illegal data address
        with pytest.raises(ModbusExceptionResponse):
            await client.write(STORAGE_AT + 8, [1])  # read-only ChaState
        assert client.connected  # an exception answer keeps the connection
        await simulator.set_faults(Fault.SLOW)
        with pytest.raises(DeviceError):
            await client.read(40000, 2)
        assert not client.connected  # a timeout closes it: no late answer is mistaken
    finally:
        client.close()


async def test_connect_refused_is_a_device_error() -> None:
    client = ModbusClient("127.0.0.1", closed_port(), 1, timeout=0.2)
    with pytest.raises(DeviceError, match="cannot connect"):
        await client.connect()
    with pytest.raises(DeviceError, match="not connected"):
        await client.read(40000, 2)


async def test_bridge_polls_and_writes_at_once(simulator: DeviceSimulator) -> None:
    session = Recorder()
    bridge = ModbusTcpBridge(
        "127.0.0.1", simulator.port, 1, session, poll_interval=10.0, timeout=0.2
    )
    await bridge.start()
    try:
        await bridge.next_poll()
        assert session.polls == [[0x5375, 0x6E53]] and session.connects == 1
        results: list[DeviceError | None] = []
        loop = asyncio.get_running_loop()
        started = loop.time()
        bridge.queue_write(STORAGE_AT + 15, [10])
        bridge.queue_write(STORAGE_AT + 15, [20], results.append)  # replaces the first
        await bridge.flush(timeout=1.0)  # far less than the 10 s poll interval
        assert loop.time() - started < 1.0
        assert results == [None]
        assert simulator.battery.rvrt_tms == 20
        assert len(session.polls) == 1  # writing did not trigger a poll
    finally:
        await bridge.stop()


class RecordingClock(FakeClock):
    """A fake clock that notes every wait asked of it: the bridge's schedule, exactly."""

    def __init__(self) -> None:
        super().__init__()
        self.waits: list[float] = []

    async def wait(self, event: asyncio.Event, timeout: float) -> bool:
        self.waits.append(round(timeout, 6))
        return await super().wait(event, timeout)


async def test_bridge_reconnects_with_backoff(simulator: DeviceSimulator) -> None:
    clock = RecordingClock()
    session = Recorder()
    bridge = ModbusTcpBridge(
        "127.0.0.1",
        simulator.port,
        1,
        session,
        clock=clock,
        poll_interval=0.5,
        timeout=0.1,
        backoff_min=0.02,
        backoff_max=0.16,
    )
    await bridge.start()
    try:
        await eventually(lambda: clock.waits == [0.5])  # polled once, now waits the interval
        assert bridge.polls == 1
        await simulator.set_faults(Fault.DISCONNECT)
        clock.advance(0.51)
        await eventually(lambda: bridge.failed and len(clock.waits) == 2)
        dropped: list[DeviceError | None] = []
        bridge.queue_write(STORAGE_AT + 15, [5], dropped.append)
        assert len(dropped) == 1 and isinstance(dropped[0], DeviceError)
        requests, attempts = simulator.requests, bridge.connect_attempts
        # the backoff doubles from its minimum up to its maximum: 0.02, 0.04, 0.08, 0.16, 0.16
        for tries, backoff in enumerate([0.02, 0.04, 0.08, 0.16, 0.16], start=1):
            assert clock.waits[-1] == backoff
            clock.advance(backoff - 0.001)  # not yet: no new attempt before the backoff is over
            for _ in range(20):
                await asyncio.sleep(0)
            assert bridge.connect_attempts == attempts + tries - 1
            clock.advance(0.002)
            await eventually(lambda n=tries: len(clock.waits) == 2 + n)
            assert bridge.connect_attempts == attempts + tries and bridge.failed
        assert clock.waits[-1] == 0.16  # capped at backoff_max
        assert simulator.requests == requests  # the port is closed: nothing reached it
        await simulator.set_faults()
        clock.advance(0.17)
        await eventually(lambda: bridge.polls == 2)
        assert not bridge.failed
        assert session.connects == 2  # the session's on_connect ran again
        await eventually(lambda: clock.waits[-1] == 0.5)  # back to the poll interval
    finally:
        await bridge.stop()


class Failing:
    async def on_connect(self, io: RegisterIO) -> None:
        pass

    async def poll(self, io: RegisterIO) -> None:
        raise RuntimeError("bug in a session")


async def test_bug_in_a_session_does_not_kill_the_task(simulator: DeviceSimulator) -> None:
    bridge = ModbusTcpBridge(
        "127.0.0.1", simulator.port, 1, Failing(), poll_interval=0.02, timeout=0.1
    )
    await bridge.start()
    try:
        async with asyncio.timeout(2):
            while not bridge.failed:
                await asyncio.sleep(0.01)
        assert "bug in a session" in bridge.last_error
    finally:
        await bridge.stop()


async def test_stop_writes_final_values(simulator: DeviceSimulator) -> None:
    bridge = ModbusTcpBridge("127.0.0.1", simulator.port, 1, Recorder(), timeout=0.2)
    await bridge.start()
    await bridge.next_poll()
    finals: Sequence[tuple[int, Sequence[int]]] = [(STORAGE_AT + 15, [7])]
    await bridge.stop(finals)
    assert simulator.battery.rvrt_tms == 7


async def test_stop_is_prompt_even_with_a_request_in_flight(simulator: DeviceSimulator) -> None:
    bridge = ModbusTcpBridge(
        "127.0.0.1", simulator.port, 1, Recorder(), poll_interval=0.01, timeout=0.1
    )
    await bridge.start()
    await bridge.next_poll()
    await simulator.set_faults(Fault.SLOW)  # 0.3 s per answer: requests time out
    await asyncio.sleep(0.05)  # a poll is now waiting for its answer
    loop = asyncio.get_running_loop()
    started = loop.time()
    await bridge.stop([(STORAGE_AT + 15, [9])])
    assert loop.time() - started < 1.0
    assert simulator.battery.rvrt_tms != 9  # no final write on a failing connection


async def test_stop_without_start_is_harmless() -> None:
    bridge = ModbusTcpBridge("127.0.0.1", closed_port(), 1, Recorder())
    await bridge.stop()
