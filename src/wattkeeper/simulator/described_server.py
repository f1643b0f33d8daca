"""`wattkeeper simulate-device --model <kind>`: a described device on a Modbus/TCP port, each
of its units (by the description's unit ids) served from one `DescribedDevice`."""

from __future__ import annotations

import asyncio
import functools
import logging
from collections.abc import Iterable

from pymodbus.constants import ExcCodes
from pymodbus.server import ModbusTcpServer
from pymodbus.simulator import DataType, SimData, SimDevice

from wattkeeper.core.clock import SystemClock
from wattkeeper.protocols.described.model import load
from wattkeeper.simulator.described_device import DescribedDevice, ModbusRefusal, VendorFault
from wattkeeper.simulator.faults import MonotonicClock, run_until_cancelled
from wattkeeper.simulator.listening import listen, shut_down

log = logging.getLogger(__name__)

_INPUT = 4


class VendorSimulator:
    """Start with `await start()`; `port` is the bound port (pass port=0 for a free one)."""

    def __init__(
        self,
        kind: str,
        host: str = "127.0.0.1",
        port: int = 0,
        *,
        clock: MonotonicClock | None = None,
        faults: Iterable[VendorFault] = (),
        load_w: float = 600.0,
        pv_w: float = 0.0,
        initial_soc: float = 50.0,
        latency: float = 0.0,
    ) -> None:
        self.description = load(kind)
        self.host, self.port = host, port
        self.clock: MonotonicClock = clock or SystemClock()
        self.device = DescribedDevice(
            self.description, self.clock, load_w=load_w, pv_w=pv_w, initial_soc=initial_soc
        )
        self.device.faults = set(faults)
        self.latency = latency  # seconds added to every answer (benchmarks)
        self.requests = 0
        self._server: ModbusTcpServer | None = None

    @property
    def running(self) -> bool:
        return self._server is not None

    async def start(self) -> None:
        if self._server is not None or VendorFault.DISCONNECT in self.device.faults:
            return
        devices = []
        for role, unit in self.description.units.items():
            start, count = self.device.span(role)
            block = SimData(start, count=count, values=0, datatype=DataType.REGISTERS)
            action = functools.partial(self._action, role)
            devices.append(SimDevice(unit, simdata=[block], action=action))
        server = ModbusTcpServer(devices, address=(self.host, self.port))
        self.port = await listen(server, self.host, self.port)
        self._server = server

    async def stop(self) -> None:
        server, self._server = self._server, None
        await shut_down(server)

    async def set_faults(self, *faults: VendorFault) -> None:
        """Replace the active faults; `disconnect` closes the port, clearing it re-opens."""
        self.device.faults = set(faults)
        if VendorFault.DISCONNECT in self.device.faults:
            await self.stop()
        elif self._server is None:
            await self.start()

    async def _action(
        self,
        role: str,
        function_code: int,
        start_address: int,
        address: int,
        count: int,
        registers: list[int],
        set_values: list[int] | list[bool] | None,
    ) -> ExcCodes | None:
        self.requests += 1
        if self.latency:
            await asyncio.sleep(self.latency)
        try:
            if set_values is None:
                offset = address - start_address
                registers[offset : offset + count] = self.device.read(
                    role, address, count, function_code == _INPUT
                )
            else:
                self.device.write(role, address, [int(v) for v in set_values])
        except ModbusRefusal as refusal:
            log.info("simulator: %s", refusal)
            return ExcCodes(refusal.code)
        return None


async def serve_vendor(
    kind: str,
    host: str,
    port: int,
    faults: Iterable[VendorFault] = (),
    *,
    load_w: float = 600.0,
    pv_w: float = 0.0,
    fault_period: float = 0.0,
) -> None:
    """Run the simulator until cancelled (Ctrl-C)."""
    chosen = tuple(faults)
    simulator = VendorSimulator(kind, host, port, faults=chosen, load_w=load_w, pv_w=pv_w)
    await simulator.start()
    units = ", ".join(f"{role} unit {unit}" for role, unit in simulator.description.units.items())
    log.info(
        "%s simulator (%s) on %s:%d: %s%s",
        kind,
        simulator.description.products,
        host,
        simulator.port,
        units,
        f", faults: {', '.join(f.value for f in chosen)}" if chosen else "",
    )
    await run_until_cancelled(simulator, chosen, fault_period)
