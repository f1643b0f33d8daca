"""A plan's slot as this cycle's constraint and evcc's battery mode (kW in, W out)."""

from __future__ import annotations

import pytest

from wattkeeper.controllers.time_of_use.channels import State
from wattkeeper.controllers.time_of_use.execution import executed, step
from wattkeeper.power.model import Relation


# charge, discharge, import, export, pv, load -> state, relation, watts, evcc mode
@pytest.mark.parametrize(
    ("flows", "state", "relation", "watts", "mode"),
    [
        ((3.0, 0, 3.5, 0, 0, 0.5), State.CHARGE_GRID, Relation.EQUALS, -3000, "charge"),
        ((0, 2.0, 0, 1.5, 0, 0.5), State.DISCHARGE_GRID, Relation.EQUALS, 2000, "normal"),
        ((0, 0.5, 0, 0, 0, 0.5), State.BALANCING, None, 0, "normal"),  # covers the load
        ((0, 0.2, 0.3, 0, 0, 0.5), State.DELAY_DISCHARGE, Relation.LESS_OR_EQUALS, 200, "hold"),
        ((0, 0, 0.5, 0, 0, 0.5), State.DELAY_DISCHARGE, Relation.LESS_OR_EQUALS, 0, "hold"),
        ((2.0, 0, 0, 0, 2.5, 0.5), State.BALANCING, None, 0, "normal"),  # stores all surplus
        (
            (1.0, 0, 0, 1.0, 2.5, 0.5),
            State.DELAY_CHARGE,
            Relation.GREATER_OR_EQUALS,
            -1000,
            "holdcharge",
        ),
        ((0, 0, 0, 2.0, 2.5, 0.5), State.DELAY_CHARGE, Relation.GREATER_OR_EQUALS, 0, "holdcharge"),
        ((0, 0, 0, 0, 0.5, 0.5), State.BALANCING, None, 0, "normal"),
    ],
)
def test_each_slot_becomes_the_plans_intent(
    flows: tuple[float, ...], state: State, relation: Relation | None, watts: int, mode: str
) -> None:
    got = step(*flows)
    assert (got.state, got.relation, got.watts, got.evcc_mode) == (state, relation, watts, mode)


@pytest.mark.parametrize(
    ("flows", "plan_state", "grid_only_state"),
    [
        ((3.0, 0, 3.5, 0, 0, 0.5), State.CHARGE_GRID, State.CHARGE_GRID),
        ((0, 2.0, 0, 1.5, 0, 0.5), State.DISCHARGE_GRID, State.DISCHARGE_GRID),
        ((0, 0, 0.5, 0, 0, 0.5), State.DELAY_DISCHARGE, State.BALANCING),
        ((0, 0, 0, 2.0, 2.5, 0.5), State.DELAY_CHARGE, State.BALANCING),
    ],
)
def test_grid_only_execution_leaves_holds_to_self_consumption(
    flows: tuple[float, ...], plan_state: State, grid_only_state: State
) -> None:
    planned = step(*flows)
    assert executed(planned, "plan").state is plan_state
    got = executed(planned, "grid-only")
    assert got.state is grid_only_state
    assert (got.relation is None) is (grid_only_state is State.BALANCING)
