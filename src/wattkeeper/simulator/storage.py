"""The simulated storage inverter: battery physics behind SunSpec models 1, 103 (or 113) and
124; the DER models on the same battery live in `der.py`."""

from __future__ import annotations

from collections.abc import Mapping

from wattkeeper.drivers.simulated.physics import derate, integrate
from wattkeeper.protocols.registers import Decoded, RegisterTable
from wattkeeper.protocols.sunspec.models import (
    COMMON,
    DISABLED,
    MODELS,
    STORAGE,
    STORCTL_CHARGE,
    STORCTL_DISCHARGE,
    WSET_MOD_PCT,
    WSET_MOD_WATTS,
)
from wattkeeper.simulator.faults import Fault, Faults, MonotonicClock


class Common:
    table = COMMON

    def __init__(self, model: str, serial: str, unit: int) -> None:
        self._values: dict[str, Decoded] = {
            "Mn": "wattkeeper",
            "Md": model,
            "Opt": "simulator",
            "Vr": "1.0.0",
            "SN": serial,
            "DA": unit,
        }

    def values(self) -> Mapping[str, Decoded]:
        return self._values


class Storage:
    """A battery behind an AC-coupled inverter, with SunSpec 124 control."""

    table = STORAGE

    def __init__(
        self,
        clock: MonotonicClock,
        faults: Faults,
        *,
        capacity_wh: float = 10_000.0,
        max_w: int = 5_000,
        initial_soc: float = 50.0,
        min_reserve_pct: float = 5.0,
    ) -> None:
        self.clock = clock
        self.faults = faults
        self.capacity_wh = capacity_wh
        self.max_w = max_w
        self.min_reserve_pct = min_reserve_pct
        self.energy_wh = capacity_wh * initial_soc / 100.0
        self.storctl_mod = 0
        self.out_wrte = 100.0
        self.in_wrte = 100.0
        self.win_tms = 0
        self.rvrt_tms = 0  # devices ship with the 124 revert timer off (a Fronius GEN24 too)
        self.rmp_tms = 0
        self.cha_gri_set = 1
        # DER control (704 WSet*) and enter service (703 ES); WSet: + discharge, − charge
        self.enter_service = 1
        self.wset_ena = 0
        self.wset_mod = WSET_MOD_WATTS
        self.wset = 0.0
        self.wset_pct = 0.0
        self.wset_rvrt_tms = 0
        self.wset_ena_rvrt = DISABLED  # what WSetEna falls back to when the timer expires
        self.last_wset_write: float | None = None
        self.power_w = 0.0  # what flows now: + discharge, − charge
        self.discharged_wh = 1_000_000.0  # lifetime counters (non-zero: 0 means "not implemented")
        self.charged_wh = 1_000_000.0
        self.last_rate_write: float | None = None
        self.writes = 0
        self._last = clock.monotonic()

    @property
    def soc(self) -> float:
        return 100.0 * self.energy_wh / self.capacity_wh

    @property
    def battery_voltage(self) -> float:
        return 380.0 + 0.4 * self.soc

    def advance(self) -> None:
        """Integrate the energy up to now and take the power for what comes next."""
        now = self.clock.monotonic()
        dt = max(now - self._last, 0.0)
        self._last = now
        if dt > 0:
            step = integrate(self.energy_wh, self.capacity_wh, self.power_w, dt)
            self.energy_wh = step.energy_wh
            if step.power_w > 0:
                self.discharged_wh += step.power_w * dt / 3600.0
            else:
                self.charged_wh -= step.power_w * dt / 3600.0
        self._revert_if_due(now)
        self.power_w = self.target_power()

    def _revert_if_due(self, now: float) -> None:
        if Fault.REVERT_BROKEN in self.faults:
            return
        rate_at, wset_at = self.last_rate_write, self.last_wset_write
        if rate_at is not None and self.rvrt_tms > 0 and now - rate_at >= self.rvrt_tms:
            self.storctl_mod = 0
            self.out_wrte = self.in_wrte = 100.0
            self.last_rate_write = None
        if wset_at is not None and self.wset_rvrt_tms > 0 and now - wset_at >= self.wset_rvrt_tms:
            self.wset_ena = self.wset_ena_rvrt
            self.last_wset_write = None

    def wset_remaining(self) -> int:
        """Seconds until 704 WSet reverts (0: no timer running)."""
        if self.last_wset_write is None or self.wset_rvrt_tms <= 0 or not self.wset_ena:
            return 0
        left = self.wset_rvrt_tms - (self.clock.monotonic() - self.last_wset_write)
        return max(int(left + 0.999), 0)

    def target_power(self) -> float:
        if not self.enter_service:
            return 0.0
        if self.wset_ena:
            wanted = (
                self.wset if self.wset_mod != WSET_MOD_PCT else self.max_w * self.wset_pct / 100
            )
            return self._feasible(wanted)
        low = -self.max_w * self.in_wrte / 100.0 if self.storctl_mod & STORCTL_CHARGE else None
        high = self.max_w * self.out_wrte / 100.0 if self.storctl_mod & STORCTL_DISCHARGE else None
        power = 0.0
        if low is not None:
            power = max(power, low)
        if high is not None:
            power = min(power, high)
        return self._feasible(power)

    def _feasible(self, power: float) -> float:
        power = min(max(power, -float(self.max_w)), float(self.max_w))
        charge_factor, discharge_factor = derate(self.soc)
        if power > 0:
            allowed = self.soc > self.min_reserve_pct
            power *= discharge_factor if allowed else 0.0
        elif power < 0:
            power *= charge_factor
        return power

    def charge_status(self) -> int:
        if self.soc <= self.min_reserve_pct and self.power_w >= 0:
            return 2  # EMPTY
        if self.soc >= 100.0 and self.power_w <= 0:
            return 5  # FULL
        if self.power_w > 0.5:
            return 3  # DISCHARGING
        if self.power_w < -0.5:
            return 4  # CHARGING
        return 6  # HOLDING

    def values(self) -> Mapping[str, Decoded]:
        voltage = self.battery_voltage
        usable_wh = max(self.energy_wh - self.capacity_wh * self.min_reserve_pct / 100.0, 0.0)
        return {
            "WChaMax": self.max_w,
            "WChaGra": 100,
            "WDisChaGra": 100,
            "StorCtl_Mod": self.storctl_mod,
            "VAChaMax": self.max_w,
            "MinRsvPct": self.min_reserve_pct,
            "ChaState": round(self.soc, 1),
            "StorAval": round(usable_wh / voltage, 2),
            "InBatV": round(voltage, 1),
            "ChaSt": self.charge_status(),
            "OutWRte": self.out_wrte,
            "InWRte": self.in_wrte,
            "InOutWRte_WinTms": self.win_tms,
            "InOutWRte_RvrtTms": self.rvrt_tms,
            "InOutWRte_RmpTms": self.rmp_tms,
            "ChaGriSet": self.cha_gri_set,
            "WChaMax_SF": 0,
            "WChaDisChaGra_SF": 0,
            "VAChaMax_SF": 0,
            "MinRsvPct_SF": -1,
            "ChaState_SF": -1,
            "StorAval_SF": -2,
            "InBatV_SF": -1,
            "InOutWRte_SF": -2,
        }

    def write(self, name: str, value: Decoded) -> None:
        if not isinstance(value, int | float):
            return
        if Fault.IGNORE_SETPOINTS in self.faults:
            return  # acknowledged on the bus, dropped here
        self.writes += 1
        if name == "StorCtl_Mod":
            self.storctl_mod = int(value) & 0x3
        elif name == "OutWRte":
            self.out_wrte = float(value)
        elif name == "InWRte":
            self.in_wrte = float(value)
        elif name == "InOutWRte_RvrtTms":
            self.rvrt_tms = 0 if Fault.REVERT_ZERO in self.faults else int(value)
        elif name == "InOutWRte_WinTms":
            self.win_tms = int(value)
        elif name == "InOutWRte_RmpTms":
            self.rmp_tms = int(value)
        elif name == "ChaGriSet":
            self.cha_gri_set = int(value)
        elif name == "MinRsvPct":
            self.min_reserve_pct = float(value)
        elif name == "WChaMax":
            self.max_w = int(value)
        if name in ("StorCtl_Mod", "OutWRte", "InWRte"):
            self.last_rate_write = self.clock.monotonic()
        self.power_w = self.target_power()


