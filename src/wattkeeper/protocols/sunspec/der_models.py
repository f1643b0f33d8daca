"""SunSpec DER models 701-704 (measurement, capacity, enter service, AC controls) as tables."""

from __future__ import annotations

from wattkeeper.protocols.registers import Point, RegisterTable
from wattkeeper.protocols.sunspec.base import (
    BF16,
    BF32,
    E16,
    HEADER,
    I16,
    I32,
    INVERTER_STATES,
    PAD,
    RW,
    SF,
    STR,
    U16,
    U32,
)

# -- DER models (SunSpec 70x, IEEE 1547-2018) ----------------------------------------------
# Layouts follow the official definitions (sunspec/models json/model_70x.json). In 701 and
# 704, W and WSet are positive when the DER injects (exports, i.e. a battery discharges) and
# negative when it absorbs (charges). uint64 energy totals have no codec type here: they are
# kept as 4-register padding so every following offset stays right.

#: 704 enable points (WSetEna, ...): 0 disabled, 1 enabled.
DER_ENABLE = {0: "DISABLED", 1: "ENABLED"}
#: 704 WSetMod: WSetPct (% of WMax) or WSet (W) is in force.
WSET_MOD_PCT, WSET_MOD_WATTS = 1, 2


def _u64(name: str, offset: int) -> Point:
    return Point(name, offset, PAD, size=4, text=f"{name} (uint64, not decoded)")


def _der_measure_ac() -> RegisterTable:
    points: list[Point] = [
        *HEADER,
        Point("ACType", 2, E16, symbols={1: "SINGLE_PHASE", 2: "SPLIT_PHASE", 3: "THREE_PHASE"}),
        Point("St", 3, E16, symbols={1: "OFF", 2: "ON"}),
        Point("InvSt", 4, E16, symbols=INVERTER_STATES),
        Point("ConnSt", 5, E16, symbols={1: "DISCONNECTED", 2: "CONNECTED"}),
        Point("Alrm", 6, BF32),
        Point("DERMode", 8, BF32),
        Point("W", 10, I16, "W_SF", unit="W", text="Active power, + injected (discharge)"),
        Point("VA", 11, I16, "VA_SF", unit="VA"),
        Point("Var", 12, I16, "Var_SF", unit="var"),
        Point("PF", 13, U16, "PF_SF"),
        Point("A", 14, I16, "A_SF", unit="A"),
        Point("LLV", 15, I16, "V_SF", unit="V"),
        Point("LNV", 16, I16, "V_SF", unit="V"),
        Point("Hz", 17, U32, "Hz_SF", unit="Hz"),
        _u64("TotWhInj", 19),
        _u64("TotWhAbs", 23),
        _u64("TotVarhInj", 27),
        _u64("TotVarhAbs", 31),
    ]
    for i, name in enumerate(("TmpAmb", "TmpCab", "TmpSnk", "TmpTrns", "TmpSw", "TmpOt")):
        points.append(Point(name, 35 + i, I16, "Tmp_SF", unit="C"))
    for phase, start, (ll, ln) in (
        ("L1", 41, ("VL1L2", "VL1")),
        ("L2", 64, ("VL2L3", "VL2")),
        ("L3", 87, ("VL3L1", "VL3")),
    ):
        points += [
            Point(f"W{phase}", start, I16, "W_SF", unit="W"),
            Point(f"VA{phase}", start + 1, I16, "VA_SF", unit="VA"),
            Point(f"Var{phase}", start + 2, I16, "Var_SF", unit="var"),
            Point(f"PF{phase}", start + 3, U16, "PF_SF"),
            Point(f"A{phase}", start + 4, I16, "A_SF", unit="A"),
            Point(ll, start + 5, I16, "V_SF", unit="V"),
            Point(ln, start + 6, I16, "V_SF", unit="V"),
            _u64(f"TotWhInj{phase}", start + 7),
            _u64(f"TotWhAbs{phase}", start + 11),
            _u64(f"TotVarhInj{phase}", start + 15),
            _u64(f"TotVarhAbs{phase}", start + 19),
        ]
    points += [Point("ThrotPct", 110, U16, unit="Pct"), Point("ThrotSrc", 111, BF32)]
    sfs = ("A_SF", "V_SF", "Hz_SF", "W_SF", "PF_SF", "VA_SF", "Var_SF", "TotWh_SF")
    for i, name in enumerate((*sfs, "TotVarh_SF", "Tmp_SF")):
        points.append(Point(name, 113 + i, SF))
    points.append(Point("MnAlrmInfo", 123, STR, size=32))
    return RegisterTable("der_measure_ac", tuple(points))


