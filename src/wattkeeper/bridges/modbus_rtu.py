"""A shared Modbus line: several devices (unit ids) on one RS-485 port, or on one TCP
connection, polled one after the other by one asyncio task.

The semantics are those of the TCP bridge (`modbus_tcp.py`), per device:

* the cycle never waits: a device's driver reads its session's latest results and queues
  writes; the line's task does the I/O;
* per-device budget: each request has its own timeout; a device that fails is skipped until
  its backoff (exponential, `backoff_min`..`backoff_max`) has passed, so a silent device
  costs the line one timeout per backoff period and the other devices keep their period;
* after a timeout the port is closed and re-opened before the next request, so a late answer
  can never be taken for the answer to the next request;
* `failed` / `last_error` / `last_ok` per device; a failure is logged once and the recovery
  once (the component raises its state);
* the port itself (a serial adapter unplugged, a TCP peer gone) is re-opened with backoff;
  while it is closed every device on it counts as failed.

RTU needs a silent interval of 3.5 characters between frames; pymodbus' RTU framer keeps it.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from pymodbus.client import AsyncModbusSerialClient, AsyncModbusTcpClient
from pymodbus.exceptions import ModbusException

from wattkeeper.bridges.modbus_tcp import (
    _PYMODBUS_LOG,
    DeviceSession,
    ModbusClient,
    ModbusExceptionResponse,
)
from wattkeeper.bridges.write_queue import WriteDone, WriteQueue, elsewhere
from wattkeeper.core.clock import Clock, SystemClock
from wattkeeper.core.errors import DeviceError

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class SerialSettings:
    """An RS-485 adapter: device path and character format (FENECON: 9600 or 19200 8N1)."""

    port: str
    baudrate: int = 9600
    bytesize: int = 8
    parity: str = "N"
    stopbits: int = 1

    def describe(self) -> str:
        return f"{self.port} {self.baudrate} {self.bytesize}{self.parity}{self.stopbits}"


@dataclass(frozen=True)
class TcpSettings:
    """A Modbus/TCP gateway or device that answers for several unit ids."""

    host: str
    port: int = 502

    def describe(self) -> str:
        return f"{self.host}:{self.port}"


LineSettings = SerialSettings | TcpSettings


class LineClient(ModbusClient):
    """The pymodbus client of one line; the unit id is chosen per request."""

    def __init__(self, settings: LineSettings, timeout: float) -> None:
        host, port = (
            (settings.host, settings.port)
            if isinstance(settings, TcpSettings)
            else (settings.port, 0)
        )
        super().__init__(host, port, 0, timeout)
        self.settings = settings

    def _where(self) -> str:
        return f"{self.settings.describe()} unit {self.unit}"

    async def connect(self) -> None:
        self.close()
        settings = self.settings
        client: AsyncModbusTcpClient | AsyncModbusSerialClient
        if isinstance(settings, TcpSettings):
            client = AsyncModbusTcpClient(
                settings.host, port=settings.port, timeout=self.timeout, retries=0,
                reconnect_delay=0,
            )  # fmt: skip
        else:
            client = AsyncModbusSerialClient(
                settings.port,
                baudrate=settings.baudrate,
                bytesize=settings.bytesize,
                parity=settings.parity,
                stopbits=settings.stopbits,
                timeout=self.timeout,
                retries=0,
                reconnect_delay=0,
            )
        try:
            async with asyncio.timeout(self.timeout * 2):
                ok = await client.connect()
        except (TimeoutError, OSError, ModbusException) as error:
            client.close()
            raise DeviceError(f"cannot open {settings.describe()}: {error}") from error
        if not ok:
            client.close()
            raise DeviceError(f"cannot open {settings.describe()}")
        self._client = client  # type: ignore[assignment]


class LineDevice:
    """One unit id on a line: its session, queued writes and health.

    Has the attributes a `DeviceLink` reads from a TCP bridge (`failed`, `last_error`,
    `last_ok`, `started_at`, `polls`) and the same `queue_write`/`flush`/`next_poll`.
    """

    def __init__(self, line: ModbusLine, unit: int, session: DeviceSession, name: str) -> None:
        self.line = line
        self.unit = unit
        self.session = session
        self.name = name
        self.failed = False
        self.last_error = ""
        self.last_ok: float | None = None
        self.polls = 0
        self.attempts = 0
        self.started_at: float | None = None
        self.needs_connect = True  # run session.on_connect before the next poll
        self.backoff = line.backoff_min
        self.next_try = 0.0  # on the line's clock (monotonic)
        self._pending = WriteQueue()
        self._polled = asyncio.Event()

    @property
    def client(self) -> LineClient:
        return self.line.client

    def queue_write(
        self, address: int, values: Sequence[int], on_done: WriteDone | None = None
    ) -> None:
        """Write at this device's next turn; a newer write to the same address replaces an
        older one. Dropped at once (on_done gets the error) while the device is failed.
        From another thread (the cycle's own) it is handed to the line's loop."""
        loop = self.line.loop
        if elsewhere(loop):
            assert loop is not None
            loop.call_soon_threadsafe(self.queue_write, address, values, on_done)
            return
        if self.failed or not self.line.running:
            if on_done is not None:
                on_done(DeviceError(f"{self.name}: not connected"))
            return
        self._pending.put(address, values, on_done)

    async def flush(self, timeout: float = 5.0) -> None:
        await self._pending.flush(timeout)

    async def next_poll(self, timeout: float = 5.0) -> None:
        self._polled.clear()
        async with asyncio.timeout(timeout):
            await self._polled.wait()

    async def _flush_writes(self) -> None:
        client = self.line.client

        async def write(address: int, values: list[int]) -> None:
            client.unit = self.unit  # the line is shared: address this device each time
            await client.write(address, values)

        await self._pending.write_all(write)

    def _drop_pending(self, error: DeviceError) -> None:
        self._pending.drop(error)

    def succeeded(self, now: float) -> None:
        if self.failed:
            log.info("%s: communication restored", self.name)
        self.failed = False
        self.last_error = ""
        self.last_ok = now
        self.polls += 1
        self.backoff = self.line.backoff_min
        self._polled.set()

    def fail(self, error: DeviceError, now: float) -> None:
        if not self.failed:
            log.info("%s: %s", self.name, error)
        self.failed = True
        self.last_error = str(error)
        self.needs_connect = True
        self.next_try = now + self.backoff
        self.backoff = min(self.backoff * 2, self.line.backoff_max)
        self._drop_pending(error)


class _UnitIO:
    """The RegisterIO of one device: requests go to its unit id; reads flush writes first."""

    def __init__(self, device: LineDevice) -> None:
        self._device = device

    async def read(self, address: int, count: int) -> list[int]:
        await self._device._flush_writes()
        client = self._device.client
        client.unit = self._device.unit
        return await client.read(address, count)

    async def read_input(self, address: int, count: int) -> list[int]:
        await self._device._flush_writes()
        client = self._device.client
        client.unit = self._device.unit
        return await client.read(address, count, input_registers=True)

    async def write(self, address: int, values: Sequence[int]) -> None:
        client = self._device.client
        client.unit = self._device.unit
        await client.write(address, values)


class ModbusLine:
    """Polls every attached device in turn, every `poll_interval` seconds, on one port."""

    def __init__(
        self,
        settings: LineSettings,
        *,
        clock: Clock | None = None,
        poll_interval: float = 1.0,
        timeout: float = 0.3,
        backoff_min: float = 1.0,
        backoff_max: float = 30.0,
        name: str = "",
    ) -> None:
        if _PYMODBUS_LOG.level == logging.NOTSET:
            _PYMODBUS_LOG.setLevel(logging.CRITICAL)
        self.settings = settings
        self.client = LineClient(settings, timeout)
        self.clock: Clock = clock or SystemClock()
        self.poll_interval = poll_interval
        self.timeout = timeout
        self.backoff_min = backoff_min
        self.backoff_max = backoff_max
        self.name = name or settings.describe()
        self.devices: list[LineDevice] = []
        self.port_failed = False
        self.opens = 0
        self.rounds = 0
        #: Loop seconds the last complete round took (all devices), for benchmarks.
        self.last_round_s = 0.0
        self._task: asyncio.Task[None] | None = None
        self._stopping = False
        self._wake = asyncio.Event()
        self.loop: asyncio.AbstractEventLoop | None = None  # where the line's task runs
        self.on_round: Callable[[], None] | None = None

    @property
    def running(self) -> bool:
        return self._task is not None and not self._task.done()

    def attach(self, unit: int, session: DeviceSession, name: str = "") -> LineDevice:
        if any(d.unit == unit for d in self.devices):
            raise ValueError(f"{self.name}: unit {unit} is attached already")
        device = LineDevice(self, unit, session, name or f"{self.name} unit {unit}")
        self.devices.append(device)
        if self.running:
            device.started_at = self.clock.monotonic()
        return device

    def detach(self, device: LineDevice) -> None:
        if device in self.devices:
            self.devices.remove(device)
            device._drop_pending(DeviceError("detached"))

    async def start(self) -> None:
        self.loop = asyncio.get_running_loop()
        if self._task is None:
            self._stopping = False
            now = self.clock.monotonic()
            for device in self.devices:
                device.started_at = now
            self._task = asyncio.create_task(self._run(), name=f"modbus line {self.name}")

    async def stop(
        self, final_writes: Sequence[tuple[LineDevice, int, Sequence[int]]] = ()
    ) -> None:
        """Stop; `final_writes` go out once first if their device is healthy (best effort)."""
        task, self._task = self._task, None
        self._stopping = True
        self._wake.set()
        if task is not None and not task.done():
            try:
                async with asyncio.timeout(4 * self.timeout * max(len(self.devices), 1) + 0.5):
                    await asyncio.shield(task)
            except TimeoutError:
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await task
        for device, address, values in final_writes:
            if device.failed or device.last_ok is None:
                continue
            try:
                if not self.client.connected:
                    await self.client.connect()
                self.client.unit = device.unit
                await self.client.write(address, values)
            except DeviceError as error:
                log.info("%s: final write failed: %s", device.name, error)
        self.client.close()
        for device in self.devices:
            device._drop_pending(DeviceError("line stopped"))

    async def _open(self) -> bool:
        try:
            await self.client.connect()
        except DeviceError as error:
            if not self.port_failed:
                log.info("%s: %s", self.name, error)
            self.port_failed = True
            now = self.clock.monotonic()
            for device in self.devices:
                device.fail(error, now)
            return False
        if self.port_failed:
            log.info("%s: port open again", self.name)
        self.port_failed = False
        self.opens += 1
        return True

    async def _run(self) -> None:
        loop = asyncio.get_running_loop()
        port_backoff = self.backoff_min
        while not self._stopping:
            started = self.clock.monotonic()
            round_started = loop.time()  # what the round cost in real time, for benchmarks
            if not self.client.connected and not await self._open():
                await self._sleep(port_backoff)
                port_backoff = min(port_backoff * 2, self.backoff_max)
                continue
            port_backoff = self.backoff_min
            for device in list(self.devices):
                if self._stopping:
                    break
                if self.clock.monotonic() < device.next_try:
                    continue
                await self._serve(device)
            self.rounds += 1
            self.last_round_s = loop.time() - round_started
            if self.on_round is not None:
                self.on_round()
            await self._sleep(self.poll_interval - (self.clock.monotonic() - started))

    async def _serve(self, device: LineDevice) -> None:
        device.attempts += 1
        try:
            if not self.client.connected and not await self._open():
                return
            io = _UnitIO(device)
            if device.needs_connect:
                await device.session.on_connect(io)
                device.needs_connect = False
            await device._flush_writes()
            await device.session.poll(io)
            device.succeeded(self.clock.monotonic())
        except DeviceError as error:
            device.fail(error, self.clock.monotonic())
            if not isinstance(error, ModbusExceptionResponse):
                # a late answer must not be read as the answer to the next request
                self.client.close()
        except Exception as error:  # a bug in a session must not kill the line
            log.exception("%s: unexpected error", device.name)
            device.fail(DeviceError(f"{type(error).__name__}: {error}"), self.clock.monotonic())

    async def _sleep(self, seconds: float) -> None:
        if seconds <= 0:
            await asyncio.sleep(0)
            return
        self._wake.clear()
        await self.clock.wait(self._wake, seconds)
