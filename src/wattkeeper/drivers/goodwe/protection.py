"""Battery protection: the power the battery may take or give now, from what its BMS says.

The BMS gives charge/discharge current limits (A); near the cell voltage limits the allowed
current tapers linearly to zero over `band_mv` (zero at and beyond the limit), so the
solver stops pushing a cell that is about to trip its BMS. A level-2 alarm or a hardware/
system fault allows nothing. Power = current × pack voltage, capped by the inverter type.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

TAPER_BAND_MV = 150.0


@dataclass(frozen=True)
class Allowed:
    charge_w: float  # ≥ 0, battery side
    discharge_w: float  # ≥ 0
    charge_a: float
    discharge_a: float
    limited_by: str  # "" when the BMS current limits apply unchanged


def _num(values: Mapping[str, Any], name: str) -> float | None:
    value = values.get(name)
    return float(value) if isinstance(value, int | float) else None


def taper(distance_mv: float | None, band_mv: float = TAPER_BAND_MV) -> float:
    """1 far from the limit, falling linearly to 0 at it (unknown: 1, the BMS decides)."""
    if distance_mv is None:
        return 1.0
    return min(max(distance_mv / band_mv, 0.0), 1.0)


def allowed(
    bms: Mapping[str, Any] | None,
    *,
    max_dc_current: float,
    max_charge_w: float,
    max_discharge_w: float,
) -> Allowed:
    """What the battery may do now; nothing when the BMS is silent (`bms` None)."""
    if bms is None:
        return Allowed(0.0, 0.0, 0.0, 0.0, "battery not answering")
    if bms.get("Level2") or bms.get("Fault"):
        return Allowed(0.0, 0.0, 0.0, 0.0, "BMS alarm")
    volts = _num(bms, "VoltageExact") or 0.0
    charge_a = min(_num(bms, "ChargeMaxCurrentExact") or 0.0, max_dc_current)
    discharge_a = min(_num(bms, "DischargeMaxCurrentExact") or 0.0, max_dc_current)
    max_cell, min_cell = _num(bms, "MaxCellVoltage"), _num(bms, "MinCellVoltage")
    max_limit, min_limit = _num(bms, "MaxCellVoltageLimit"), _num(bms, "MinCellVoltageLimit")
    reasons = []
    if max_cell is not None and max_limit is not None:
        factor = taper(max_limit - max_cell)
        if factor < 1.0:
            reasons.append(f"cell voltage {max_cell:.0f} mV near {max_limit:.0f} mV")
        charge_a *= factor
    if min_cell is not None and min_limit is not None:
        factor = taper(min_cell - min_limit)
        if factor < 1.0:
            reasons.append(f"cell voltage {min_cell:.0f} mV near {min_limit:.0f} mV")
        discharge_a *= factor
    charge_w = min(charge_a * volts, max_charge_w)
    discharge_w = min(discharge_a * volts, max_discharge_w)
    if not reasons and min(charge_a, discharge_a) < max_dc_current:
        reasons.append(f"BMS current limit {charge_a:g} A / {discharge_a:g} A")
    return Allowed(charge_w, discharge_w, charge_a, discharge_a, "; ".join(reasons))
