"""The DER models of the simulated storage inverter (701-704, 713, 714), backed by one battery.

Enum values are taken from the official definitions by symbol name (701 InvSt counts from
0, 704 WSetMod WATTS is 1), so the simulator cannot disagree with the specification.
"""

from __future__ import annotations

from collections.abc import Mapping

from wattkeeper.protocols.registers import Decoded, RegisterTable
from wattkeeper.protocols.sunspec.definitions import table as official_table
from wattkeeper.protocols.sunspec.models import (
    DER_CAPACITY,
    DER_CTL_AC,
    DER_ENTER_SERVICE,
    DER_MEASURE_AC,
    DER_STORAGE_CAPACITY,
    DISABLED,
    ENABLED,
    PORT_ESS,
    symbol,
)
from wattkeeper.simulator.faults import Fault
from wattkeeper.simulator.storage import Storage

_RUNNING = symbol(DER_MEASURE_AC, "InvSt", "RUNNING")
_STANDBY = symbol(DER_MEASURE_AC, "InvSt", "STANDBY")
_ON, _OFF = symbol(DER_MEASURE_AC, "St", "ON"), symbol(DER_MEASURE_AC, "St", "OFF")


class DerMeasure:
    """Model 701 (DER AC measurement): W > 0 injecting (discharging), < 0 absorbing."""

    table = DER_MEASURE_AC

    def __init__(self, storage: Storage) -> None:
        self.storage = storage

    def values(self) -> Mapping[str, Decoded]:
        s = self.storage
        power = s.power_w
        return {
            "ACType": symbol(DER_MEASURE_AC, "ACType", "THREE_PHASE"),
            "St": _ON if s.enter_service else _OFF,
            "InvSt": _RUNNING if abs(power) > 0.5 else _STANDBY,
            "ConnSt": symbol(DER_MEASURE_AC, "ConnSt", "CONNECTED"),
            "Alrm": 0,
            "W": round(power),
            "VA": round(abs(power)),
            "Var": 0,
            "PF": 1.0 if power >= 0 else -1.0,
            "A": round(abs(power) / 400.0 / 1.732, 2),
            "LLV": 400.0,
            "LNV": 230.0,
            "Hz": 50.0,
            "TotWhInj": round(s.discharged_wh),
            "TotWhAbs": round(s.charged_wh),
            "TmpCab": 35.0,
            "A_SF": -2,
            "V_SF": -1,
            "Hz_SF": -2,
            "W_SF": 0,
            "PF_SF": -2,
            "VA_SF": 0,
            "Var_SF": 0,
            "TotWh_SF": 0,
            "Tmp_SF": -1,
        }


class DerCapacity:
    """Model 702 (DER capacity): ratings and settings from the battery's maximum power."""

    table = DER_CAPACITY

    def __init__(self, storage: Storage) -> None:
        self.storage = storage

    def values(self) -> Mapping[str, Decoded]:
        w = self.storage.max_w
        return {
            "WMaxRtg": w,
            "VAMaxRtg": w,
            "WChaRteMaxRtg": w,
            "WDisChaRteMaxRtg": w,
            "VNomRtg": 230,
            "WMax": w,
            "VAMax": w,
            "WChaRteMax": w,
            "WDisChaRteMax": w,
            "PFOvrExt": 0.9,
            "PFUndExt": 0.9,
            "W_SF": 0,
            "PF_SF": -2,
            "VA_SF": 0,
            "V_SF": 0,
        }


class DerEnterService:
    """Model 703: ES = DISABLED keeps the inverter out of service (0 W)."""

    table = DER_ENTER_SERVICE

    def __init__(self, storage: Storage) -> None:
        self.storage = storage

    def values(self) -> Mapping[str, Decoded]:
        return {"ES": ENABLED if self.storage.enter_service else DISABLED, "V_SF": 0, "Hz_SF": -2}

    def write(self, name: str, value: Decoded) -> None:
        if (
            name == "ES"
            and isinstance(value, int)
            and Fault.IGNORE_SETPOINTS not in self.storage.faults
        ):
            self.storage.enter_service = 1 if value == ENABLED else 0
            self.storage.power_w = self.storage.target_power()


