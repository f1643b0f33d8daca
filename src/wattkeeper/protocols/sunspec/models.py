"""SunSpec model definitions as register tables.

Offsets count from the model's first register, the model ID (offset 0) and its length L
(offset 1); points start at offset 2 and a model takes L + 2 registers. The DER models
701-704 are defined in `der_models.py` and registered in `MODELS` here. Point names are the
SunSpec names. Integer models scale by scale-factor points (`*_SF`); the 11x models are
their float32 twins without scale factors.
"""

from __future__ import annotations

from wattkeeper.protocols.registers import Point, RegisterTable, RegType
from wattkeeper.protocols.sunspec.base import (
    ACC32,
    BF16,
    BF32,
    E16,
    F32,
    HEADER,
    I16,
    INVERTER_STATES,
    PAD,
    RW,
    SF,
    STR,
    U16,
)
from wattkeeper.protocols.sunspec.der_models import (
    DER_CAPACITY,
    DER_CTL_AC,
    DER_ENABLE,
    DER_ENTER_SERVICE,
    DER_MEASURE_AC,
    WSET_MOD_PCT,
    WSET_MOD_WATTS,
)

#: Inverter operating state (St) of models 101-103 and 111-113.

#: Charge status (ChaSt) of model 124.
CHARGE_STATES = {
    1: "OFF",
    2: "EMPTY",
    3: "DISCHARGING",
    4: "CHARGING",
    5: "FULL",
    6: "HOLDING",
    7: "TESTING",
}

#: StorCtl_Mod bits of model 124: which of InWRte / OutWRte are in force.
STORCTL_CHARGE = 0x0001
STORCTL_DISCHARGE = 0x0002

COMMON = RegisterTable(
    "common",
    (
        *HEADER,
        Point("Mn", 2, STR, size=16, text="Manufacturer"),
        Point("Md", 18, STR, size=16, text="Model"),
        Point("Opt", 34, STR, size=8, text="Options"),
        Point("Vr", 42, STR, size=8, text="Version"),
        Point("SN", 50, STR, size=16, text="Serial number"),
        Point("DA", 66, U16, access=RW, text="Modbus device address"),
        Point("Pad", 67, PAD, size=1),
    ),
)


def _inverter_int(name: str) -> RegisterTable:
    return RegisterTable(
        name,
        (
            *HEADER,
            Point("A", 2, U16, "A_SF", unit="A"),
            Point("AphA", 3, U16, "A_SF", unit="A"),
            Point("AphB", 4, U16, "A_SF", unit="A"),
            Point("AphC", 5, U16, "A_SF", unit="A"),
            Point("A_SF", 6, SF),
            Point("PPVphAB", 7, U16, "V_SF", unit="V"),
            Point("PPVphBC", 8, U16, "V_SF", unit="V"),
            Point("PPVphCA", 9, U16, "V_SF", unit="V"),
            Point("PhVphA", 10, U16, "V_SF", unit="V"),
            Point("PhVphB", 11, U16, "V_SF", unit="V"),
            Point("PhVphC", 12, U16, "V_SF", unit="V"),
            Point("V_SF", 13, SF),
            Point("W", 14, I16, "W_SF", unit="W", text="AC power, + out of the inverter"),
            Point("W_SF", 15, SF),
            Point("Hz", 16, U16, "Hz_SF", unit="Hz"),
            Point("Hz_SF", 17, SF),
            Point("VA", 18, I16, "VA_SF", unit="VA"),
            Point("VA_SF", 19, SF),
            Point("VAr", 20, I16, "VAr_SF", unit="var"),
            Point("VAr_SF", 21, SF),
            Point("PF", 22, I16, "PF_SF", unit="Pct"),
            Point("PF_SF", 23, SF),
            Point("WH", 24, ACC32, "WH_SF", unit="Wh", text="AC lifetime energy production"),
            Point("WH_SF", 26, SF),
            Point("DCA", 27, U16, "DCA_SF", unit="A"),
            Point("DCA_SF", 28, SF),
            Point("DCV", 29, U16, "DCV_SF", unit="V"),
            Point("DCV_SF", 30, SF),
            Point("DCW", 31, I16, "DCW_SF", unit="W"),
            Point("DCW_SF", 32, SF),
            Point("TmpCab", 33, I16, "Tmp_SF", unit="C"),
            Point("TmpSnk", 34, I16, "Tmp_SF", unit="C"),
            Point("TmpTrns", 35, I16, "Tmp_SF", unit="C"),
            Point("TmpOt", 36, I16, "Tmp_SF", unit="C"),
            Point("Tmp_SF", 37, SF),
            Point("St", 38, E16, symbols=INVERTER_STATES),
            Point("StVnd", 39, E16),
            Point("Evt1", 40, BF32),
            Point("Evt2", 42, BF32),
            Point("EvtVnd1", 44, BF32),
            Point("EvtVnd2", 46, BF32),
            Point("EvtVnd3", 48, BF32),
            Point("EvtVnd4", 50, BF32),
        ),
    )


