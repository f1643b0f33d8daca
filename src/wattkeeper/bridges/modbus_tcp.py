"""Modbus/TCP bridge: one connection per device, polled and written by a task of its own.

The cycle is synchronous and never waits for a device. A device driver hands this bridge a
`DeviceSession` (what to do once connected, what to read each poll) and queues writes; the
bridge's task does the I/O:

* connect, then `session.on_connect(io)` (e.g. SunSpec discovery), then poll every
  `poll_interval` seconds with `session.poll(io)`;
* queued writes go out at once: a write wakes the task, and every read first flushes what
  is queued, so a write waits at most for one request in flight;
* every request has its own timeout; after a timeout or a lost connection the connection is
  closed (a late answer must never be taken for the next one) and re-opened with
  exponential backoff;
* pymodbus exceptions become `DeviceError` here, at this one boundary.

The driver reads the session's latest results in `before_process_image`, and the bridge's
`failed`/`last_error`/`last_ok` say whether those are fresh.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Sequence
from typing import Protocol

from pymodbus.client import AsyncModbusTcpClient
from pymodbus.exceptions import ModbusException
from pymodbus.pdu import ExceptionResponse

from wattkeeper.bridges.write_queue import WriteDone, WriteQueue, elsewhere
from wattkeeper.core.clock import Clock, SystemClock
from wattkeeper.core.errors import DeviceError

log = logging.getLogger(__name__)

# pymodbus logs every refused connect and every timeout (with frame dumps) at WARNING or
# ERROR, each time. The bridge translates those into DeviceError and the component reports
# a failure once, on the transition; so pymodbus' own logger is quietened, unless the
# operator set a level for it explicitly.
_PYMODBUS_LOG = logging.getLogger("pymodbus.logging")

MAX_READ = 125  # registers per read request (Modbus limit)


class ModbusExceptionResponse(DeviceError):
    """The device answered with a Modbus exception (e.g. 2: illegal data address)."""

    def __init__(self, message: str, code: int) -> None:
        super().__init__(message)
        self.code = code


class RegisterIO(Protocol):
    """Register access as a session sees it; every call may raise DeviceError."""

    async def read(self, address: int, count: int) -> list[int]:
        """Holding registers (function 3)."""
        ...

    async def read_input(self, address: int, count: int) -> list[int]:
        """Input registers (function 4)."""
        ...

    async def write(self, address: int, values: Sequence[int]) -> None:
        """Holding registers (function 16)."""
        ...


class DeviceSession(Protocol):
    """What a driver does over a connection; called by the bridge's task only."""

    async def on_connect(self, io: RegisterIO) -> None:
        """Once per new connection, before the first poll (discovery, static data)."""
        ...

    async def poll(self, io: RegisterIO) -> None:
        """Read what the driver needs and keep it as the latest result."""
        ...


class RegisterClient(Protocol):
    """The bridge's transport: one connection to one unit; errors are DeviceError.

    `ModbusClient` below speaks Modbus/TCP; tests may give a bridge an in-memory one
    (wattkeeper.testing.memory_registers)."""

    timeout: float

    @property
    def connected(self) -> bool: ...

    async def connect(self) -> None: ...

    def close(self) -> None: ...

    async def read(
        self, address: int, count: int, *, input_registers: bool = False
    ) -> list[int]: ...

    async def write(self, address: int, values: Sequence[int]) -> None: ...