class DerControl:
    """Model 704 (DER AC controls), active power only: WSetEna, WSetMod, WSet / WSetPct
    (+ discharge, − charge) and the revert timer WSetRvrtTms: once WSetRvrtTms seconds have
    passed without a new WSet write, WSetEna takes the value of WSetEnaRvrt (0 = never)."""

    table = DER_CTL_AC

    def __init__(self, storage: Storage) -> None:
        self.storage = storage

    def values(self) -> Mapping[str, Decoded]:
        s = self.storage
        return {
            "PFWInjEna": DISABLED,
            "PFWAbsEna": DISABLED,
            "WMaxLimPctEna": DISABLED,
            "WSetEna": s.wset_ena,
            "WSetMod": s.wset_mod,
            "WSet": s.wset,
            "WSetPct": s.wset_pct,
            "WSetEnaRvrt": s.wset_ena_rvrt,
            "WSetRvrtTms": s.wset_rvrt_tms,
            "WSetRvrtRem": s.wset_remaining(),
            "VarSetEna": DISABLED,
            "WMaxLimPct_SF": 0,
            "WSet_SF": 0,
            "WSetPct_SF": -1,
        }

    def write(self, name: str, value: Decoded) -> None:
        s = self.storage
        if not isinstance(value, int | float) or Fault.IGNORE_SETPOINTS in s.faults:
            return
        s.writes += 1
        if name == "WSetEna":
            s.wset_ena = ENABLED if value == ENABLED else DISABLED
        elif name == "WSetMod":
            s.wset_mod = int(value)
        elif name == "WSet":
            s.wset = float(value)
        elif name == "WSetPct":
            s.wset_pct = float(value)
        elif name == "WSetEnaRvrt":
            s.wset_ena_rvrt = int(value)
        elif name == "WSetRvrtTms":
            s.wset_rvrt_tms = 0 if Fault.REVERT_ZERO in s.faults else int(value)
        if name in ("WSetEna", "WSet", "WSetPct"):
            s.last_wset_write = s.clock.monotonic()
        s.power_w = s.target_power()


class DerStorageCapacity:
    """Model 713 (DER storage capacity): energy rating, available energy, SoC, SoH."""

    table = DER_STORAGE_CAPACITY

    def __init__(self, storage: Storage) -> None:
        self.storage = storage

    def values(self) -> Mapping[str, Decoded]:
        s = self.storage
        return {
            "WHRtg": round(s.capacity_wh),
            "WHAvail": round(s.energy_wh),  # WHRtg × SoC × SoH, SoH 100 %
            "SoC": round(s.soc, 1),
            "SoH": 100.0,
            "Sta": symbol(DER_STORAGE_CAPACITY, "Sta", "OK"),
            "WH_SF": 0,
            "Pct_SF": -1,
        }


class DerMeasureDc:
    """Model 714 (DER DC measurement) with one port, the battery (type ESS): DCW > 0 while it
    discharges into the inverter; DCWhInj / DCWhAbs its discharged / charged energy."""

    table: RegisterTable = official_table(714, {"Prt": 1})

    def __init__(self, storage: Storage) -> None:
        self.storage = storage

    def values(self) -> Mapping[str, Decoded]:
        s = self.storage
        volts = s.battery_voltage
        power = round(s.power_w)
        amps = round(s.power_w / volts, 2)
        common = {"DCA": amps, "DCW": power, "DCWhInj": round(s.discharged_wh)}
        return {
            "PrtAlrms": 0,
            "NPrt": 1,
            **common,
            "DCWhAbs": round(s.charged_wh),
            "DCA_SF": -2,
            "DCV_SF": -1,
            "DCW_SF": 0,
            "DCWH_SF": 0,
            "Tmp_SF": -1,
            "Prt[0].PrtTyp": PORT_ESS,
            "Prt[0].ID": 1,
            "Prt[0].IDStr": "Battery",
            **{f"Prt[0].{name}": value for name, value in common.items()},
            "Prt[0].DCV": round(volts, 1),
            "Prt[0].DCWhAbs": round(s.charged_wh),
            "Prt[0].Tmp": 25.0,
            "Prt[0].DCAlrm": 0,
        }
