"""What a hybrid inverter like the Fronius GEN24 serves besides 113 and 124: nameplate (120),
settings (121), status (122), controls (123) and MPPT (160) with its PV strings.

Like the GEN24, model 160 has four modules: the two PV strings ("PV 1", "PV 2") and the
battery's charge and discharge paths ("StCha 3", "StDisCha 4"). The PV power is the
simulated household's; the battery modules show the battery's DC power. Simplification:
the AC power of 113 counts the battery only (the PV reaches the grid meter directly), so
the storage keeps the sign and meaning the edge expects from an AC-coupled battery.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

from wattkeeper.protocols.registers import Decoded, RegisterTable
from wattkeeper.protocols.sunspec.definitions import table as official_table
from wattkeeper.protocols.sunspec.models import MODELS, symbol
from wattkeeper.simulator.faults import MonotonicClock
from wattkeeper.simulator.storage import Storage

#: 160 module IDStr of the battery paths on a GEN24: they are not PV.
BATTERY_MODULES = ("StCha 3", "StDisCha 4")
PV_SHARES = (0.6, 0.4)  # how the PV power splits over the two strings


class Nameplate:
    """Model 120: ratings (a PV + storage DER)."""

    table = MODELS[120]

    def __init__(self, storage: Storage) -> None:
        self.storage = storage

    def values(self) -> Mapping[str, Decoded]:
        w = self.storage.max_w
        return {
            "DERTyp": symbol(self.table, "DERTyp", "PV_STOR"),
            "WRtg": w,
            "WRtg_SF": 0,
            "VARtg": w,
            "VARtg_SF": 0,
            **{f"VArRtgQ{q}": (w if q < 3 else -w) // 2 for q in (1, 2, 3, 4)},
            "VArRtg_SF": 0,
            "ARtg": round(w / 690.0, 1),
            "ARtg_SF": -1,
            **{f"PFRtgQ{q}": 0.8 if q in (1, 4) else -0.8 for q in (1, 2, 3, 4)},
            "PFRtg_SF": -3,
            "WHRtg": round(self.storage.capacity_wh),
            "WHRtg_SF": 0,
            "MaxChaRte": w,
            "MaxChaRte_SF": 0,
            "MaxDisChaRte": w,
            "MaxDisChaRte_SF": 0,
        }


class Settings:
    """Model 121: the configured limits."""

    table = MODELS[121]

    def __init__(self, storage: Storage) -> None:
        self.storage = storage

    def values(self) -> Mapping[str, Decoded]:
        return {
            "WMax": self.storage.max_w,
            "VRef": 230,
            "VRefOfs": 0,
            "VAMax": self.storage.max_w,
            "WMax_SF": 0,
            "VRef_SF": 0,
            "VRefOfs_SF": 0,
            "VAMax_SF": 0,
        }


class Status:
    """Model 122: PV and storage connected and operating, grid connected."""

    table = MODELS[122]

    def values(self) -> Mapping[str, Decoded]:
        operating = 0b111  # CONNECTED, AVAILABLE, OPERATING
        return {"PVConn": operating, "StorConn": operating, "ECPConn": 1, "StActCtl": 0}


class Controls:
    """Model 123: connected, no power limit, no power-factor or var setpoint in force."""

    table = MODELS[123]

    def values(self) -> Mapping[str, Decoded]:
        return {
            "Conn": symbol(self.table, "Conn", "CONNECT"),
            "WMaxLimPct": 100,
            "WMaxLim_Ena": 0,
            "OutPFSet": 1.0,
            "OutPFSet_Ena": 0,
            "VArPct_Ena": 0,
            "WMaxLimPct_SF": 0,
            "OutPFSet_SF": -3,
            "VArPct_SF": 0,
        }


class Mppt:
    """Model 160 with the GEN24's four modules; DCWH counts each module's energy."""

    table: RegisterTable = official_table(160, {"module": 4})

    def __init__(self, clock: MonotonicClock, storage: Storage, pv: Callable[[], float]) -> None:
        self.clock = clock
        self.storage = storage
        self.pv = pv
        self.pv_wh = [100_000.0 * share for share in PV_SHARES]
        self._last = clock.monotonic()

    def advance(self) -> None:
        now = self.clock.monotonic()
        dt, self._last = max(now - self._last, 0.0), now
        power = max(self.pv(), 0.0)
        for index, share in enumerate(PV_SHARES):
            self.pv_wh[index] += power * share * dt / 3600.0

    def values(self) -> Mapping[str, Decoded]:
        pv = max(self.pv(), 0.0)
        battery = self.storage.power_w
        volts = self.storage.battery_voltage
        modules = [
            ("PV 1", pv * PV_SHARES[0], 420.0, self.pv_wh[0]),
            ("PV 2", pv * PV_SHARES[1], 380.0, self.pv_wh[1]),
            (BATTERY_MODULES[0], max(-battery, 0.0), volts, self.storage.charged_wh),
            (BATTERY_MODULES[1], max(battery, 0.0), volts, self.storage.discharged_wh),
        ]
        values: dict[str, Decoded] = {
            "DCA_SF": -2,
            "DCV_SF": -1,
            "DCW_SF": 0,
            "DCWH_SF": 0,
            "Evt": 0,
            "N": len(modules),
            "TmsPer": 0,
        }
        for index, (name, watts, volts_at, energy) in enumerate(modules):
            prefix = f"module[{index}]."
            values |= {
                prefix + "ID": index + 1,
                prefix + "IDStr": name,
                prefix + "DCA": round(watts / volts_at, 2),
                prefix + "DCV": round(volts_at, 1),
                prefix + "DCW": round(watts),
                prefix + "DCWH": round(energy),
                prefix + "DCSt": symbol(self.table, prefix + "DCSt", "MPPT"),
                prefix + "DCEvt": 0,
            }
        return values
