"""Each nature's table for OpenEMS's Modbus/TCP API: which channel sits at which offset, as what.

OpenEMS declares these next to each nature (`getModbusSlaveNatureTable`); the offsets, lengths
and types are its facts. Each record names our channel declaration (the nature's handle), so
type, unit and access come from the channel model, and a misspelt channel is an undefined name.
ElectricityMeter, EssDcCharger and Battery: OpenEMS/openems at
0e4ea8881f78f46b6a7cd05ce570c35de334c113 (`ElectricityMeter.java`, `EssDcCharger.java`,
`Battery.java`, each's `getModbusSlaveNatureTable`).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from wattkeeper import __version__
from wattkeeper.core.channel import ChannelDoc, Unit
from wattkeeper.core.component import Component
from wattkeeper.core.state import STATE
from wattkeeper.natures import battery as battery_ch
from wattkeeper.natures import charger as charger_ch
from wattkeeper.natures import ess as ess_ch
from wattkeeper.natures import meter as meter_ch
from wattkeeper.natures import sum as sum_ch
from wattkeeper.natures.ess import ManagedSymmetricEss
from wattkeeper.natures.meta import SYSTEM_TIME_UTC
from wattkeeper.protocols.openems_modbus import ModbusType, RecordValue

F32, F64, U16, U32, E16, U64, S16 = (
    ModbusType.FLOAT32,
    ModbusType.FLOAT64,
    ModbusType.UINT16,
    ModbusType.UINT32,
    ModbusType.ENUM16,
    ModbusType.UINT64,
    ModbusType.STRING16,
)


@dataclass(frozen=True, slots=True)
class Record:
    """One entry of a nature table: a channel, a constant, a per-cycle value or reserved."""

    offset: int
    kind: ModbusType
    doc: ChannelDoc | None = None  # a channel record
    name: str = "Reserved"  # the name of a record that is not a channel
    constant: RecordValue = None
    compute: Callable[[Component], RecordValue] | None = None
    unit: str = Unit.NONE


@dataclass(frozen=True, slots=True)
class NatureTable:
    nature: str  # OpenEMS's interface name; its hash marks the table
    length: int
    records: tuple[Record, ...]


def _table(nature: str, length: int, *records: Record) -> NatureTable:
    """A table whose records follow each other without gaps, as OpenEMS's builder demands."""
    offset = 0
    for record in records:
        if record.offset != offset:
            raise ValueError(f"{nature}: expected offset {offset}, got {record.offset}")
        offset += record.kind.words
    if offset > length:
        raise ValueError(f"{nature}: records end at {offset}, beyond the length {length}")
    return NatureTable(nature, length, records)


def ch(offset: int, doc: ChannelDoc, kind: ModbusType) -> Record:
    return Record(offset, kind, doc=doc, unit=doc.unit)


def reserved(offset: int, kind: ModbusType) -> Record:
    return Record(offset, kind)


def _power_limit(index: int) -> Callable[[Component], RecordValue]:
    """ManagedSymmetricEss's "Minimum/Maximum Power Set-Point", computed each cycle."""

    def value(component: Component) -> RecordValue:
        if not isinstance(component, ManagedSymmetricEss):
            return None
        return component.power_limits()[index]

    return value


OPENEMS_COMPONENT = _table("OpenemsComponent", 80, ch(0, STATE, E16))

_version = [int(part) for part in re.findall(r"\d+", __version__)[:3]]
_major, _minor, _patch = [*_version, 0, 0, 0][:3]
META = _table(
    "Meta",
    199,
    Record(0, U16, name="OpenEMS Version Major", constant=_major),
    Record(1, U16, name="OpenEMS Version Minor", constant=_minor),
    Record(2, U16, name="OpenEMS Version Patch", constant=_patch),
    Record(3, S16, name="Manufacturer", constant="wattkeeper"),
    Record(19, S16, name="Manufacturer Model", constant="wattkeeper edge"),
    Record(35, S16, name="Manufacturer Options", constant=""),
    Record(51, S16, name="Manufacturer Version", constant=__version__),
    Record(67, S16, name="Manufacturer Serial Number", constant=None),
    Record(83, S16, name="Manufacturer EMS Serial Number", constant=None),
    ch(99, SYSTEM_TIME_UTC, U64),
)

