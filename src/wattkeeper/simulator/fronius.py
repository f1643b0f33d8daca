"""`--model fronius-gen24`: a Fronius Symo/Primo GEN24 Plus as it presents itself over Modbus/TCP —
the SunSpec storage inverter of layout `gen24` (models 1, 113, 120-124, 160 with PV 1, PV 2,
StCha 3, StDisCha 4; the 124 revert timer reads 0 until written) at unit 1 and the Fronius
Smart Meter (model 203) at unit 200, on one port. Every model follows the official SunSpec
definitions (pysunspec2); no vendor table is needed: GEN24 is controlled through plain 124."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any

from wattkeeper.simulator.devices import INVERTER_UNIT, Fault, Layout, SunSpecImage
from wattkeeper.simulator.faults import run_until_cancelled
from wattkeeper.simulator.server import DeviceSimulator

log = logging.getLogger(__name__)

FRONIUS_METER_UNIT = 200  # the Fronius Smart Meter, read through the inverter


class FroniusGen24Simulator(DeviceSimulator):
    """The SunSpec simulator in layout `gen24`, its grid meter at unit 200."""

    def __init__(self, host: str = "127.0.0.1", port: int = 502, **kwargs: Any) -> None:
        kwargs.setdefault("pv_w", 0.0)
        kwargs.setdefault("load_w", 600.0)
        super().__init__(host, port, layout=Layout.GEN24, **kwargs)

    @property
    def images(self) -> dict[int, SunSpecImage]:
        return {INVERTER_UNIT: self.inverter_image, FRONIUS_METER_UNIT: self.meter_image}


async def serve_fronius(
    host: str, port: int, faults: Sequence[Fault], load_w: float | None, pv_w: float | None
) -> None:
    """Run until cancelled (Ctrl-C)."""
    simulator = FroniusGen24Simulator(host, port, faults=faults, load_w=load_w, pv_w=pv_w or 0.0)
    await simulator.start()
    log.info(
        "Fronius GEN24 simulator on %s:%d (unit %d: SunSpec 1, 113, 120-124, 160; unit %d: meter)",
        host,
        simulator.port,
        INVERTER_UNIT,
        FRONIUS_METER_UNIT,
    )
    await run_until_cancelled(simulator, faults, 0.0)
