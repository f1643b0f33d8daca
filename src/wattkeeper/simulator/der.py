"""The DER models 701-704 of the simulated storage inverter, backed by the same battery."""

from __future__ import annotations

from collections.abc import Mapping

from wattkeeper.protocols.registers import Decoded
from wattkeeper.protocols.sunspec.models import (
    DER_CAPACITY,
    DER_CTL_AC,
    DER_ENTER_SERVICE,
    DER_MEASURE_AC,
)
from wattkeeper.simulator.faults import Fault
from wattkeeper.simulator.storage import Storage


class DerMeasure:
    """Model 701 (DER AC measurement): W > 0 injecting (discharging), < 0 absorbing."""

    table = DER_MEASURE_AC

    def __init__(self, storage: Storage) -> None:
        self.storage = storage

    def values(self) -> Mapping[str, Decoded]:
        power = self.storage.power_w
        return {
            "ACType": 3,
            "St": 2 if self.storage.enter_service else 1,
            "InvSt": 4 if abs(power) > 0.5 else 8,
            "ConnSt": 2,
            "Alrm": 0,
            "W": round(power),
            "VA": round(abs(power)),
            "Var": 0,
            "PF": 1.0,
            "A": round(abs(power) / 230.0, 2),
            "LLV": 400.0,
            "LNV": 230.0,
            "Hz": 50.0,
            "TmpCab": 35.0,
            "A_SF": -2,
            "V_SF": -1,
            "Hz_SF": -2,
            "W_SF": 0,
            "PF_SF": -2,
            "VA_SF": 0,
            "Var_SF": 0,
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
            "WMax": w,
            "VAMax": w,
            "WChaRteMax": w,
            "WDisChaRteMax": w,
            "VNomRtg": 230,
            "W_SF": 0,
            "VA_SF": 0,
            "V_SF": 0,
        }


class DerEnterService:
    """Model 703: ES = 0 keeps the inverter out of service (0 W)."""

    table = DER_ENTER_SERVICE

    def __init__(self, storage: Storage) -> None:
        self.storage = storage

    def values(self) -> Mapping[str, Decoded]:
        return {"ES": self.storage.enter_service, "V_SF": 0, "Hz_SF": -2}

    def write(self, name: str, value: Decoded) -> None:
        if (
            name == "ES"
            and isinstance(value, int)
            and Fault.IGNORE_SETPOINTS not in self.storage.faults
        ):
            self.storage.enter_service = 1 if value else 0
            self.storage.power_w = self.storage.target_power()


class DerControl:
    """Model 704 (DER AC controls), active power only: WSetEna, WSetMod, WSet / WSetPct
    (+ discharge, − charge) and the revert timer WSetRvrtTms: WSetEna falls back to 0 once
    WSetRvrtTms seconds have passed without a new WSet write (0 = never)."""

    table = DER_CTL_AC

    def __init__(self, storage: Storage) -> None:
        self.storage = storage

    def values(self) -> Mapping[str, Decoded]:
        s = self.storage
        return {
            "PFWInjEna": 0,
            "PFWAbsEna": 0,
            "WMaxLimPctEna": 0,
            "WSetEna": s.wset_ena,
            "WSetMod": s.wset_mod,
            "WSet": s.wset,
            "WSetPct": s.wset_pct,
            "WSetRvrtEna": 0,
            "WSetRvrtTms": s.wset_rvrt_tms,
            "WSetRvrtRem": s.wset_remaining(),
            "VarSetEna": 0,
            "WMaxLim_SF": 0,
            "WSet_SF": 0,
            "WSetPct_SF": -1,
        }

    def write(self, name: str, value: Decoded) -> None:
        s = self.storage
        if not isinstance(value, int | float) or Fault.IGNORE_SETPOINTS in s.faults:
            return
        s.writes += 1
        if name == "WSetEna":
            s.wset_ena = 1 if value else 0
        elif name == "WSetMod":
            s.wset_mod = int(value)
        elif name == "WSet":
            s.wset = float(value)
        elif name == "WSetPct":
            s.wset_pct = float(value)
        elif name == "WSetRvrtTms":
            s.wset_rvrt_tms = 0 if Fault.REVERT_ZERO in s.faults else int(value)
        if name in ("WSetEna", "WSet", "WSetPct"):
            s.last_wset_write = s.clock.monotonic()
        s.power_w = s.target_power()