SUM = _table(
    "Sum",
    220,
    ch(0, sum_ch.ESS_SOC, U16),
    ch(1, sum_ch.ESS_ACTIVE_POWER, F32),
    reserved(3, F32),  # EssMinActivePower
    reserved(5, F32),  # EssMaxActivePower
    ch(7, sum_ch.ESS_REACTIVE_POWER, F32),
    reserved(9, F32),  # EssMinReactivePower
    reserved(11, F32),  # EssMaxReactivePower
    ch(13, sum_ch.GRID_ACTIVE_POWER, F32),
    ch(15, sum_ch.GRID_MIN_ACTIVE_POWER, F32),
    ch(17, sum_ch.GRID_MAX_ACTIVE_POWER, F32),
    reserved(19, F32),  # GridReactivePower
    reserved(21, F32),  # GridMinReactivePower
    reserved(23, F32),  # GridMaxReactivePower
    ch(25, sum_ch.PRODUCTION_ACTIVE_POWER, F32),
    ch(27, sum_ch.PRODUCTION_MAX_ACTIVE_POWER, F32),
    ch(29, sum_ch.PRODUCTION_AC_ACTIVE_POWER, F32),
    reserved(31, F32),  # ProductionMaxAcActivePower
    reserved(33, F32),  # ProductionAcReactivePower
    reserved(35, F32),  # ProductionMaxAcReactivePower
    ch(37, sum_ch.PRODUCTION_DC_ACTUAL_POWER, F32),
    reserved(39, F32),  # ProductionMaxDcActualPower
    ch(41, sum_ch.CONSUMPTION_ACTIVE_POWER, F32),
    ch(43, sum_ch.CONSUMPTION_MAX_ACTIVE_POWER, F32),
    reserved(45, F32),  # ConsumptionReactivePower
    reserved(47, F32),  # ConsumptionMaxReactivePower
    ch(49, sum_ch.ESS_ACTIVE_CHARGE_ENERGY, F64),
    ch(53, sum_ch.ESS_ACTIVE_DISCHARGE_ENERGY, F64),
    ch(57, sum_ch.GRID_BUY_ACTIVE_ENERGY, F64),
    ch(61, sum_ch.GRID_SELL_ACTIVE_ENERGY, F64),
    ch(65, sum_ch.PRODUCTION_ACTIVE_ENERGY, F64),
    ch(69, sum_ch.PRODUCTION_AC_ACTIVE_ENERGY, F64),
    ch(73, sum_ch.PRODUCTION_DC_ACTIVE_ENERGY, F64),
    ch(77, sum_ch.CONSUMPTION_ACTIVE_ENERGY, F64),
    ch(81, sum_ch.ESS_DC_CHARGE_ENERGY, F64),
    ch(85, sum_ch.ESS_DC_DISCHARGE_ENERGY, F64),
    *(ch(89 + 2 * i, doc, F32) for i, doc in enumerate(sum_ch.ESS_ACTIVE_POWER_PHASES)),
    *(ch(95 + 2 * i, doc, F32) for i, doc in enumerate(sum_ch.GRID_ACTIVE_POWER_PHASES)),
    *(ch(101 + 2 * i, doc, F32) for i, doc in enumerate(sum_ch.PRODUCTION_AC_ACTIVE_POWER_PHASES)),
    *(ch(107 + 2 * i, doc, F32) for i, doc in enumerate(sum_ch.CONSUMPTION_ACTIVE_POWER_PHASES)),
    ch(113, sum_ch.ESS_DISCHARGE_POWER, F32),
    ch(115, sum_ch.GRID_MODE, E16),
    ch(116, sum_ch.GRID_MODE_OFF_GRID_TIME, F32),
    ch(118, sum_ch.ESS_CAPACITY, F32),
)

SYMMETRIC_ESS = _table(
    "SymmetricEss",
    100,
    ch(0, ess_ch.SOC, U16),
    ch(1, ess_ch.GRID_MODE, U16),
    ch(2, ess_ch.ACTIVE_POWER, F32),
    ch(4, ess_ch.REACTIVE_POWER, F32),
    ch(6, ess_ch.MIN_CELL_VOLTAGE, F32),
    ch(8, ess_ch.MAX_CELL_VOLTAGE, F32),
    ch(10, ess_ch.MIN_CELL_TEMPERATURE, F32),
    ch(12, ess_ch.MAX_CELL_TEMPERATURE, F32),
    ch(14, ess_ch.CAPACITY, F32),
    ch(16, ess_ch.MAX_APPARENT_POWER, F32),
)

