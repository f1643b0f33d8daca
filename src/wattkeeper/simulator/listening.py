"""Starting and stopping a simulator's pymodbus server: one wording for a port that cannot be
bound, and the port the system chose for port 0."""

from __future__ import annotations

import asyncio

from pymodbus.server import ModbusSerialServer, ModbusTcpServer

from wattkeeper.core.errors import ConfigError


async def listen(server: ModbusTcpServer, host: str, port: int) -> int:
    """Serve in the background; the port it listens on, or ConfigError saying why it cannot."""
    try:
        await server.serve_forever(background=True)
    except RuntimeError:  # pymodbus's only word for a failed bind
        raise ConfigError(
            f"cannot listen on {host}:{port}: the port is in use or the address "
            "is not one of this machine's (choose another with --port / --host)"
        ) from None
    return bound_port(server, port)


def bound_port(server: ModbusTcpServer, port: int) -> int:
    """The port a TCP server listens on (port 0: the one the system chose)."""
    sockets = getattr(server.transport, "sockets", None)
    return int(sockets[0].getsockname()[1]) if sockets else port


async def shut_down(server: ModbusTcpServer | ModbusSerialServer | None) -> None:
    if server is not None:
        await server.shutdown()  # type: ignore[no-untyped-call]
        await asyncio.sleep(0)