class ModbusClient:
    """A pymodbus client for one (host, port, unit), translating its errors to DeviceError."""

    def __init__(self, host: str, port: int, unit: int, timeout: float) -> None:
        self.host, self.port, self.unit, self.timeout = host, port, unit, timeout
        self._client: AsyncModbusTcpClient | None = None

    @property
    def connected(self) -> bool:
        return self._client is not None and self._client.connected

    def _where(self) -> str:
        return f"{self.host}:{self.port} unit {self.unit}"

    async def connect(self) -> None:
        self.close()
        # pymodbus' own reconnect is off (reconnect_delay=0): the bridge decides when to retry
        client = AsyncModbusTcpClient(
            self.host, port=self.port, timeout=self.timeout, retries=0, reconnect_delay=0
        )
        try:
            async with asyncio.timeout(self.timeout * 2):
                ok = await client.connect()
        except (TimeoutError, OSError, ModbusException) as error:
            client.close()
            raise DeviceError(f"cannot connect to {self._where()}: {error}") from error
        if not ok:
            client.close()
            raise DeviceError(f"cannot connect to {self._where()}")
        self._client = client

    def close(self) -> None:
        if self._client is not None:
            self._client.close()
            self._client = None

    async def read(self, address: int, count: int, *, input_registers: bool = False) -> list[int]:
        client = self._require()
        request = client.read_input_registers if input_registers else client.read_holding_registers
        try:
            async with asyncio.timeout(self.timeout * 2):
                response = await request(address, count=count, device_id=self.unit)
        except (TimeoutError, OSError, ModbusException) as error:
            self.close()
            raise DeviceError(f"read {address}+{count} from {self._where()}: {error}") from error
        if isinstance(response, ExceptionResponse) or response.isError():
            code = int(getattr(response, "exception_code", 0))
            raise ModbusExceptionResponse(
                f"read {address}+{count} from {self._where()}: exception code {code}", code
            )
        registers = list(response.registers)
        if len(registers) < count:
            raise DeviceError(f"read {address}+{count}: got {len(registers)} registers")
        return registers[:count]

    async def write(self, address: int, values: Sequence[int]) -> None:
        client = self._require()
        try:
            async with asyncio.timeout(self.timeout * 2):
                response = await client.write_registers(address, list(values), device_id=self.unit)
        except (TimeoutError, OSError, ModbusException) as error:
            self.close()
            raise DeviceError(f"write {address} to {self._where()}: {error}") from error
        if isinstance(response, ExceptionResponse) or response.isError():
            code = int(getattr(response, "exception_code", 0))
            raise ModbusExceptionResponse(
                f"write {address} to {self._where()}: exception code {code}", code
            )

    def _require(self) -> AsyncModbusTcpClient:
        if self._client is None or not self._client.connected:
            self.close()
            raise DeviceError(f"not connected to {self._where()}")
        return self._client


