"""The solver's semantics as tables: fitting, priority, closest to zero, apparent power."""

from __future__ import annotations

import pytest

from wattkeeper.power.model import Constraint, EssLimits, Pwr, Relation
from wattkeeper.power.solver import solve

EQ, LE, GE = Relation.EQUALS, Relation.LESS_OR_EQUALS, Relation.GREATER_OR_EQUALS
BIG = EssLimits("ess0", -100_000, 100_000, 100_000)


def active(*constraints: tuple[Relation, float], limits: EssLimits = BIG) -> int:
    cs = [
        Constraint("ess0", Pwr.ACTIVE, rel, value, f"c{i}")
        for i, (rel, value) in enumerate(constraints)
    ]
    return solve([limits], {}, cs).setpoints["ess0"].active


# rest-json-api.md §4: two writers in priority order; the first has higher priority.
PRIORITY_TABLE = [
    ((EQ, 10000), (EQ, 5000), 10000),
    ((EQ, -10000), (EQ, 5000), -10000),
    ((LE, 500), (LE, -300), -300),
    ((GE, 500), (GE, 800), 800),
    ((LE, 500), (GE, 800), 500),
    (None, (GE, 800), 800),
    ((EQ, 500), (LE, 300), 500),
]


@pytest.mark.parametrize(("first", "second", "expected"), PRIORITY_TABLE)
def test_priority_table(first, second, expected) -> None:
    constraints = [c for c in (first, second) if c is not None]
    assert active(*constraints) == expected


@pytest.mark.parametrize(
    ("constraints", "expected"),
    [
        ([], 0),
        ([(GE, -2000)], 0),
        ([(LE, -1500)], -1500),
        ([(GE, 1200), (LE, 3000)], 1200),
        ([(EQ, 200_000)], 5000),  # clamped to the device limit
        ([(EQ, -200_000)], -4000),
        ([(LE, -9000)], -4000),  # raised to the minimum
        ([(GE, 9000)], 5000),  # lowered to the maximum
    ],
)
def test_device_limits_and_closest_to_zero(constraints, expected) -> None:
    assert active(*constraints, limits=EssLimits("ess0", -4000, 5000, 10_000)) == expected


def test_infeasible_constraint_is_a_typed_adjustment_naming_it() -> None:
    cs = [
        Constraint("ess0", Pwr.ACTIVE, EQ, 1000, "ctrlA"),
        Constraint("ess0", Pwr.ACTIVE, EQ, 3000, "ctrlB"),
    ]
    solution = solve([BIG], {}, cs)
    assert solution.setpoints["ess0"].active == 1000
    assert [a.constraint.source for a in solution.adjustments] == ["ctrlB"]
    assert solution.adjustments[0].applied == 1000
    assert "ctrlB" in str(solution.adjustments[0])
    assert not solution.feasible


def test_unknown_battery_is_reported_not_raised() -> None:
    solution = solve([BIG], {}, [Constraint("ess9", Pwr.ACTIVE, EQ, 1, "x")])
    assert solution.unknown[0].ess_id == "ess9"
    assert solution.setpoints["ess0"].active == 0


def test_apparent_power_limits_active_and_reactive() -> None:
    limits = EssLimits("ess0", -10_000, 10_000, 5000, reactive_capable=True)
    cs = [
        Constraint("ess0", Pwr.ACTIVE, EQ, 4000, "p"),
        Constraint("ess0", Pwr.REACTIVE, EQ, 4000, "q"),
    ]
    setpoint = solve([limits], {}, cs).setpoints["ess0"]
    assert setpoint.active == 4000
    assert setpoint.reactive == 3000
    too_much = [Constraint("ess0", Pwr.ACTIVE, EQ, 9000, "p")]
    assert solve([limits], {}, too_much).setpoints["ess0"].active == 5000


def test_battery_without_reactive_capability_gets_zero_reactive() -> None:
    cs = [Constraint("ess0", Pwr.REACTIVE, EQ, 1000, "q")]
    solution = solve([BIG], {}, cs)
    assert solution.setpoints["ess0"].reactive == 0
    assert solution.adjustments
