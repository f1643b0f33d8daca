"""GoodWe EMS power modes (register 47511) and inverter families from the serial number."""

from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum


class EmsPowerMode(IntEnum):
    """Values of 47511 (GoodWe table 8-16, as in OpenEMS `EmsPowerMode`)."""

    AUTO = 1  # self-use: the inverter balances its own meter to zero
    CHARGE_PV = 2
    DISCHARGE_PV = 3
    IMPORT_AC = 4
    EXPORT_AC = 5
    CONSERVE = 6
    OFF_GRID = 7
    BATTERY_STANDBY = 8
    BUY_POWER = 9
    SELL_POWER = 10
    CHARGE_BAT = 11
    DISCHARGE_BAT = 12
    STOPPED = 0xFF


@dataclass(frozen=True)
class GoodWeType:
    """One row of OpenEMS' GoodWeType table: what a serial number says about the hardware."""

    name: str
    family: str  # ET, ETT, EUB, ETF
    tags: tuple[tuple[str, ...], ...]  # any of these groups, every string of the group present
    max_dc_current: int  # A
    max_charge_power: int  # W
    max_discharge_power: int  # W


TYPES = (
    GoodWeType("FENECON_FHI_10_DAH", "ET", (("010K", "ETU"),), 25, 10_000, 10_000),
    GoodWeType("FENECON_FHI_20_DAH", "ETT", (("020K", "ETT"),), 50, 20_000, 20_000),
    GoodWeType("FENECON_FHI_29_9_DAH", "ETT", (("29K9",), ("030K",)), 50, 30_000, 30_000),
    GoodWeType("FENECON_GEN2_6K", "EUB", (("6000", "EUB"),), 25, 9_000, 6_600),
    GoodWeType("FENECON_GEN2_10K", "EUB", (("010K", "EUB"),), 25, 16_000, 11_000),
    GoodWeType("FENECON_GEN2_15K", "EUB", (("015K", "EUB"),), 25, 24_000, 16_500),
    GoodWeType("FENECON_50K", "ETF", (("050K",),), 100, 55_000, 55_000),
    GoodWeType("FENECON_100K", "NBC", (("100K",),), 100, 55_000, 55_000),
)

UNDEFINED = GoodWeType("UNDEFINED", "", (), 25, 5_000, 5_000)


def detect(serial: str | None, model: str | None = None) -> GoodWeType:
    """The type whose tags all appear in the serial number (or, failing that, the model
    name); `UNDEFINED` (conservative limits) when nothing matches."""
    for text in (serial or "", model or ""):
        for kind in TYPES:
            if any(all(tag in text for tag in group) for group in kind.tags):
                return kind
    return UNDEFINED
