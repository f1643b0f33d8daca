"""The SunSpec models wattkeeper reads, writes or simulates, built from the official definitions.

Offsets count from the model's first register, the model ID (offset 0) and its length L
(offset 1); points start at offset 2 and a model takes L + 2 registers. Every table here
comes from `definitions` (the SunSpec Alliance's JSON as shipped in pysunspec2): this
module only names them and derives the few symbol values the drivers act on, by their
official symbol names, so a change of the specification fails loudly at import.
"""

from __future__ import annotations

from wattkeeper.protocols.registers import CodecError, RegisterTable
from wattkeeper.protocols.sunspec.definitions import fixed_length, table, table_for_length
from wattkeeper.protocols.sunspec.discovery import ModelBlock

#: Every model wattkeeper supports (drivers and simulator); a test compares each with the
#: definitions pysunspec2 parses itself.
SUPPORTED = (
    1,
    101, 102, 103, 111, 112, 113,
    120, 121, 122, 123, 124,
    160,
    201, 202, 203, 204,
    701, 702, 703, 704, 705, 713, 714,
)  # fmt: skip

#: Model id → table without device-decided repetitions (160 modules, 714 ports, 705 curves).
MODELS: dict[int, RegisterTable] = {model_id: table(model_id) for model_id in SUPPORTED}

COMMON = MODELS[1]
INVERTER_INT = MODELS[103]
INVERTER_FLOAT = MODELS[113]
STORAGE = MODELS[124]
MPPT = MODELS[160]
METER = MODELS[203]
DER_MEASURE_AC = MODELS[701]
DER_CAPACITY = MODELS[702]
DER_ENTER_SERVICE = MODELS[703]
DER_CTL_AC = MODELS[704]
DER_STORAGE_CAPACITY = MODELS[713]
DER_MEASURE_DC = MODELS[714]

INVERTER_MODELS = (103, 113, 101, 111, 102, 112)  # preference order
METER_MODELS = (203, 201, 202, 204)


def symbol(model: RegisterTable, point: str, name: str) -> int:
    """The value of an enum symbol (or the bit of a bitfield symbol) by its official name."""
    for value, symbol_name in model.point(point).symbols.items():
        if symbol_name.upper() == name.upper():
            return value
    raise CodecError(f"{model.name}.{point} has no symbol {name}")


#: Charge status (ChaSt) of model 124, value → name.
CHARGE_STATES = dict(STORAGE.point("ChaSt").symbols)
#: StorCtl_Mod bits of model 124: which of InWRte / OutWRte are in force.
STORCTL_CHARGE = 1 << symbol(STORAGE, "StorCtl_Mod", "CHARGE")
STORCTL_DISCHARGE = 1 << symbol(STORAGE, "StorCtl_Mod", "DISCHARGE")
#: 704 WSetMod: WSetPct (% of WMax) or WSet (W) is in force.
WSET_MOD_PCT = symbol(DER_CTL_AC, "WSetMod", "W_MAX_PCT")
WSET_MOD_WATTS = symbol(DER_CTL_AC, "WSetMod", "WATTS")
#: 704 enable points and 703 ES.
ENABLED = symbol(DER_CTL_AC, "WSetEna", "ENABLED")
DISABLED = symbol(DER_CTL_AC, "WSetEna", "DISABLED")
#: 714 PrtTyp of a battery port and of a PV port.
PORT_ESS = symbol(table(714, {"Prt": 1}), "Prt[0].PrtTyp", "ESS")
PORT_PV = symbol(table(714, {"Prt": 1}), "Prt[0].PrtTyp", "PV")


def table_for(block: ModelBlock) -> RegisterTable:
    """The table of a model found on a device, repetitions derived from its length L."""
    return table_for_length(block.model_id, block.length)


__all__ = [
    "CHARGE_STATES",
    "COMMON",
    "DER_CAPACITY",
    "DER_CTL_AC",
    "DER_ENTER_SERVICE",
    "DER_MEASURE_AC",
    "DER_MEASURE_DC",
    "DER_STORAGE_CAPACITY",
    "DISABLED",
    "ENABLED",
    "INVERTER_FLOAT",
    "INVERTER_INT",
    "INVERTER_MODELS",
    "METER",
    "METER_MODELS",
    "MODELS",
    "MPPT",
    "PORT_ESS",
    "PORT_PV",
    "STORAGE",
    "STORCTL_CHARGE",
    "STORCTL_DISCHARGE",
    "SUPPORTED",
    "WSET_MOD_PCT",
    "WSET_MOD_WATTS",
    "fixed_length",
    "symbol",
    "table_for",
]