def _der_capacity() -> RegisterTable:
    ratings = (
        ("WMaxRtg", "W_SF"), ("WOvrExtRtg", "W_SF"), ("WOvrExtRtgPF", "PF_SF"),
        ("WUndExtRtg", "W_SF"), ("WUndExtRtgPF", "PF_SF"), ("VAMaxRtg", "VA_SF"),
        ("VarMaxInjRtg", "Var_SF"), ("VarMaxAbsRtg", "Var_SF"),
        ("WChaRteMaxRtg", "W_SF"), ("WDisChaRteMaxRtg", "W_SF"),
        ("VAChaRteMaxRtg", "VA_SF"), ("VADisChaRteMaxRtg", "VA_SF"),
        ("VNomRtg", "V_SF"), ("VMaxRtg", "V_SF"), ("VMinRtg", "V_SF"), ("AMaxRtg", "A_SF"),
        ("PFOvrExtRtg", "PF_SF"), ("PFUndExtRtg", "PF_SF"), ("ReactSusceptRtg", "S_SF"),
    )  # fmt: skip
    settings = (
        ("WMax", "W_SF"), ("WMaxOvrExt", "W_SF"), ("WOvrExtPF", "PF_SF"),
        ("WMaxUndExt", "W_SF"), ("WUndExtPF", "PF_SF"), ("VAMax", "VA_SF"),
        ("VarMaxInj", "Var_SF"), ("VarMaxAbs", "Var_SF"),
        ("WChaRteMax", "W_SF"), ("WDisChaRteMax", "W_SF"),
        ("VAChaRteMax", "VA_SF"), ("VADisChaRteMax", "VA_SF"),
        ("Vnom", "V_SF"), ("VMax", "V_SF"), ("VMin", "V_SF"), ("AMax", "A_SF"),
    )  # fmt: skip
    points: list[Point] = [*HEADER]
    points += [Point(n, 2 + i, U16, sf) for i, (n, sf) in enumerate(ratings)]
    points += [
        Point("NorOpCatRtg", 21, E16, symbols={1: "CAT_A", 2: "CAT_B"}),
        Point("AbnOpCatRtg", 22, E16, symbols={1: "CAT_1", 2: "CAT_2", 3: "CAT_3"}),
        Point("CtrlModes", 23, BF32),
        Point("IntIslandCatRtg", 25, BF16, access=RW),
    ]
    points += [Point(n, 26 + i, U16, sf, RW) for i, (n, sf) in enumerate(settings)]
    points.append(Point("IntIslandCat", 42, BF16, access=RW))
    sfs = ("W_SF", "PF_SF", "VA_SF", "Var_SF", "V_SF", "A_SF", "S_SF")
    points += [Point(n, 43 + i, SF) for i, n in enumerate(sfs)]
    return RegisterTable("der_capacity", tuple(points))


DER_ENTER_SERVICE = RegisterTable(
    "der_enter_service",
    (
        *HEADER,
        Point("ES", 2, E16, access=RW, symbols=DER_ENABLE, text="Permit enter service"),
        Point("ESVHi", 3, U16, "V_SF", RW, "Pct"),
        Point("ESVLo", 4, U16, "V_SF", RW, "Pct"),
        Point("ESHzHi", 5, U32, "Hz_SF", RW, "Hz"),
        Point("ESHzLo", 7, U32, "Hz_SF", RW, "Hz"),
        Point("ESDlyTms", 9, U32, access=RW, unit="Secs"),
        Point("ESRndTms", 11, U32, access=RW, unit="Secs"),
        Point("ESRmpTms", 13, U32, access=RW, unit="Secs"),
        Point("ESDlyRemTms", 15, U32, unit="Secs"),
        Point("V_SF", 17, SF),
        Point("Hz_SF", 18, SF),
    ),
)

_EXCITATION = {0: "OVER_EXCITED", 1: "UNDER_EXCITED"}