class Inverter:
    """Model 103 (or its float twin 113) of the storage inverter: AC side of the battery
    (W > 0: discharging). The float model ignores the scale factors given here."""

    def __init__(self, storage: Storage, model_id: int = 103) -> None:
        self.storage = storage
        self.table: RegisterTable = MODELS[model_id]

    def values(self) -> Mapping[str, Decoded]:
        power = self.storage.power_w
        phase_current = abs(power) / (3 * 230.0)
        state = 4 if abs(power) > 0.5 else 8  # MPPT (operating) / STANDBY
        return {
            "A": round(3 * phase_current, 2),
            "AphA": round(phase_current, 2),
            "AphB": round(phase_current, 2),
            "AphC": round(phase_current, 2),
            "A_SF": -2,
            "PPVphAB": 400.0,
            "PPVphBC": 400.0,
            "PPVphCA": 400.0,
            "PhVphA": 230.0,
            "PhVphB": 230.0,
            "PhVphC": 230.0,
            "V_SF": -1,
            "W": round(power),
            "W_SF": 0,
            "Hz": 50.0,
            "Hz_SF": -2,
            "VA": round(abs(power)),
            "VA_SF": 0,
            "VAr": 0,
            "VAr_SF": 0,
            "PF": 100 if power >= 0 else -100,
            "PF_SF": 0,
            "WH": round(self.storage.discharged_wh),
            "WH_SF": 0,
            "DCA": round(abs(power) / self.storage.battery_voltage, 2),
            "DCA_SF": -2,
            "DCV": round(self.storage.battery_voltage, 1),
            "DCV_SF": -1,
            "DCW": round(power),
            "DCW_SF": 0,
            "TmpCab": 35.0,
            "Tmp_SF": -1,
            "St": state,
            "Evt1": 0,
            "Evt2": 0,
        }
