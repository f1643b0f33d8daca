"""SunSpec model definitions as register tables.

Offsets count from the model's first register, the model ID (offset 0) and its length L
(offset 1); points start at offset 2 and a model takes L + 2 registers. Models 701-704
(DER measurement, capacity, enter service, AC controls) follow the 2018+ DER information
model; only their fixed blocks (704: plus its four PF groups) are defined. Point names are the
SunSpec names. Integer models scale by scale-factor points (`*_SF`); the 11x models are
their float32 twins without scale factors.
"""

from __future__ import annotations

from wattkeeper.protocols.registers import Access, Point, RegisterTable, RegType

I16, U16, I32, U32 = RegType.INT16, RegType.UINT16, RegType.INT32, RegType.UINT32
ACC32, F32, E16 = RegType.ACC32, RegType.FLOAT32, RegType.ENUM16
BF16, BF32, SF = RegType.BITFIELD16, RegType.BITFIELD32, RegType.SUNSSF
STR, PAD = RegType.STRING, RegType.PAD
RW = Access.RW

_HEADER = (Point("ID", 0, U16), Point("L", 1, U16))

#: Inverter operating state (St) of models 101-103 and 111-113.
INVERTER_STATES = {
    1: "OFF",
    2: "SLEEPING",
    3: "STARTING",
    4: "MPPT",
    5: "THROTTLED",
    6: "SHUTTING_DOWN",
    7: "FAULT",
    8: "STANDBY",
}

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
        *_HEADER,
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
            *_HEADER,
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
            *_HEADER,
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
        *_HEADER,
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
    points: list[Point] = [*_HEADER]

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
        *_HEADER,
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
    points: list[Point] = [*_HEADER]
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
        *_HEADER,
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
        *_HEADER,
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
