"""Simulated SunSpec devices as register images: a storage inverter and a grid meter.

No I/O here: `SunSpecImage.read(address, count)` renders the current state into registers
and `write(address, values)` applies a write; `wattkeeper.simulator.server` puts them
behind a Modbus/TCP server. Time comes from an injected clock (`monotonic()`), so tests
drive the physics with a fake clock.

Storage control (model 124), as simulated and as the driver uses it: the battery power
P (+ discharge, − charge) is kept inside the window

    −InWRte % × WChaMax  ≤  P  ≤  OutWRte % × WChaMax

where each bound only applies while its StorCtl_Mod bit is set (bit 0: charge limit
InWRte, bit 1: discharge limit OutWRte); without a bound the inverter idles at 0 W.
InWRte = −x together with OutWRte = x pins P to x % of WChaMax. After a write of the
rates, StorCtl_Mod and the rates fall back to their defaults once InOutWRte_RvrtTms
seconds have passed without a new write (0 = never).

Layouts (`Layout`), every model rendered from the official SunSpec definitions:

* `inverter` (default): 1, 103, 124 — a storage inverter controlled through 124;
* `gen24`: 1, 113, 120, 121, 122, 123, 124, 160 — a 124-only hybrid the way a Fronius
  GEN24 presents itself (float inverter model, MPPT with PV and battery modules);
* `der`: 1, 701, 702, 703, 704, 713, 714, 124 — DER control with 124 kept;
* `der-no-124`: 1, 701, 702, 703, 704, 713, 714 — a device with only the 70x models.

DER control: while 704 WSetEna = ENABLED the power follows WSet (WSetMod = WATTS) or
WSetPct (WSetMod = W_MAX_PCT, % of WMax), + discharge / − charge as in IEEE 1547
(+ injecting), clamped to the battery's limits; it wins over the 124 window. WSetEna takes
the value of WSetEnaRvrt (DISABLED unless written) once WSetRvrtTms seconds have passed
without a new write of WSetEna/WSet/WSetPct (0 = never). 703 ES = DISABLED holds the
inverter at 0 W. Every revert timer is 0 until the edge writes one.
"""

from __future__ import annotations

from collections.abc import Callable
from enum import Enum

from wattkeeper.simulator.der import (
    DerCapacity,
    DerControl,
    DerEnterService,
    DerMeasure,
    DerMeasureDc,
    DerStorageCapacity,
)
from wattkeeper.simulator.faults import Fault, Faults, MonotonicClock, WriteRefused
from wattkeeper.simulator.grid import GridMeter, Household, PvMeter
from wattkeeper.simulator.hybrid import Controls, Mppt, Nameplate, Settings, Status
from wattkeeper.simulator.image import BASE, ModelState, Slot, SunSpecImage, render
from wattkeeper.simulator.storage import Common, Inverter, Storage

INVERTER_UNIT = 1  # the simulated site's Modbus unit ids
METER_UNIT = 2

__all__ = [
    "BASE",
    "Common",
    "DerCapacity",
    "DerControl",
    "DerEnterService",
    "DerMeasure",
    "Fault",
    "Faults",
    "GridMeter",
    "Household",
    "Inverter",
    "Layout",
    "ModelState",
    "MonotonicClock",
    "PvMeter",
    "Slot",
    "Storage",
    "SunSpecImage",
    "WriteRefused",
    "grid_meter",
    "pv_meter",
    "render",
    "storage_inverter",
]


class Layout(Enum):
    """Which SunSpec models the simulated storage inverter serves."""

    INVERTER = "inverter"
    GEN24 = "gen24"
    DER = "der"
    DER_NO_124 = "der-no-124"


def storage_inverter(
    clock: MonotonicClock,
    faults: Faults,
    unit: int = 1,
    *,
    capacity_wh: float = 10_000.0,
    max_w: int = 5_000,
    initial_soc: float = 50.0,
    der: bool = False,
    layout: Layout | None = None,
    pv: Callable[[], float] = lambda: 0.0,
) -> tuple[SunSpecImage, Storage]:
    """The models of `layout` (`der=True`: `Layout.DER`) on one battery; `pv` feeds 160."""
    layout = layout or (Layout.DER if der else Layout.INVERTER)
    storage = Storage(clock, faults, capacity_wh=capacity_wh, max_w=max_w, initial_soc=initial_soc)
    common = Common("SimStorage 5000", "WK-SIM-0001", unit)
    advance: list[object] = [storage]
    models: list[tuple[int, ModelState]]
    if layout is Layout.INVERTER:
        models = [(1, common), (103, Inverter(storage)), (124, storage)]
    elif layout is Layout.GEN24:
        mppt = Mppt(clock, storage, pv)
        advance.append(mppt)
        models = [
            (1, Common("Primo GEN24 simulated", "WK-SIM-0024", unit)),
            (113, Inverter(storage, 113)),
            (120, Nameplate(storage)),
            (121, Settings(storage)),
            (122, Status()),
            (123, Controls()),
            (124, storage),
            (160, mppt),
        ]
    else:
        models = [
            (1, common),
            (701, DerMeasure(storage)),
            (702, DerCapacity(storage)),
            (703, DerEnterService(storage)),
            (704, DerControl(storage)),
            (713, DerStorageCapacity(storage)),
            (714, DerMeasureDc(storage)),
        ]
        if layout is Layout.DER:
            models.append((124, storage))
    image = SunSpecImage(models, advance=advance)
    return image, storage


def grid_meter(
    clock: MonotonicClock, storage: Storage, home: Household, unit: int = 2
) -> tuple[SunSpecImage, GridMeter]:
    meter = GridMeter(clock, storage, home)
    image = SunSpecImage(
        [(1, Common("SimMeter 3P", "WK-SIM-0002", unit)), (203, meter)],
        advance=[storage, meter],
    )
    return image, meter


def pv_meter(clock: MonotonicClock, home: Household, unit: int = 3) -> tuple[SunSpecImage, PvMeter]:
    """The AC PV's production meter, so that the edge sees the PV the grid meter nets out."""
    meter = PvMeter(clock, home)
    image = SunSpecImage(
        [(1, Common("SimMeter PV", "WK-SIM-0003", unit)), (203, meter)], advance=[meter]
    )
    return image, meter
