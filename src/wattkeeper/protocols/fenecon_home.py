"""FENECON Home battery (BMS unit 1 on the internal RS-485 bus): register blocks as data.

Facts from OpenEMS `io.openems.edge.battery.fenecon.home` (BatteryFeneconHomeImpl,
BatteryFeneconHomeHardwareType), summarised in /work/shared/reference/hardware-and-apis.md
§1.4. The battery is only read; it has no setpoint register.

Towers: tower t (0..4) starts at 10000 + 2000·t; a tower exists when its BMS software
version (its first register) is not 0. Register 10019 gives the module type (÷10: 52 or 64),
10024 the modules per tower. Module m (1-based) of a tower has its cell voltages at
tower + 100·m + 2 and its temperature sensors at tower + 100·m + 18.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from wattkeeper.protocols.poll_plan import Block, Priority
from wattkeeper.protocols.registers import Point, RegisterTable, RegType

U16, S16, BITS = RegType.UINT16, RegType.INT16, RegType.BITFIELD16

UNIT_ID = 1
TOWER_BASE = 10_000
TOWER_STEP = 2_000
MAX_TOWERS = 5
#: Our plausibility bound for 10024 (not a vendor figure: a Home tower holds far fewer); a
#: larger value is refused rather than turned into thousands of blocks and channels.
MAX_MODULES_PER_TOWER = 20
CELL_VOLTAGE_OFFSET = 2
CELL_TEMPERATURE_OFFSET = 18

_S = 500
STATUS = Block(
    "status",
    _S,
    RegisterTable(
        "fenecon_home.status",
        (
            Point("PreAlarm", 500 - _S, BITS),  # rack level-1 pre-alarms
            Point("Level1Alarm", 501 - _S, BITS),
            Point("Level2Alarm", 502 - _S, BITS),  # level 2: the BMS stops the battery
            Point("AlarmPositionBcu", 503 - _S, BITS),
            Point("WarningPositionBcu", 504 - _S, BITS),
            Point("FaultPositionBcu", 505 - _S, BITS),
            Point("Voltage", 506 - _S, U16, -1, unit="V"),
            Point("Current", 507 - _S, S16, -1, unit="A"),  # + discharge
            Point("Soc", 508 - _S, U16, -1, unit="%"),
            Point("Soh", 509 - _S, U16, -1, unit="%"),
            Point("MinCellVoltage", 510 - _S, U16, unit="mV"),
            Point("MinCellVoltageId", 511 - _S, U16),
            Point("MaxCellVoltage", 512 - _S, U16, unit="mV"),
            Point("MaxCellVoltageId", 513 - _S, U16),
            Point("MinCellTemperature", 514 - _S, S16, -1, unit="C"),
            Point("MinTemperatureId", 515 - _S, U16),
            Point("MaxCellTemperature", 516 - _S, S16, -1, unit="C"),
            Point("MaxTemperatureId", 517 - _S, U16),
            Point("ChargeMaxCurrent", 518 - _S, U16, -1, unit="A"),
            Point("DischargeMaxCurrent", 519 - _S, U16, -1, unit="A"),
            Point("ChargeMaxCurrentPerBcu", 520 - _S, U16, -1, unit="A"),
            Point("DischargeMaxCurrentPerBcu", 521 - _S, U16, -1, unit="A"),
            Point("NumberOfBcu", 522 - _S, U16),
            Point("CellsPerModule", 523 - _S, U16),
            Point("MaxCellVoltageLimit", 524 - _S, U16, unit="mV"),
            Point("MinCellVoltageLimit", 525 - _S, U16, unit="mV"),
            Point("HardwareFault", 526 - _S, BITS),
            Point("SystemFault", 527 - _S, BITS),
            Point("UpperVoltage", 528 - _S, U16),
        ),
    ),
    Priority.HIGH,
)

#: Bits of 501 (level 1) and 502 (level 2), as named in OpenEMS.
LEVEL_BITS = {
    0: "CellOverVoltage",
    1: "CellUnderVoltage",
    2: "OverChargingCurrent",
    3: "OverDischargingCurrent",
    4: "OverTemperature",
    5: "UnderTemperature",
    6: "CellVoltageDifference",
    7: "BcuTempDifference",
}
HARDWARE_FAULT_BITS = {
    0: "AfeCommunication",
    1: "ActorDriver",
    2: "EepromCommunication",
    3: "VoltageDetect",
    4: "TemperatureDetect",
    5: "CurrentDetect",
    6: "ActorNotClose",
    7: "ActorNotOpen",
    8: "FuseBroken",
}
SYSTEM_FAULT_BITS = {
    0: "AfeOverTemperature",
    1: "AfeUnderTemperature",
    2: "AfeOverVoltage",
    3: "AfeUnderVoltage",
    4: "HighTemperaturePermanentFailure",
    5: "LowTemperaturePermanentFailure",
    6: "HighCellVoltagePermanentFailure",
    7: "LowCellVoltagePermanentFailure",
    8: "ShortCircuit",
}


def tower_address(tower: int) -> int:
    return TOWER_BASE + TOWER_STEP * tower


@cache
def tower_block(tower: int) -> Block:
    """Software version, hardware type and modules of one tower (read at start)."""
    base = tower_address(tower)
    return Block(
        f"tower{tower}",
        base,
        RegisterTable(
            f"fenecon_home.tower{tower}",
            (
                Point("SoftwareVersion", 0, U16),
                Point("HardwareType", 19, U16, -1),  # 52 or 64 (Ah of the cells)
                Point("ModulesPerTower", 24, U16),
            ),
        ),
        Priority.ONCE,
    )


@dataclass(frozen=True)
class HardwareType:
    name: str
    capacity_wh: int  # per module
    cells: int  # per module
    temperature_sensors: int  # per module
    module_min_v: float
    module_max_v: float


BATTERY_52 = HardwareType("BATTERY_52", 2_200, 14, 3, 42.0, 49.0)
BATTERY_64 = HardwareType("BATTERY_64", 2_800, 14, 5, 40.6, 49.7)
HARDWARE_TYPES = {52: BATTERY_52, 64: BATTERY_64}


def hardware_type(value: float | int | None) -> HardwareType:
    """The module type from 10019 (scaled: 52.0 or 64.0); BATTERY_52 when unknown."""
    if value is None:
        return BATTERY_52
    return HARDWARE_TYPES.get(round(value), BATTERY_52)


@cache
def module_block(tower: int, module: int, kind: HardwareType) -> Block:
    """Cell voltages (mV) and temperatures (0.1 °C) of one module, read in rotation."""
    base = tower_address(tower) + 100 * module + CELL_VOLTAGE_OFFSET
    points = [Point(f"Cell{c:02d}Voltage", c, U16, unit="mV") for c in range(kind.cells)]
    temp_at = CELL_TEMPERATURE_OFFSET - CELL_VOLTAGE_OFFSET
    points += [
        Point(f"Temperature{t}", temp_at + t, S16, -1, unit="C")
        for t in range(kind.temperature_sensors)
    ]
    return Block(
        f"tower{tower}module{module}",
        base,
        RegisterTable(f"fenecon_home.t{tower}m{module}", tuple(points)),
        Priority.LOW,
    )