class ModbusTcpBridge:
    """Connection, polling and writing for one device, run by one asyncio task."""

    def __init__(
        self,
        host: str,
        port: int,
        unit: int,
        session: DeviceSession,
        *,
        clock: Clock | None = None,
        poll_interval: float = 1.0,
        timeout: float = 0.5,
        backoff_min: float = 0.2,
        backoff_max: float = 30.0,
        name: str = "",
    ) -> None:
        if _PYMODBUS_LOG.level == logging.NOTSET:
            _PYMODBUS_LOG.setLevel(logging.CRITICAL)
        self.client: RegisterClient = ModbusClient(host, port, unit, timeout)
        self.session = session
        self.clock: Clock = clock or SystemClock()
        self.poll_interval = poll_interval
        self.backoff_min = backoff_min
        self.backoff_max = backoff_max
        self.name = name or f"{host}:{port}/{unit}"
        #: True after a failure until the next complete poll.
        self.failed = False
        self.last_error = ""
        #: Monotonic time of the last complete poll (None: none yet).
        self.last_ok: float | None = None
        self.polls = 0
        self.connects = 0
        self.connect_attempts = 0
        self.started_at: float | None = None
        self._pending = WriteQueue()
        self._wake = asyncio.Event()
        self._polled = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._loop: asyncio.AbstractEventLoop | None = None  # where the task runs
        self._stopping = False
        self._io = _BridgeIO(self)

    # -- lifecycle --------------------------------------------------------------------------
    async def start(self) -> None:
        self._loop = asyncio.get_running_loop()
        if self._task is None:
            self._stopping = False
            self.started_at = self.clock.monotonic()
            self._task = asyncio.create_task(self._run(), name=f"modbus {self.name}")

    async def stop(self, final_writes: Sequence[tuple[int, Sequence[int]]] = ()) -> None:
        """Stop the task gracefully: a request in flight completes (or times out), then
        `final_writes` go out once if the connection is healthy (best effort)."""
        task, self._task = self._task, None
        if task is not None and not task.done():
            if final_writes and self.client.connected and not self.failed:
                for address, values in final_writes:
                    self._pending.put(address, values)
            self._stopping = True
            self._wake.set()
            try:
                # connect + a read + the final writes, each bounded by its timeout
                async with asyncio.timeout(6 * self.client.timeout + 0.5):
                    await asyncio.shield(task)
            except TimeoutError:
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await task
        self._stopping = True
        self.client.close()
        self._pending.drop(DeviceError("bridge stopped"))

    # -- writes -----------------------------------------------------------------------------
    def queue_write(
        self, address: int, values: Sequence[int], on_done: WriteDone | None = None
    ) -> None:
        """Write soon, from the task; a newer write to the same address replaces an older one.

        Never blocks. Without a connection the write is dropped (on_done gets the error):
        a setpoint must not be replayed late, the next cycle queues a fresh one. From another
        thread (the cycle's own, edge/cycle_thread.py) the write is handed to the bridge's loop.
        """
        if elsewhere(self._loop):
            assert self._loop is not None
            self._loop.call_soon_threadsafe(self.queue_write, address, values, on_done)
            return
        if self.failed or not self.client.connected:
            if on_done is not None:
                on_done(DeviceError(f"{self.name}: not connected"))
            return
        self._pending.put(address, values, on_done)
        self._wake.set()

    async def flush(self, timeout: float = 5.0) -> None:
        """Wait until every queued write has been written or dropped (tests, benchmarks)."""
        await self._pending.flush(timeout)

    async def next_poll(self, timeout: float = 5.0) -> None:
        """Wait for the next complete poll (tests, benchmarks)."""
        self._polled.clear()
        async with asyncio.timeout(timeout):
            await self._polled.wait()

    async def _flush_writes(self) -> None:
        await self._pending.write_all(self.client.write)

    # -- the task ---------------------------------------------------------------------------
    async def _run(self) -> None:
        backoff = self.backoff_min
        while not self._stopping:
            try:
                if not self.client.connected:
                    self.connect_attempts += 1
                    await self.client.connect()
                    self.connects += 1
                    await self.session.on_connect(self._io)
                started = self.clock.monotonic()
                await self._flush_writes()
                await self.session.poll(self._io)
                self._poll_succeeded()
                backoff = self.backoff_min
                rest = self.poll_interval - (self.clock.monotonic() - started)
                await self._wait(rest)
            except DeviceError as error:
                self._poll_failed(error)
                await self._wait(backoff, flush=False)
                backoff = min(backoff * 2, self.backoff_max)
            except Exception as error:  # a bug in a session must not kill the task silently
                log.exception("%s: unexpected error", self.name)
                self._poll_failed(DeviceError(f"{type(error).__name__}: {error}"))
                await self._wait(backoff, flush=False)
                backoff = min(backoff * 2, self.backoff_max)
        if self._pending and self.client.connected and not self.failed:
            try:
                await self._flush_writes()  # the final writes of stop()
            except DeviceError as error:
                log.info("%s: final write failed: %s", self.name, error)

    def _poll_succeeded(self) -> None:
        if self.failed:
            log.info("%s: communication restored", self.name)
        self.failed = False
        self.last_error = ""
        self.last_ok = self.clock.monotonic()
        self.polls += 1
        self._polled.set()

    def _poll_failed(self, error: DeviceError) -> None:
        if not self.failed:
            log.info("%s: %s", self.name, error)  # the component raises its state once
        self.failed = True
        self.last_error = str(error)
        if not isinstance(error, ModbusExceptionResponse):
            self.client.close()
        self._pending.drop(error)

    async def _wait(self, seconds: float, flush: bool = True) -> None:
        """Sleep `seconds` on the injected clock, writing queued writes at once if `flush`;
        returns early when the bridge stops."""
        deadline = self.clock.monotonic() + seconds
        while not self._stopping:
            rest = deadline - self.clock.monotonic()
            if rest <= 0:
                await asyncio.sleep(0)
                return
            self._wake.clear()
            if not (flush and self._pending) and not await self.clock.wait(self._wake, rest):
                return
            if flush and self._pending and not self._stopping:
                await self._flush_writes()


class _BridgeIO:
    """The RegisterIO a session gets: reads flush queued writes first."""

    def __init__(self, bridge: ModbusTcpBridge) -> None:
        self._bridge = bridge

    async def read(self, address: int, count: int) -> list[int]:
        await self._bridge._flush_writes()
        return await self._bridge.client.read(address, count)

    async def read_input(self, address: int, count: int) -> list[int]:
        await self._bridge._flush_writes()
        return await self._bridge.client.read(address, count, input_registers=True)

    async def write(self, address: int, values: Sequence[int]) -> None:
        await self._bridge.client.write(address, values)