MANAGED_SYMMETRIC_ESS = _table(
    "ManagedSymmetricEss",
    100,
    Record(0, F32, name="Minimum Power Set-Point", compute=_power_limit(0), unit=Unit.WATT),
    Record(2, F32, name="Maximum Power Set-Point", compute=_power_limit(1), unit=Unit.WATT),
    ch(4, ess_ch.SET_ACTIVE_POWER_EQUALS, F32),
    ch(6, ess_ch.SET_REACTIVE_POWER_EQUALS, F32),
    ch(8, ess_ch.SET_ACTIVE_POWER_LESS_OR_EQUALS, F32),
    ch(10, ess_ch.SET_REACTIVE_POWER_LESS_OR_EQUALS, F32),
    ch(12, ess_ch.SET_ACTIVE_POWER_GREATER_OR_EQUALS, F32),
    ch(14, ess_ch.SET_REACTIVE_POWER_GREATER_OR_EQUALS, F32),
)

HYBRID_ESS = _table(
    "HybridEss",
    100,
    ch(0, ess_ch.DC_DISCHARGE_POWER, U16),  # uint16 in OpenEMS too: a discharge < 65535 W
    ch(1, ess_ch.DC_CHARGE_ENERGY, F64),
    ch(5, ess_ch.DC_DISCHARGE_ENERGY, F64),
)


def _float32s(offset: int, docs: tuple[ChannelDoc, ...]) -> tuple[Record, ...]:
    """Float32 records one after another from `offset`."""
    return tuple(ch(offset + 2 * i, doc, F32) for i, doc in enumerate(docs))


ELECTRICITY_METER = _table(
    "ElectricityMeter",
    200,
    ch(0, meter_ch.FREQUENCY, F32),
    reserved(2, U32),  # MinActivePower in the old SymmetricMeter table
    reserved(4, U32),  # MaxActivePower
    ch(6, meter_ch.ACTIVE_POWER, F32),
    ch(8, meter_ch.REACTIVE_POWER, F32),
    # float32, not float64, for the energies (OpenEMS's choice: exact up to 16.7 MWh)
    ch(10, meter_ch.ACTIVE_PRODUCTION_ENERGY, F32),
    ch(12, meter_ch.ACTIVE_CONSUMPTION_ENERGY, F32),
    ch(14, meter_ch.VOLTAGE, F32),
    ch(16, meter_ch.CURRENT, F32),
    # reserved up to 100, where the old AsymmetricMeter table began: its offsets stay
    *(reserved(offset, U32) for offset in range(18, 100, 2)),
    *_float32s(
        100,
        meter_ch.ACTIVE_POWER_PHASES
        + meter_ch.REACTIVE_POWER_PHASES
        + meter_ch.VOLTAGE_PHASES
        + meter_ch.CURRENT_PHASES
        + meter_ch.ACTIVE_PRODUCTION_ENERGY_PHASES
        + meter_ch.ACTIVE_CONSUMPTION_ENERGY_PHASES,
    ),
)

ESS_DC_CHARGER = _table(
    "EssDcCharger",
    100,
    ch(0, charger_ch.ACTUAL_POWER, F32),
    ch(2, charger_ch.ACTUAL_ENERGY, F64),
    ch(6, charger_ch.VOLTAGE, F32),
    ch(8, charger_ch.CURRENT, F32),
)

BATTERY = _table(
    "Battery",
    100,
    ch(0, battery_ch.SOC, U16),
    ch(1, battery_ch.SOH, U16),
    *_float32s(
        2,
        (
            battery_ch.VOLTAGE,
            battery_ch.CURRENT,
            battery_ch.CAPACITY,
            battery_ch.CHARGE_MAX_VOLTAGE,
            battery_ch.CHARGE_MAX_CURRENT,
            battery_ch.DISCHARGE_MIN_VOLTAGE,
            battery_ch.DISCHARGE_MAX_CURRENT,
            battery_ch.MIN_CELL_TEMPERATURE,
            battery_ch.MAX_CELL_TEMPERATURE,
            battery_ch.MIN_CELL_VOLTAGE,
            battery_ch.MAX_CELL_VOLTAGE,
            battery_ch.INNER_RESISTANCE,
        ),
    ),
)

#: In the order OpenEMS's components list them (the offsets of `ess0/SetActivePowerEquals` at
#: 706 depend on it): a component's tables are those of the natures it implements.
NATURE_TABLES: tuple[NatureTable, ...] = (
    OPENEMS_COMPONENT,
    SUM,
    SYMMETRIC_ESS,
    MANAGED_SYMMETRIC_ESS,
    HYBRID_ESS,
    ELECTRICITY_METER,
    ESS_DC_CHARGER,
    BATTERY,
)


def tables_for(component: Component) -> list[NatureTable]:
    """The nature tables of one component, OpenemsComponent first (`_meta` has its own block)."""
    natures = set(component.nature_ids())
    return [table for table in NATURE_TABLES if table.nature in natures]