def _inverter_float(name: str) -> RegisterTable:
    names = (
        ("A", "A"), ("AphA", "A"), ("AphB", "A"), ("AphC", "A"),
        ("PPVphAB", "V"), ("PPVphBC", "V"), ("PPVphCA", "V"),
        ("PhVphA", "V"), ("PhVphB", "V"), ("PhVphC", "V"),
        ("W", "W"), ("Hz", "Hz"), ("VA", "VA"), ("VAr", "var"), ("PF", "Pct"), ("WH", "Wh"),
        ("DCA", "A"), ("DCV", "V"), ("DCW", "W"),
        ("TmpCab", "C"), ("TmpSnk", "C"), ("TmpTrns", "C"), ("TmpOt", "C"),
    )  # fmt: skip
    floats = tuple(Point(n, 2 + 2 * i, F32, unit=u) for i, (n, u) in enumerate(names))
    return RegisterTable(
        name,
        (
            *HEADER,
            *floats,
            Point("St", 48, E16, symbols=INVERTER_STATES),
            Point("StVnd", 49, E16),
            Point("Evt1", 50, BF32),
            Point("Evt2", 52, BF32),
            Point("EvtVnd1", 54, BF32),
            Point("EvtVnd2", 56, BF32),
            Point("EvtVnd3", 58, BF32),
            Point("EvtVnd4", 60, BF32),
        ),
    )


STORAGE = RegisterTable(
    "storage",
    (
        *HEADER,
        Point("WChaMax", 2, U16, "WChaMax_SF", RW, "W", text="Maximum charge (and discharge)"),
        Point("WChaGra", 3, U16, "WChaDisChaGra_SF", RW, "% WChaMax/sec"),
        Point("WDisChaGra", 4, U16, "WChaDisChaGra_SF", RW, "% WChaMax/sec"),
        Point("StorCtl_Mod", 5, BF16, access=RW, symbols={0: "CHARGE", 1: "DISCHARGE"}),
        Point("VAChaMax", 6, U16, "VAChaMax_SF", RW, "VA"),
        Point("MinRsvPct", 7, U16, "MinRsvPct_SF", RW, "% WHRtg"),
        Point("ChaState", 8, U16, "ChaState_SF", unit="% AhrRtg", text="State of charge"),
        Point("StorAval", 9, U16, "StorAval_SF", unit="AH", text="Available for discharge"),
        Point("InBatV", 10, U16, "InBatV_SF", unit="V"),
        Point("ChaSt", 11, E16, symbols=CHARGE_STATES),
        Point("OutWRte", 12, I16, "InOutWRte_SF", RW, "% WChaMax", text="Discharge rate"),
        Point("InWRte", 13, I16, "InOutWRte_SF", RW, "% WChaMax", text="Charge rate"),
        Point("InOutWRte_WinTms", 14, U16, access=RW, unit="Secs"),
        Point("InOutWRte_RvrtTms", 15, U16, access=RW, unit="Secs"),
        Point("InOutWRte_RmpTms", 16, U16, access=RW, unit="Secs"),
        Point("ChaGriSet", 17, E16, access=RW, symbols={0: "PV", 1: "GRID"}),
        Point("WChaMax_SF", 18, SF),
        Point("WChaDisChaGra_SF", 19, SF),
        Point("VAChaMax_SF", 20, SF),
        Point("MinRsvPct_SF", 21, SF),
        Point("ChaState_SF", 22, SF),
        Point("StorAval_SF", 23, SF),
        Point("InBatV_SF", 24, SF),
        Point("InOutWRte_SF", 25, SF),
    ),
)


