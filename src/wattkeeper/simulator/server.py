"""The device simulator on a Modbus/TCP port: a SunSpec storage inverter and a grid meter.

Behind ONE port, addressed by Modbus unit id:

* unit 1 — storage inverter at base 40000: SunSpec models 1 (common), 103 (three-phase
  inverter) and 124 (storage), or another `Layout` (`gen24`, `der`, `der-no-124`; see
  `wattkeeper.simulator.devices`); `der=True` (CLI `--der`) is `Layout.DER`;
* unit 2 — grid meter: models 1 and 203 (three-phase wye meter), at base 40000.

Faults are switched at run time with `set_faults` (see `Fault`): `disconnect` closes the
port and cuts every connection until the fault is cleared, `slow` delays every answer,
`ignore-setpoints` acknowledges writes without effect, `revert-zero`/`revert-broken` break
the storage revert timer.
"""

from __future__ import annotations

import asyncio
import functools
import logging
import time
from collections.abc import Iterable

from pymodbus.constants import ExcCodes
from pymodbus.server import ModbusTcpServer
from pymodbus.simulator import DataType, SimData, SimDevice

from wattkeeper.core.clock import SystemClock
from wattkeeper.simulator.devices import (
    BASE,
    INVERTER_UNIT,
    METER_UNIT,
    Fault,
    Faults,
    GridMeter,
    Household,
    Layout,
    MonotonicClock,
    Storage,
    SunSpecImage,
    WriteRefused,
    grid_meter,
    pv_meter,
    storage_inverter,
)
from wattkeeper.simulator.faults import run_until_cancelled
from wattkeeper.simulator.listening import listen, shut_down

log = logging.getLogger(__name__)

PV_METER_UNIT = 3  # AC-coupled PV (every layout but GEN24, whose PV is DC, in model 160)


class DeviceSimulator:
    """Start with `await start()`; `port` is the bound port (pass port=0 for a free one)."""

    def __init__(
        self,
        host: str = "127.0.0.1",
        port: int = 5502,
        *,
        clock: MonotonicClock | None = None,
        faults: Iterable[Fault] = (),
        slow_delay: float = 2.0,
        load_w: float | None = 600.0,
        pv_w: float | None = 0.0,
        capacity_wh: float = 10_000.0,
        max_w: int = 5_000,
        initial_soc: float = 50.0,
        der: bool = False,
        layout: Layout | None = None,
    ) -> None:
        self.host = host
        self.port = port
        self.clock: MonotonicClock = clock or SystemClock()
        self.faults = Faults(set(faults), slow_delay)
        wall = getattr(self.clock, "time", None)
        self.home = Household(load_w, pv_w, wall if callable(wall) else time.time)
        self.inverter_image, self.storage = storage_inverter(
            self.clock,
            self.faults,
            INVERTER_UNIT,
            capacity_wh=capacity_wh,
            max_w=max_w,
            initial_soc=initial_soc,
            der=der,
            layout=layout,
            pv=self.home.pv,
        )
        self.meter_image, self.meter = grid_meter(self.clock, self.storage, self.home, METER_UNIT)
        self.pv_image = (
            None if layout is Layout.GEN24 else pv_meter(self.clock, self.home, PV_METER_UNIT)[0]
        )
        self._server: ModbusTcpServer | None = None
        self.requests = 0

    # -- state ------------------------------------------------------------------------------
    @property
    def battery(self) -> Storage:
        return self.storage

    @property
    def grid(self) -> GridMeter:
        return self.meter

    @property
    def running(self) -> bool:
        return self._server is not None

    def registers(self, unit: int, address: int, count: int) -> list[int]:
        """Registers as a client would read them now (tests look behind the bus with this)."""
        image = self._image(unit)
        return image.read(address, count)

    @property
    def images(self) -> dict[int, SunSpecImage]:
        """The served devices by unit id (tests may swap an image before `start()`)."""
        images = {INVERTER_UNIT: self.inverter_image, METER_UNIT: self.meter_image}
        if self.pv_image is not None:
            images[PV_METER_UNIT] = self.pv_image
        return images

    def _image(self, unit: int) -> SunSpecImage:
        return self.images[unit]

    # -- lifecycle --------------------------------------------------------------------------
    async def start(self) -> None:
        if self._server is not None or Fault.DISCONNECT in self.faults:
            return
        devices = [self._device(unit, image) for unit, image in self.images.items()]
        server = ModbusTcpServer(devices, address=(self.host, self.port))
        self.port = await listen(server, self.host, self.port)
        self._server = server

    async def stop(self) -> None:
        server, self._server = self._server, None
        await shut_down(server)

    async def set_faults(self, *faults: Fault) -> None:
        """Replace the active faults; `disconnect` closes the port, clearing it re-opens."""
        self.faults.active = set(faults)
        if Fault.DISCONNECT in self.faults:
            await self.stop()
        elif self._server is None:
            await self.start()

    # -- the bus ----------------------------------------------------------------------------
    def _device(self, unit: int, image: SunSpecImage) -> SimDevice:
        block = SimData(BASE, count=image.size, values=0, datatype=DataType.REGISTERS)
        return SimDevice(unit, simdata=[block], action=functools.partial(self._action, image))

    async def _action(
        self,
        image: SunSpecImage,
        function_code: int,
        start_address: int,
        address: int,
        count: int,
        registers: list[int],
        set_values: list[int] | list[bool] | None,
    ) -> ExcCodes | None:
        self.requests += 1
        if Fault.SLOW in self.faults:
            await asyncio.sleep(self.faults.slow_delay)
        if Fault.DISCONNECT in self.faults:
            return ExcCodes.DEVICE_FAILURE
        try:
            if set_values is None:
                offset = address - start_address
                registers[offset : offset + count] = image.read(address, count)
            else:
                image.write(address, [int(v) for v in set_values])
        except WriteRefused as error:
            log.info("simulator: %s", error)
            return ExcCodes.ILLEGAL_ADDRESS
        return None


async def serve(
    host: str = "127.0.0.1",
    port: int = 5502,
    faults: Iterable[Fault] = (),
    *,
    slow_delay: float = 2.0,
    load_w: float | None = None,
    pv_w: float | None = None,
    fault_period: float = 0.0,
    der: bool = False,
    layout: Layout | None = None,
) -> None:
    """Run the simulator until cancelled (Ctrl-C). Household load/PV follow day profiles
    unless fixed values are given. With `fault_period` > 0 the faults switch on and off
    every `fault_period` seconds (to watch an edge lose a device and recover), else they
    stay on."""
    chosen = tuple(faults)
    layout = layout or (Layout.DER if der else Layout.INVERTER)
    simulator = DeviceSimulator(
        host, port, faults=chosen, slow_delay=slow_delay, load_w=load_w, pv_w=pv_w, layout=layout
    )
    await simulator.start()
    log.info(
        "SunSpec simulator on %s:%d (unit %d storage inverter%s, unit %d grid meter%s)%s",
        host,
        simulator.port,
        INVERTER_UNIT,
        f", layout {layout.value}",
        METER_UNIT,
        f", unit {PV_METER_UNIT} PV meter" if PV_METER_UNIT in simulator.images else "",
        f", faults: {', '.join(f.value for f in chosen)}" if chosen else "",
    )
    await run_until_cancelled(simulator, chosen, fault_period)
