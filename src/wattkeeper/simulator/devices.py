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

DER control (`der=True`: models 1, 701, 702, 703, 704 and 124): while 704 WSetEna = 1 the
power follows WSet (WSetMod = 2, W) or WSetPct (WSetMod = 1, % of WMax), + discharge /
− charge as in IEEE 1547 (+ injecting), clamped to the battery's limits; it wins over the
124 window. WSetEna falls back to 0 once WSetRvrtTms seconds have passed without a new
write of WSetEna/WSet/WSetPct (0 = never). 703 ES = 0 holds the inverter at 0 W. Model 124
stays on the DER device for the state of charge (701-704 carry none).
"""

from __future__ import annotations

from wattkeeper.simulator.der import DerCapacity, DerControl, DerEnterService, DerMeasure
from wattkeeper.simulator.faults import Fault, Faults, MonotonicClock, WriteRefused
from wattkeeper.simulator.grid import GridMeter, Household
from wattkeeper.simulator.image import BASE, ModelState, Slot, SunSpecImage, render
from wattkeeper.simulator.storage import Common, Inverter, Storage

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
    "ModelState",
    "MonotonicClock",
    "Slot",
    "Storage",
    "SunSpecImage",
    "WriteRefused",
    "grid_meter",
    "render",
    "storage_inverter",
]


def storage_inverter(
    clock: MonotonicClock,
    faults: Faults,
    unit: int = 1,
    *,
    capacity_wh: float = 10_000.0,
    max_w: int = 5_000,
    initial_soc: float = 50.0,
    der: bool = False,
) -> tuple[SunSpecImage, Storage]:
    """Models 1, 103, 124; with `der`, 1, 701, 702, 703, 704 and 124 instead."""
    storage = Storage(clock, faults, capacity_wh=capacity_wh, max_w=max_w, initial_soc=initial_soc)
    common = Common("SimStorage 5000", "WK-SIM-0001", unit)
    models: list[tuple[int, ModelState]]
    if der:
        models = [
            (1, common),
            (701, DerMeasure(storage)),
            (702, DerCapacity(storage)),
            (703, DerEnterService(storage)),
            (704, DerControl(storage)),
            (124, storage),
        ]
    else:
        models = [(1, common), (103, Inverter(storage)), (124, storage)]
    image = SunSpecImage(models, advance=[storage])
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