def _meter() -> RegisterTable:
    points: list[Point] = [*HEADER]

    def group(start: int, names: tuple[str, ...], kind: RegType, sf: str, unit: str) -> None:
        for i, name in enumerate(names):
            points.append(Point(name, start + i * kind.words, kind, sf, unit=unit))

    group(2, ("A", "AphA", "AphB", "AphC"), I16, "A_SF", "A")
    points.append(Point("A_SF", 6, SF))
    volts = ("PhV", "PhVphA", "PhVphB", "PhVphC", "PPV", "PhVphAB", "PhVphBC", "PhVphCA")
    group(7, volts, I16, "V_SF", "V")
    points += [Point("V_SF", 15, SF), Point("Hz", 16, I16, "Hz_SF", unit="Hz")]
    points.append(Point("Hz_SF", 17, SF))
    group(18, ("W", "WphA", "WphB", "WphC"), I16, "W_SF", "W")
    points.append(Point("W_SF", 22, SF))
    group(23, ("VA", "VAphA", "VAphB", "VAphC"), I16, "VA_SF", "VA")
    points.append(Point("VA_SF", 27, SF))
    group(28, ("VAR", "VARphA", "VARphB", "VARphC"), I16, "VAR_SF", "var")
    points.append(Point("VAR_SF", 32, SF))
    group(33, ("PF", "PFphA", "PFphB", "PFphC"), I16, "PF_SF", "Pct")
    points.append(Point("PF_SF", 37, SF))
    energy: tuple[str, ...] = ("TotWhExp", "TotWhExpPhA", "TotWhExpPhB", "TotWhExpPhC")
    energy += ("TotWhImp", "TotWhImpPhA", "TotWhImpPhB", "TotWhImpPhC")
    group(38, energy, ACC32, "TotWh_SF", "Wh")
    points.append(Point("TotWh_SF", 54, SF))
    apparent: tuple[str, ...] = ("TotVAhExp", "TotVAhExpPhA", "TotVAhExpPhB", "TotVAhExpPhC")
    apparent += ("TotVAhImp", "TotVAhImpPhA", "TotVAhImpPhB", "TotVAhImpPhC")
    group(55, apparent, ACC32, "TotVAh_SF", "VAh")
    points.append(Point("TotVAh_SF", 71, SF))
    reactive = tuple(
        f"TotVArh{quadrant}{phase}"
        for quadrant in ("ImpQ1", "ImpQ2", "ExpQ3", "ExpQ4")
        for phase in ("", "PhA", "PhB", "PhC")
    )
    group(72, reactive, ACC32, "TotVArh_SF", "varh")
    points += [Point("TotVArh_SF", 104, SF), Point("Evt", 105, BF32)]
    return RegisterTable("meter", tuple(points))


INVERTER_INT = _inverter_int("inverter")
INVERTER_FLOAT = _inverter_float("inverter_float")
METER = _meter()

#: Model id → table. 101/102/103 share one layout (1, split and 3 phase), as do 111-113
#: and the meters 201-204 (single, split, wye, delta).
MODELS: dict[int, RegisterTable] = {
    1: COMMON,
    101: INVERTER_INT,
    102: INVERTER_INT,
    103: INVERTER_INT,
    111: INVERTER_FLOAT,
    112: INVERTER_FLOAT,
    113: INVERTER_FLOAT,
    124: STORAGE,
    201: METER,
    202: METER,
    203: METER,
    204: METER,
    701: DER_MEASURE_AC,
    702: DER_CAPACITY,
    703: DER_ENTER_SERVICE,
    704: DER_CTL_AC,
}

INVERTER_MODELS = (103, 113, 101, 111, 102, 112)  # preference order
METER_MODELS = (203, 201, 202, 204)

__all__ = [
    "CHARGE_STATES",
    "COMMON",
    "DER_CAPACITY",
    "DER_CTL_AC",
    "DER_ENABLE",
    "DER_ENTER_SERVICE",
    "DER_MEASURE_AC",
    "INVERTER_FLOAT",
    "INVERTER_INT",
    "INVERTER_MODELS",
    "INVERTER_STATES",
    "METER",
    "METER_MODELS",
    "MODELS",
    "STORAGE",
    "STORCTL_CHARGE",
    "STORCTL_DISCHARGE",
    "WSET_MOD_PCT",
    "WSET_MOD_WATTS",
]
