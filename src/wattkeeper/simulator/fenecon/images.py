"""Register images of the simulated GoodWe inverter (unit 247) and FENECON Home battery
(unit 1): the physics rendered into the tables of `wattkeeper.protocols`, and writes applied.

Reads outside the served ranges, and writes outside the writable blocks, are refused
(`WriteRefused` → Modbus exception 2, illegal data address).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping, Sequence

from wattkeeper.protocols import fenecon_home as fh
from wattkeeper.protocols.goodwe import tables as gw
from wattkeeper.protocols.goodwe.modes import EmsPowerMode
from wattkeeper.protocols.poll_plan import Block
from wattkeeper.protocols.registers import Decoded
from wattkeeper.simulator.faults import WriteRefused
from wattkeeper.simulator.fenecon.physics import (
    CELL_MAX_LIMIT_MV,
    CELL_MIN_LIMIT_MV,
    HomeBattery,
    HybridInverter,
)

Thunk = Callable[[], Mapping[str, Decoded]]

SERIAL_NUMBER = "9010KETU00SIM001"  # an FHI-10-DAH (ET family) serial pattern
MODEL_NAME = "GW10K-ET  "  # space-padded: the goodwe library takes NUL padding for UTF-16


def render(block: Block, values: Mapping[str, Decoded]) -> list[int]:
    return block.encode(values)


class Image:
    """Served ranges of registers, filled from blocks when read."""

    ranges: tuple[tuple[int, int], ...] = ()

    def blocks(self) -> list[tuple[Block, Thunk]]:
        """Every block with a function computing its values (called only when read)."""
        raise NotImplementedError

    def served(self, address: int, count: int) -> bool:
        return any(
            start <= address and address + count <= start + size for start, size in self.ranges
        )

    def write(self, address: int, values: Sequence[int]) -> None:
        """What a client writes; an image without writable registers refuses it."""
        raise WriteRefused(f"write {address}+{len(values)}: read-only device")

    def read(self, address: int, count: int) -> list[int]:
        if not self.served(address, count):
            raise WriteRefused(f"read {address}+{count}: not served")
        words = [0] * count
        end = address + count
        for block, values in self.blocks():
            if block.end <= address or block.address >= end:
                continue
            rendered = render(block, values())
            for i, word in enumerate(rendered):
                reg = block.address + i
                if address <= reg < end:
                    words[reg - address] = word
        return words


def _within(block: Block, address: int, values: Sequence[int]) -> bool:
    return block.address <= address and address + len(values) <= block.end


def _decode_into(
    block: Block, address: int, values: Sequence[int], current: list[int]
) -> dict[str, Decoded]:
    current[address - block.address : address - block.address + len(values)] = list(values)
    return block.decode(current)


class InverterImage(Image):
    """GoodWe ET registers of unit 247."""

    ranges = ((35000, 400), (36000, 125), (37000, 100), (45350, 20), (47500, 47), (47900, 20))

    def __init__(
        self,
        inverter: HybridInverter,
        *,
        ignore_setpoints: bool = False,
        wall: Callable[[], float] = time.time,
    ) -> None:
        self.inverter = inverter
        self.wall = wall
        self.ignore_setpoints = ignore_setpoints
        self.wbms_words = [0] * gw.WBMS.count
        self.limit_words = [0] * gw.BMS_LIMITS.count
        self.limit_writes = 0

    def blocks(self) -> list[tuple[Block, Thunk]]:
        inv = self.inverter
        bat = inv.battery
        relay = inv.relayed
        pv1, pv2 = 0.6 * inv.pv_w, 0.4 * inv.pv_w
        power = bat.power_w
        mode = 1 if abs(power) < 1 else (2 if power > 0 else 3)
        meter = -inv.grid_w  # GoodWe meter: + feed-in
        now = time.gmtime(self.wall())
        return [
            (
                gw.CLOCK,
                lambda: {
                    "YearMonth": ((now.tm_year - 2000) << 8) | now.tm_mon,
                    "DayHour": (now.tm_mday << 8) | now.tm_hour,
                    "MinuteSecond": (now.tm_min << 8) | now.tm_sec,
                },
            ),
            (
                gw.DEVICE_INFO,
                lambda: {
                    "ModbusVersion": 1,
                    "RatedPower": inv.rated_w,
                    "AcOutputType": 1,
                    "SerialNumber": SERIAL_NUMBER,
                    "ModelName": MODEL_NAME,
                    "DspVersion": 7,
                    "Dsp2Version": 7,
                    "ArmVersion": 18,
                    "DspFirmware": "04029-07-S00",
                    "ArmFirmware": "02041-18-S00",
                },
            ),
            (
                gw.PV,
                lambda: {
                    "Pv1Voltage": 420.0,
                    "Pv1Current": round(pv1 / 420.0, 1),
                    "Pv1Power": round(pv1),
                    "Pv2Voltage": 380.0,
                    "Pv2Current": round(pv2 / 380.0, 1),
                    "Pv2Power": round(pv2),
                },
            ),
            (
                gw.AC,
                lambda: {
                    "GridMode": 1,
                    "TotalInverterPower": round(inv.ac_w),
                    "GridActivePower": round(meter),
                },
            ),
            (
                gw.BATTERY,
                lambda: {
                    "BatteryVoltage": round(bat.voltage, 1),
                    "BatteryCurrent": round(bat.current, 1),
                    "BatteryPower": round(power),
                    "BatteryMode": mode,
                },
            ),
            (
                gw.METER_POWER,
                lambda: {
                    "MeterActivePowerL1": round(meter / 3),
                    "MeterActivePowerL2": round(meter / 3),
                    "MeterActivePowerL3": round(meter / 3),
                    "MeterActivePower": round(meter),
                },
            ),
            (
                gw.ENERGY,
                lambda: {
                    "WorkMode": 1,
                    "ErrorCodes": 0,
                    "PvEnergyTotal": round(inv.pv_wh / 1000, 1),
                    "ExportEnergyTotal": round(inv.export_wh / 1000, 1),
                    "ImportEnergyTotal": round(inv.import_wh / 1000, 1),
                    "BatteryChargeTotal": round(inv.charge_wh / 1000, 1),
                    "BatteryDischargeTotal": round(inv.discharge_wh / 1000, 1),
                },
            ),
            (
                gw.METER,
                lambda: {
                    "MeterCommStatus": 1,
                    "MeterPowerL1": round(meter / 3),
                    "MeterPowerL2": round(meter / 3),
                    "MeterPowerL3": round(meter / 3),
                    "MeterPowerTotal": round(meter),
                    "MeterReactivePower": 0,
                    "MeterFrequency": 50.0,
                    "MeterExportEnergy": inv.export_wh,
                    "MeterImportEnergy": inv.import_wh,
                },
            ),
            (
                gw.BMS_INFO,
                lambda: {
                    # the inverter shows what its BMS (here: the EMS relay) told it
                    "BmsId": 1,
                    "BmsStatus": relay.status,
                    "BmsTemperature": gw.WBMS.decode(self.wbms_words).get("WbmsTemperature"),
                    "BmsChargeImax": round(relay.charge_max_current),
                    "BmsDischargeImax": round(relay.discharge_max_current),
                    "BmsSoc": round(relay.soc),
                    "BmsSoh": gw.WBMS.decode(self.wbms_words).get("WbmsSoh"),
                    "BmsStrings": 1,
                    "BmsWarningL": 0,
                    "BmsErrorL": 0,
                },
            ),
            (gw.EMS, lambda: {"EmsPowerMode": inv.ems_mode, "EmsPowerSet": inv.ems_power}),
            (gw.WBMS, lambda: gw.WBMS.decode(self.wbms_words)),
            (gw.BMS_LIMITS, lambda: gw.BMS_LIMITS.decode(self.limit_words)),
        ]

    def write(self, address: int, values: Sequence[int]) -> None:
        inv = self.inverter
        if _within(gw.EMS, address, values):
            current = [inv.ems_mode, inv.ems_power]
            decoded = _decode_into(gw.EMS, address, values, current)
            inv.ems_writes += 1
            if self.ignore_setpoints:
                return
            mode, power = decoded.get("EmsPowerMode"), decoded.get("EmsPowerSet")
            if mode not in {m.value for m in EmsPowerMode}:
                raise WriteRefused(f"47511: unknown EMS mode {mode}")
            inv.ems_mode = int(mode) if isinstance(mode, int) else inv.ems_mode
            inv.ems_power = int(power) if isinstance(power, int) else 0
        elif _within(gw.WBMS, address, values):
            decoded = _decode_into(gw.WBMS, address, values, self.wbms_words)
            relay = inv.relayed
            relay.charge_max_current = float(decoded.get("WbmsChargeMaxCurrent") or 0)
            relay.discharge_max_current = float(decoded.get("WbmsDischargeMaxCurrent") or 0)
            relay.status = int(decoded.get("WbmsStatus") or 0)
            relay.soc = float(decoded.get("WbmsSoc") or 0)
            relay.at = inv.clock.monotonic()
        elif _within(gw.BMS_LIMITS, address, values):
            _decode_into(gw.BMS_LIMITS, address, values, self.limit_words)
            self.limit_writes += 1
        else:
            raise WriteRefused(f"write {address}+{len(values)}: not writable")


class BatteryImage(Image):
    """FENECON Home BMS registers of unit 1 (one tower)."""

    ranges = (
        (500, 29),
        (fh.tower_address(0), 2000),
        *((fh.tower_address(t), 100) for t in range(1, fh.MAX_TOWERS)),
        (44000, 3),
    )

    def __init__(self, battery: HomeBattery) -> None:
        self.battery = battery

    def blocks(self) -> list[tuple[Block, Thunk]]:
        bat = self.battery
        cells = bat.cell_voltages()
        low_t, high_t = bat.temperatures()
        blocks: list[tuple[Block, Thunk]] = [(fh.STATUS, self._status)]
        blocks.append(
            (
                fh.tower_block(0),
                lambda: {
                    "SoftwareVersion": 0x0110,
                    "HardwareType": float(bat.kind.name.split("_")[1]),
                    "ModulesPerTower": bat.modules,
                },
            )
        )
        per = bat.kind.cells
        for module in range(1, bat.modules + 1):

            def module_values(module: int = module) -> Mapping[str, Decoded]:
                values: dict[str, Decoded] = {
                    f"Cell{c:02d}Voltage": cells[(module - 1) * per + c] for c in range(per)
                }
                for t in range(bat.kind.temperature_sensors):
                    values[f"Temperature{t}"] = high_t if t == 0 else low_t
                return values

            blocks.append((fh.module_block(0, module, bat.kind), module_values))
        return blocks

    def _status(self) -> Mapping[str, Decoded]:
        bat = self.battery
        cells = bat.cell_voltages()
        low_t, high_t = bat.temperatures()
        charge_a, discharge_a = bat.current_limits()
        status: dict[str, Decoded] = {
            "PreAlarm": 0,
            "Level1Alarm": 1 << 4 if bat.alarm else 0,  # over temperature
            "Level2Alarm": 0,
            "AlarmPositionBcu": 1 if bat.alarm else 0,
            "WarningPositionBcu": 0,
            "FaultPositionBcu": 0,
            "Voltage": round(bat.voltage, 1),
            "Current": round(bat.current, 1),
            "Soc": round(bat.soc, 1),
            "Soh": 100.0,
            "MinCellVoltage": min(cells),
            "MinCellVoltageId": cells.index(min(cells)),
            "MaxCellVoltage": max(cells),
            "MaxCellVoltageId": cells.index(max(cells)),
            "MinCellTemperature": low_t,
            "MinTemperatureId": 0,
            "MaxCellTemperature": high_t,
            "MaxTemperatureId": 1,
            "ChargeMaxCurrent": round(charge_a, 1),
            "DischargeMaxCurrent": round(discharge_a, 1),
            "ChargeMaxCurrentPerBcu": round(charge_a, 1),
            "DischargeMaxCurrentPerBcu": round(discharge_a, 1),
            "NumberOfBcu": 1,
            "CellsPerModule": bat.kind.cells,
            "MaxCellVoltageLimit": CELL_MAX_LIMIT_MV,
            "MinCellVoltageLimit": CELL_MIN_LIMIT_MV,
            "HardwareFault": 0,
            "SystemFault": 0,
            "UpperVoltage": 0,
        }
        return status

    def write(self, address: int, values: Sequence[int]) -> None:
        raise WriteRefused(f"write {address}: the battery is read-only")
