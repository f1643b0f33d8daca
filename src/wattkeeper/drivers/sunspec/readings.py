"""What `SunSpec.Ess` reads, gathered under one set of names whichever models the device offers.

`inverter_view` gives the AC side (W, VAr, St, the power limits, energy totals) from the
10x/11x inverter model with 124, or from the DER models 701/702/703; `battery_view` the
storage side (Soc, reserve, charge status, voltage, capacity) from 713 and 714 and/or 124.
The channel mapping in `ess.py` then reads these views only (see docs/devices.md).
"""

from __future__ import annotations

from collections.abc import Callable

from wattkeeper.drivers.sunspec.common import Values, number
from wattkeeper.protocols.registers import Decoded
from wattkeeper.protocols.sunspec.models import PORT_ESS

#: role → latest decoded values of that role's model ({} when the device lacks it).
Lookup = Callable[[str], Values]


def inverter_view(values: Lookup, der: bool) -> dict[str, Decoded]:
    """W, VAr, St (10x numbering: 1 Off … 7 Fault, 8 Standby), ES (703), WChaMax (charge
    limit), WDisChaMax (discharge limit), VAChaMax, and on the DER path the AC energy
    totals WhInj / WhAbs (701 TotWhInj / TotWhAbs)."""
    storage = values("storage")
    if not der:
        inverter = dict(values("inverter"))
        inverter["WChaMax"] = inverter["WDisChaMax"] = storage.get("WChaMax")
        inverter["VAChaMax"] = storage.get("VAChaMax")
        return inverter
    measure = values("der_measure")
    capacity = values("der_capacity")

    def first(*names: str) -> float | None:
        for name in names:
            value = number(capacity, name)
            if value is not None:
                return value
        return number(storage, "WChaMax")

    charge = first("WChaRteMax", "WChaRteMaxRtg", "WMax")
    discharge = first("WDisChaRteMax", "WDisChaRteMaxRtg", "WMax")
    va = number(capacity, "VAMax")
    va = va if va is not None else number(capacity, "VAMaxRtg")
    if va is None and (charge is not None or discharge is not None):
        va = max(charge or 0.0, discharge or 0.0)
    state = measure.get("InvSt")
    return {
        "W": measure.get("W"),
        "VAr": measure.get("Var"),
        # 701 InvSt counts from 0 (OFF) where 10x St counts from 1: one channel meaning
        "St": state + 1 if isinstance(state, int) else None,
        "ES": values("der_service").get("ES"),
        "WChaMax": charge,
        "WDisChaMax": discharge,
        "VAChaMax": va,
        "WhInj": measure.get("TotWhInj"),
        "WhAbs": measure.get("TotWhAbs"),
    }


def battery_view(values: Lookup, der: bool) -> dict[str, Decoded]:
    """Soc, MinRsvPct, ChaSt, InBatV, StorAval (124); WHRtg, WHAvail (713); DcW, DcWhInj,
    DcWhAbs (the battery ports of 714). On the DER path 713 SoC wins over 124 ChaState."""
    storage = values("storage")
    rating = values("der_storage")
    soc = rating.get("SoC") if der else None
    view: dict[str, Decoded] = {
        "Soc": soc if soc is not None else storage.get("ChaState"),
        "MinRsvPct": storage.get("MinRsvPct"),
        "ChaSt": storage.get("ChaSt"),
        "InBatV": storage.get("InBatV"),
        "StorAval": storage.get("StorAval"),
        "WHRtg": rating.get("WHRtg"),
        "WHAvail": rating.get("WHAvail"),
    }
    ports = _battery_ports(values("der_dc"))
    voltage = ports.pop("DcV")
    view.update(ports)
    if view["InBatV"] is None:
        view["InBatV"] = voltage
    return view


def _battery_ports(dc: Values) -> dict[str, Decoded]:
    """Sum of the 714 ports of type ESS: DcW, DcWhInj, DcWhAbs, and DcV (first port)."""
    totals: dict[str, float | None] = {"DcW": None, "DcWhInj": None, "DcWhAbs": None}
    voltage: float | None = None
    index = 0
    while f"Prt[{index}].PrtTyp" in dc:
        prefix = f"Prt[{index}]."
        index += 1
        if dc.get(prefix + "PrtTyp") != PORT_ESS:
            continue
        for key, point in (("DcW", "DCW"), ("DcWhInj", "DCWhInj"), ("DcWhAbs", "DCWhAbs")):
            value = number(dc, prefix + point)
            if value is not None:
                totals[key] = (totals[key] or 0.0) + value
        if voltage is None:
            voltage = number(dc, prefix + "DCV")
    return {**totals, "DcV": voltage}
