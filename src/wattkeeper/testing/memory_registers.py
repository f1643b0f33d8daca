"""An in-memory register transport: a driver or a bridge talks to a dict of registers, no socket."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from wattkeeper.bridges.modbus_tcp import ModbusExceptionResponse
from wattkeeper.core.errors import DeviceError

ILLEGAL_DATA_ADDRESS = 2


class MemoryRegisters:
    """Holding and input registers in dicts, served the way a Modbus device answers.

    It is both a session's `RegisterIO` (`read`, `read_input`, `write`: a session may use it
    directly, no `connect()` needed) and a bridge's `RegisterClient` (`connect`, `close`,
    `connected`; put it in `bridge.client`, which connects before its first poll). An address
    not in the map answers exception 2 as a device does; `offline = True` makes every connect
    and request fail with DeviceError (a device that is gone). `requests` logs every call."""

    def __init__(
        self,
        holding: Mapping[int, int] | None = None,
        input_registers: Mapping[int, int] | None = None,
        *,
        read_only: Sequence[int] = (),
    ) -> None:
        self.holding = dict(holding or {})
        self.input = dict(input_registers or {})
        self.read_only = set(read_only)
        self.offline = False
        self.timeout = 0.1
        self.requests: list[tuple[str, int, int]] = []
        self._connected = False

    def put(self, address: int, words: Sequence[int], *, input_registers: bool = False) -> None:
        """Place `words` from `address` on, in the holding (or input) registers."""
        (self.input if input_registers else self.holding).update(self.block(address, words))

    @staticmethod
    def block(address: int, words: Sequence[int]) -> dict[int, int]:
        """`words` placed from `address` on: {address: words[0], address + 1: words[1], ...}."""
        return {address + i: word & 0xFFFF for i, word in enumerate(words)}

    # -- RegisterClient ------------------------------------------------------------------------
    @property
    def connected(self) -> bool:
        return self._connected and not self.offline

    async def connect(self) -> None:
        if self.offline:
            raise DeviceError("cannot connect to memory registers: offline")
        self._connected = True

    def close(self) -> None:
        self._connected = False

    async def read(self, address: int, count: int, *, input_registers: bool = False) -> list[int]:
        self._require("read" if not input_registers else "read_input", address, count)
        table = self.input if input_registers else self.holding
        missing = [a for a in range(address, address + count) if a not in table]
        if missing:
            raise ModbusExceptionResponse(
                f"read {address}+{count}: no register {missing[0]}", ILLEGAL_DATA_ADDRESS
            )
        return [table[a] for a in range(address, address + count)]

    async def write(self, address: int, values: Sequence[int]) -> None:
        self._require("write", address, len(values))
        span = range(address, address + len(values))
        refused = [a for a in span if a not in self.holding or a in self.read_only]
        if refused:
            raise ModbusExceptionResponse(
                f"write {address}: register {refused[0]} not writable", ILLEGAL_DATA_ADDRESS
            )
        for a, value in zip(span, values, strict=True):
            self.holding[a] = value & 0xFFFF

    # -- RegisterIO (a session's view) ---------------------------------------------------------
    async def read_input(self, address: int, count: int) -> list[int]:
        return await self.read(address, count, input_registers=True)

    def _require(self, kind: str, address: int, count: int) -> None:
        self.requests.append((kind, address, count))
        if self.offline:
            self._connected = False
            raise DeviceError(f"{kind} {address}+{count}: no answer (offline)")
