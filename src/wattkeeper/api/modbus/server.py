"""The Modbus/TCP API's server: asyncio connections, pymodbus's framing and PDUs, bounded cost.

Each request is answered inside `data_received` from the process image (no task, no await), so
a client costs the event loop one bounded piece of work per frame: at most 125 registers read or
123 written, frames of at most 260 bytes, a request rate per connection, a connection limit, an
allow-list of client addresses and an idle timeout. pymodbus frames and encodes the PDUs; its own
server is not used because it offers no hook for the connection limit, the allow-list or the
client's address per request (ADR 0140).
"""

from __future__ import annotations

import asyncio
import ipaddress
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from pymodbus.constants import ExcCodes
from pymodbus.framer import FramerSocket
from pymodbus.pdu import DecodePDU, ExceptionResponse, ModbusPDU
from pymodbus.pdu.register_message import (
    ReadHoldingRegistersResponse,
    ReadInputRegistersResponse,
    WriteMultipleRegistersResponse,
    WriteSingleRegisterResponse,
)

from wattkeeper.api.modbus.image import IllegalAddress, ProcessImage
from wattkeeper.api.modbus.writes import Refused, RegisterWriter
from wattkeeper.protocols.openems_modbus import MAX_READ_REGISTERS, MAX_WRITE_REGISTERS

log = logging.getLogger(__name__)
_PYMODBUS_LOG = logging.getLogger("pymodbus.logging")

MBAP = 7  # transaction id, protocol id, length, unit id
MAX_LENGTH = 254  # the MBAP length field: unit id + a PDU of at most 253 bytes
UNIT_IDS = frozenset({0, 1, 255})  # OpenEMS serves unit 1; 0 and 255 mean "the server" on TCP
READ, READ_INPUT, WRITE_SINGLE, WRITE_MULTIPLE = 3, 4, 6, 16
IDLE_TIMEOUT = 60.0  # OpenEMS's MAX_IDLE_SECONDS: a silent client gives its slot back
RATE = 100.0  # requests per second and connection, sustained
BURST = 50  # requests a connection may send at once


@dataclass
class ServerLimits:
    max_connections: int = 5
    #: client addresses or networks allowed to connect; empty: every address
    allowed: tuple[str, ...] = ()
    rate: float = RATE
    burst: int = BURST
    idle_timeout: float = IDLE_TIMEOUT

    def networks(self) -> list[ipaddress.IPv4Network | ipaddress.IPv6Network]:
        return [ipaddress.ip_network(entry, strict=False) for entry in self.allowed]


@dataclass
class ServerState:
    """What the server shares with its connections (swapped when the configuration changes)."""

    image: ProcessImage
    writer: RegisterWriter | None  # None: the read-only API
    limits: ServerLimits
    monotonic: Callable[[], float]
    connections: set[ModbusConnection] = field(default_factory=set)
    refused: int = 0
    requests: int = 0
    _noted: set[str] = field(default_factory=set)

    def note(self, remote: str, message: str) -> None:
        """Log a client's refusal once per address (then at debug): a client in a loop must
        not fill the log."""
        if remote in self._noted:
            log.debug("Modbus/TCP %s: %s", remote, message)
            return
        if len(self._noted) >= 256:
            self._noted.clear()
        self._noted.add(remote)
        log.info("Modbus/TCP %s: %s (further ones are logged at debug level)", remote, message)


