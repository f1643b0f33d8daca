"""The FENECON Home simulator on one Modbus/TCP port or one serial line: unit 247 is the
GoodWe hybrid inverter, unit 1 the FENECON Home battery (both answer on the same bus, as
they would behind an RS-485 gateway; on the real box they are on two lines, see
docs/fenecon-home.md).

Faults (`HomeFault`), switched at run time with `set_faults`: `disconnect` closes the port,
`slow` delays every answer, `ignore-setpoints` acknowledges EMS writes without effect,
`bms-alarm` makes the BMS raise an over-temperature alarm and limit its current,
`battery-silent` leaves requests to unit 1 unanswered (the inverter keeps answering).
"""

from __future__ import annotations

import asyncio
import functools
import logging
import time
from collections.abc import Iterable

from pymodbus.constants import ExcCodes
from pymodbus.exceptions import NoSuchIdException
from pymodbus.server import ModbusSerialServer, ModbusTcpServer
from pymodbus.simulator import DataType, SimData, SimDevice

from wattkeeper.core.clock import SystemClock
from wattkeeper.protocols.fenecon_home import UNIT_ID as BATTERY_UNIT
from wattkeeper.protocols.goodwe.tables import UNIT_ID as INVERTER_UNIT
from wattkeeper.simulator.faults import MonotonicClock, WriteRefused, run_until_cancelled
from wattkeeper.simulator.fenecon.images import BatteryImage, Image, InverterImage
from wattkeeper.simulator.fenecon.physics import HomeBattery, HomeFault, HybridInverter
from wattkeeper.simulator.grid import Household
from wattkeeper.simulator.listening import bound_port, shut_down

log = logging.getLogger(__name__)


class FeneconHomeSimulator:
    """Start with `await start()`. TCP: `port` is the bound port after start (0 = free one).
    Serial: give `serial` (a tty path, e.g. one end of a pseudo-terminal pair)."""

    def __init__(
        self,
        host: str = "127.0.0.1",
        port: int = 5503,
        *,
        serial: str | None = None,
        baudrate: int = 9600,
        clock: MonotonicClock | None = None,
        faults: Iterable[HomeFault] = (),
        slow_delay: float = 2.0,
        load_w: float | None = 600.0,
        pv_w: float | None = 0.0,
        initial_soc: float = 50.0,
        modules: int = 5,
        bms_timeout: float = 10.0,
    ) -> None:
        self.host = host
        self.port = port
        self.serial = serial
        self.baudrate = baudrate
        self.clock: MonotonicClock = clock or SystemClock()
        self.faults: set[HomeFault] = set(faults)
        self.slow_delay = slow_delay
        wall = getattr(self.clock, "time", None)
        self.home = Household(load_w, pv_w, wall if callable(wall) else time.time)
        self.battery = HomeBattery(self.clock, modules=modules, initial_soc=initial_soc)
        self.inverter = HybridInverter(self.clock, self.battery, self.home, bms_timeout=bms_timeout)
        self.inverter_image = InverterImage(self.inverter)
        self.battery_image = BatteryImage(self.battery)
        self._server: ModbusTcpServer | ModbusSerialServer | None = None
        self.requests = 0
        self._apply_faults()

    @property
    def running(self) -> bool:
        return self._server is not None

    def registers(self, unit: int, address: int, count: int) -> list[int]:
        """Registers as a client would read them now (tests look behind the bus)."""
        self.inverter.advance()
        return self._image(unit).read(address, count)

    def _image(self, unit: int) -> Image:
        return self.inverter_image if unit == INVERTER_UNIT else self.battery_image

    # -- lifecycle --------------------------------------------------------------------------
    async def start(self) -> None:
        if self._server is not None or HomeFault.DISCONNECT in self.faults:
            return
        devices = [
            self._device(INVERTER_UNIT, self.inverter_image),
            self._device(BATTERY_UNIT, self.battery_image),
        ]
        server: ModbusTcpServer | ModbusSerialServer
        if self.serial is not None:
            server = ModbusSerialServer(
                devices, port=self.serial, baudrate=self.baudrate, ignore_missing_devices=True
            )
        else:
            server = ModbusTcpServer(
                devices, address=(self.host, self.port), ignore_missing_devices=True
            )
        await server.serve_forever(background=True)
        if isinstance(server, ModbusTcpServer):
            self.port = bound_port(server, self.port)
        self._server = server

    async def stop(self) -> None:
        server, self._server = self._server, None
        await shut_down(server)

    async def set_faults(self, *faults: HomeFault) -> None:
        """Replace the active faults; `disconnect` closes the port, clearing it re-opens."""
        self.faults = set(faults)
        self._apply_faults()
        if HomeFault.DISCONNECT in self.faults:
            await self.stop()
        elif self._server is None:
            await self.start()

    def _apply_faults(self) -> None:
        self.battery.alarm = HomeFault.BMS_ALARM in self.faults
        self.inverter_image.ignore_setpoints = HomeFault.IGNORE_SETPOINTS in self.faults

    # -- the bus ----------------------------------------------------------------------------
    def _device(self, unit: int, image: Image) -> SimDevice:
        blocks = [
            SimData(start, count=size, values=0, datatype=DataType.REGISTERS)
            for start, size in image.ranges
        ]
        return SimDevice(unit, simdata=blocks, action=functools.partial(self._action, unit, image))

    async def _action(
        self,
        unit: int,
        image: Image,
        function_code: int,
        start_address: int,
        address: int,
        count: int,
        registers: list[int],
        set_values: list[int] | list[bool] | None,
    ) -> ExcCodes | None:
        self.requests += 1
        if unit == BATTERY_UNIT and HomeFault.BATTERY_SILENT in self.faults:
            raise NoSuchIdException(str(unit))  # with ignore_missing_devices: no answer at all
        if HomeFault.SLOW in self.faults:
            await asyncio.sleep(self.slow_delay)
        if HomeFault.DISCONNECT in self.faults:
            return ExcCodes.DEVICE_FAILURE
        try:
            self.inverter.advance()
            if set_values is None:
                offset = address - start_address
                registers[offset : offset + count] = image.read(address, count)
            else:
                image.write(address, [int(v) for v in set_values])
                self.inverter.advance()
        except WriteRefused as error:
            log.info("simulator: %s", error)
            return ExcCodes.ILLEGAL_ADDRESS
        return None


async def serve(
    host: str = "127.0.0.1",
    port: int = 5503,
    faults: Iterable[HomeFault] = (),
    *,
    serial: str | None = None,
    slow_delay: float = 2.0,
    load_w: float | None = None,
    pv_w: float | None = None,
    fault_period: float = 0.0,
) -> None:
    """Run until cancelled; with `fault_period` > 0 the faults switch on and off."""
    chosen = tuple(faults)
    simulator = FeneconHomeSimulator(
        host, port, serial=serial, faults=chosen, slow_delay=slow_delay, load_w=load_w, pv_w=pv_w
    )
    await simulator.start()
    where = serial if serial is not None else f"{host}:{simulator.port}"
    log.info(
        "FENECON Home simulator on %s (unit %d GoodWe inverter, unit %d FENECON Home battery)%s",
        where,
        INVERTER_UNIT,
        BATTERY_UNIT,
        f", faults: {', '.join(f.value for f in chosen)}" if chosen else "",
    )
    await run_until_cancelled(simulator, chosen, fault_period)
