"""Constraints on battery power, device limits, and the solver's typed result."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum


class Pwr(Enum):
    ACTIVE = "ActivePower"
    REACTIVE = "ReactivePower"


class Relation(Enum):
    EQUALS = "Equals"
    LESS_OR_EQUALS = "LessOrEquals"
    GREATER_OR_EQUALS = "GreaterOrEquals"

    @property
    def symbol(self) -> str:
        return {"Equals": "=", "LessOrEquals": "<=", "GreaterOrEquals": ">="}[self.value]


@dataclass(frozen=True, slots=True)
class Constraint:
    """`ess_id.pwr relation value`, added by `source` (a controller id and what it wants)."""

    ess_id: str
    pwr: Pwr
    relation: Relation
    value: float
    source: str = ""

    def __str__(self) -> str:
        where = f" ({self.source})" if self.source else ""
        return f"{self.ess_id} {self.pwr.value} {self.relation.symbol} {self.value:g}{where}"


@dataclass(frozen=True, slots=True)
class EssLimits:
    """What one battery can do this cycle. `min_active` ≤ 0 ≤ `max_active` in W."""

    ess_id: str
    min_active: float
    max_active: float
    max_apparent: float
    reactive_capable: bool = False
    soc: float | None = None
    capacity: float = 0.0


@dataclass(frozen=True, slots=True)
class Adjustment:
    """A constraint that could not be met as asked and was fitted into what was possible."""

    constraint: Constraint
    applied: float
    reason: str

    def __str__(self) -> str:
        return f"{self.constraint} fitted to {self.applied:g}: {self.reason}"


@dataclass(frozen=True, slots=True)
class Setpoint:
    active: int
    reactive: int


@dataclass(slots=True)
class Solution:
    """Setpoints for every real battery (and each cluster's total), plus what had to give way."""

    setpoints: dict[str, Setpoint] = field(default_factory=dict)
    adjustments: list[Adjustment] = field(default_factory=list)
    unknown: list[Constraint] = field(default_factory=list)

    @property
    def feasible(self) -> bool:
        return not self.adjustments and not self.unknown