class ModbusConnection(asyncio.Protocol):
    def __init__(self, state: ServerState) -> None:
        self.state = state
        self.transport: asyncio.Transport | None = None
        self.remote = ""
        self._buffer = bytearray()
        self._framer = FramerSocket(DecodePDU(is_server=True))
        self._tokens = float(state.limits.burst)
        self._last = state.monotonic()
        self._idle: asyncio.TimerHandle | None = None
        self._resume: asyncio.TimerHandle | None = None

    # -- connection ----------------------------------------------------------------------------
    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self.transport = transport
        peer = transport.get_extra_info("peername")
        self.remote = str(peer[0]) if peer else ""
        refusal = self._refusal()
        if refusal:
            self.state.refused += 1
            self.state.note(self.remote, f"connection refused: {refusal}")
            transport.abort()
            return
        self.state.connections.add(self)
        self._arm_idle()

    def _refusal(self) -> str:
        limits = self.state.limits
        networks = limits.networks()
        if networks:
            try:
                address = ipaddress.ip_address(self.remote.split("%")[0])
            except ValueError:
                return "no client address"
            if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
                address = address.ipv4_mapped
            if not any(address in network for network in networks):
                return "not in the allowed client addresses"
        if len(self.state.connections) >= limits.max_connections:
            return f"{limits.max_connections} connections are open already"
        return ""

    def connection_lost(self, exc: Exception | None) -> None:
        self.state.connections.discard(self)
        for handle in (self._idle, self._resume):
            if handle is not None:
                handle.cancel()
        if self.state.writer is not None:
            self.state.writer.forget(self)

    def _arm_idle(self) -> None:
        if self._idle is not None:
            self._idle.cancel()
        loop = asyncio.get_running_loop()
        self._idle = loop.call_later(self.state.limits.idle_timeout, self._close)

    def _close(self) -> None:
        if self.transport is not None:
            self.transport.close()

    # -- frames --------------------------------------------------------------------------------
    def data_received(self, data: bytes) -> None:
        self._buffer += data
        self._arm_idle()
        self._drain()

    def _drain(self) -> None:
        transport = self.transport
        while transport is not None and not transport.is_closing() and len(self._buffer) >= MBAP:
            protocol = int.from_bytes(self._buffer[2:4], "big")
            length = int.from_bytes(self._buffer[4:6], "big")
            if protocol != 0 or not 2 <= length <= MAX_LENGTH:
                # not Modbus/TCP: nothing after it can be trusted to be framed right
                self.state.note(self.remote, "not a Modbus/TCP frame; connection closed")
                transport.abort()
                return
            size = 6 + length
            if len(self._buffer) < size:
                return
            if not self._take_token():
                return  # resumed by a timer: the rest of the buffer waits its turn
            frame = bytes(self._buffer[:size])
            del self._buffer[:size]
            answer = self._answer(frame)
            if answer:
                transport.write(answer)

    def _take_token(self) -> bool:
        now = self.state.monotonic()
        limits = self.state.limits
        self._tokens = min(limits.burst, self._tokens + (now - self._last) * limits.rate)
        self._last = now
        if self._tokens >= 1:
            self._tokens -= 1
            return True
        if self.transport is not None and self._resume is None:
            self.transport.pause_reading()
            wait = (1 - self._tokens) / limits.rate
            self._resume = asyncio.get_running_loop().call_later(wait, self._resumed)
        return False

    def _resumed(self) -> None:
        self._resume = None
        if self.transport is not None and not self.transport.is_closing():
            self.transport.resume_reading()
            self._drain()

    def _answer(self, frame: bytes) -> bytes:
        self.state.requests += 1
        _, unit, tid, pdu_bytes = self._framer.decode(frame)
        function = pdu_bytes[0]
        if unit not in UNIT_IDS:
            return self._frame(ExceptionResponse(function, ExcCodes.GATEWAY_NO_RESPONSE), unit, tid)
        if function not in (READ, READ_INPUT, WRITE_SINGLE, WRITE_MULTIPLE):
            return self._frame(ExceptionResponse(function, ExcCodes.ILLEGAL_FUNCTION), unit, tid)
        request = self._framer.decoder.decode(pdu_bytes) if _sized(function, pdu_bytes) else None
        if request is None:  # a known function with a body that does not parse
            return self._frame(ExceptionResponse(function, ExcCodes.ILLEGAL_VALUE), unit, tid)
        try:
            response = self._handle(function, request)
        except IllegalAddress as error:
            log.debug("Modbus/TCP %s: %s", self.remote, error)
            response = ExceptionResponse(function, ExcCodes.ILLEGAL_ADDRESS)
        except Refused as error:
            self.state.note(self.remote, f"request refused: {error}")
            response = ExceptionResponse(function, error.code)
        return self._frame(response, unit, tid)

    def _handle(self, function: int, request: Any) -> ModbusPDU:
        address, count = int(request.address), int(request.count)
        if function in (READ, READ_INPUT):
            if not 1 <= count <= MAX_READ_REGISTERS or address + count > 0x10000:
                raise Refused(f"cannot read {count} registers", ExcCodes.ILLEGAL_VALUE)
            registers = self.state.image.read(address, count)
            kind = ReadHoldingRegistersResponse if function == READ else ReadInputRegistersResponse
            return kind(registers=registers)
        values = [int(word) for word in request.registers]
        if not 1 <= len(values) <= MAX_WRITE_REGISTERS or address + len(values) > 0x10000:
            raise Refused(f"cannot write {len(values)} registers", ExcCodes.ILLEGAL_VALUE)
        writer = self.state.writer
        if writer is None:
            raise Refused(
                "this is the read-only Modbus/TCP API: install App.Api.ModbusTcp.ReadWrite",
                ExcCodes.ILLEGAL_FUNCTION,
            )
        writer.write(self, self.remote, address, values)
        if function == WRITE_SINGLE:
            return WriteSingleRegisterResponse(address=address, registers=values)
        return WriteMultipleRegistersResponse(address=address, count=len(values))

    def _frame(self, response: ModbusPDU, unit: int, tid: int) -> bytes:
        response.dev_id = unit
        response.transaction_id = tid
        return self._framer.buildFrame(response)


def _sized(function: int, pdu: bytes) -> bool:
    """The PDU is exactly as long as its function says (pymodbus reads past a lying count)."""
    if function == WRITE_MULTIPLE:
        return (
            len(pdu) >= 6
            and len(pdu) == 6 + pdu[5]
            and pdu[5] == 2 * int.from_bytes(pdu[3:5], "big")
        )
    return len(pdu) == 5


class ModbusTcpApiServer:
    """One listening socket of the Modbus/TCP API."""

    def __init__(self, state: ServerState, host: str, port: int) -> None:
        self.state = state
        self.host = host
        self.port = port
        self._server: asyncio.Server | None = None

    async def start(self) -> int:
        if _PYMODBUS_LOG.level == logging.NOTSET:
            # pymodbus logs every frame it cannot decode: a client could fill the log (ADR 0030)
            _PYMODBUS_LOG.setLevel(logging.CRITICAL)
        loop = asyncio.get_running_loop()
        self._server = await loop.create_server(
            lambda: ModbusConnection(self.state), self.host, self.port
        )
        self.port = int(self._server.sockets[0].getsockname()[1])
        return self.port

    async def stop(self) -> None:
        server = self._server
        self._server = None
        if server is None:
            return
        server.close()
        for connection in list(self.state.connections):
            if connection.transport is not None:
                connection.transport.abort()
        await server.wait_closed()