DER_CTL_AC = RegisterTable(
    "der_ctl_ac",
    (
        *HEADER,
        Point("PFWInjEna", 2, E16, access=RW, symbols=DER_ENABLE),
        Point("PFWInjRvrtEna", 3, E16, access=RW, symbols=DER_ENABLE),
        Point("PFWInjRvrtTms", 4, U32, access=RW, unit="Secs"),
        Point("PFWInjRvrtRem", 6, U32, unit="Secs"),
        Point("PFWAbsEna", 8, E16, access=RW, symbols=DER_ENABLE),
        Point("PFWAbsRvrtEna", 9, E16, access=RW, symbols=DER_ENABLE),
        Point("PFWAbsRvrtTms", 10, U32, access=RW, unit="Secs"),
        Point("PFWAbsRvrtRem", 12, U32, unit="Secs"),
        Point("WMaxLimPctEna", 14, E16, access=RW, symbols=DER_ENABLE),
        Point("WMaxLimPct", 15, U16, "WMaxLim_SF", RW, "Pct"),
        Point("WMaxLimPctRvrt", 16, U16, "WMaxLim_SF", RW, "Pct"),
        Point("WMaxLimPctRvrtEna", 17, E16, access=RW, symbols=DER_ENABLE),
        Point("WMaxLimPctRvrtTms", 18, U32, access=RW, unit="Secs"),
        Point("WMaxLimPctRvrtRem", 20, U32, unit="Secs"),
        Point("WSetEna", 22, E16, access=RW, symbols=DER_ENABLE, text="Set active power"),
        Point("WSetMod", 23, E16, access=RW, symbols={1: "W_MAX_PCT", 2: "WATTS"}),
        Point("WSet", 24, I32, "WSet_SF", RW, "W", text="+ inject (discharge), − absorb"),
        Point("WSetRvrt", 26, I32, "WSet_SF", RW, "W"),
        Point("WSetPct", 28, I32, "WSetPct_SF", RW, "Pct"),
        Point("WSetPctRvrt", 30, I32, "WSetPct_SF", RW, "Pct"),
        Point("WSetRvrtEna", 32, E16, access=RW, symbols=DER_ENABLE),
        Point("WSetRvrtTms", 33, U32, access=RW, unit="Secs"),
        Point("WSetRvrtRem", 35, U32, unit="Secs"),
        Point("VarSetEna", 37, E16, access=RW, symbols=DER_ENABLE),
        Point("VarSetMod", 38, E16, access=RW),
        Point("VarSetPri", 39, E16, access=RW),
        Point("VarSet", 40, I32, "VarSet_SF", RW, "var"),
        Point("VarSetRvrt", 42, I32, "VarSet_SF", RW, "var"),
        Point("VarSetPct", 44, I32, "VarSetPct_SF", RW, "Pct"),
        Point("VarSetPctRvrt", 46, I32, "VarSetPct_SF", RW, "Pct"),
        Point("VarSetRvrtEna", 48, E16, access=RW, symbols=DER_ENABLE),
        Point("VarSetRvrtTms", 49, U32, access=RW, unit="Secs"),
        Point("VarSetRvrtRem", 51, U32, unit="Secs"),
        Point("RGra", 53, U32, access=RW, unit="%Max/Sec"),
        Point("RGraRef", 55, E16, access=RW, symbols={1: "A_MAX", 2: "W_MAX"}),
        Point("VarRmp", 56, U16, access=RW, unit="%Max/Sec"),
        Point("PF_SF", 57, SF),
        Point("WMaxLim_SF", 58, SF),
        Point("WSet_SF", 59, SF),
        Point("WSetPct_SF", 60, SF),
        Point("VarSet_SF", 61, SF),
        Point("VarSetPct_SF", 62, SF),
        # the four sync groups PFWInj, PFWInjRvrt, PFWAbs, PFWAbsRvrt: (PF, Ext) each
        Point("PFWInj_PF", 63, U16, "PF_SF", RW),
        Point("PFWInj_Ext", 64, E16, access=RW, symbols=_EXCITATION),
        Point("PFWInjRvrt_PF", 65, U16, "PF_SF", RW),
        Point("PFWInjRvrt_Ext", 66, E16, access=RW, symbols=_EXCITATION),
        Point("PFWAbs_PF", 67, U16, "PF_SF", RW),
        Point("PFWAbs_Ext", 68, E16, access=RW, symbols=_EXCITATION),
        Point("PFWAbsRvrt_PF", 69, U16, "PF_SF", RW),
        Point("PFWAbsRvrt_Ext", 70, E16, access=RW, symbols=_EXCITATION),
    ),
)

DER_MEASURE_AC = _der_measure_ac()
DER_CAPACITY = _der_capacity()
