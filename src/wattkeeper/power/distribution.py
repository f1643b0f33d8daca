"""Distributing a cluster's total over its members, within each member's own bounds."""

from __future__ import annotations

from collections.abc import Sequence


def distribute(
    total: float, lows: Sequence[float], highs: Sequence[float], weights: Sequence[float]
) -> list[float]:
    """Shares proportional to `weights`, clamped into [low, high], summing to `total`.

    Members that hit a bound are fixed there and the rest is shared again among the others;
    `total` must lie within [sum(lows), sum(highs)].
    """
    n = len(lows)
    shares = [0.0] * n
    free = list(range(n))
    remaining = total
    while free:
        weight_sum = sum(weights[i] for i in free)
        for i in free:
            shares[i] = remaining * (weights[i] / weight_sum if weight_sum > 0 else 1 / len(free))
        over = [i for i in free if shares[i] > highs[i]]
        under = [i for i in free if shares[i] < lows[i]]
        if not over and not under:
            break
        excess = sum(shares[i] - highs[i] for i in over)
        deficit = sum(lows[i] - shares[i] for i in under)
        fixed = over if excess >= deficit else under
        for i in fixed:
            shares[i] = highs[i] if i in over else lows[i]
            remaining -= shares[i]
        fixed_set = set(fixed)
        free = [i for i in free if i not in fixed_set]
    return shares


def soc_weights(
    total: float, socs: Sequence[float | None], capacities: Sequence[float]
) -> list[float]:
    """Weights that let SoCs converge: discharge the fuller, charge the emptier batteries more."""
    weights = []
    for soc, capacity in zip(socs, capacities, strict=True):
        fraction = 0.5 if soc is None else min(max(soc / 100.0, 0.0), 1.0)
        share = fraction if total >= 0 else 1.0 - fraction
        weights.append(max(capacity, 1.0) * max(share, 1e-3))
    return weights
