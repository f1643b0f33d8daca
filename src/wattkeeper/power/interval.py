"""Fitting one constraint into a closed interval, the OpenEMS way: earlier constraints win."""

from __future__ import annotations

from wattkeeper.power.model import Relation


def fit(
    low: float, high: float, relation: Relation, value: float
) -> tuple[float, float, float | None]:
    """Narrow [low, high] by `relation value`; return (low, high, fitted) where fitted is None
    when the constraint held as asked, else the value it was fitted to."""
    if relation is Relation.EQUALS:
        if low <= value <= high:
            return value, value, None
        fitted = min(max(value, low), high)
        return fitted, fitted, fitted
    if relation is Relation.LESS_OR_EQUALS:
        if value >= low:
            return low, min(high, value), None
        return low, low, low  # raised to the minimum
    if value <= high:
        return max(low, value), high, None
    return high, high, high  # lowered to the maximum


def closest_to_zero(low: float, high: float) -> float:
    if low > 0:
        return low
    if high < 0:
        return high
    return 0.0
