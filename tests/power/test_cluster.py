"""Cluster distribution: member limits are never exceeded and SoCs converge."""

from __future__ import annotations

import pytest

from wattkeeper.power.distribution import distribute, soc_weights
from wattkeeper.power.model import Constraint, EssLimits, Pwr, Relation
from wattkeeper.power.solver import solve

EQ, LE, GE = Relation.EQUALS, Relation.LESS_OR_EQUALS, Relation.GREATER_OR_EQUALS


def members(*socs: float) -> list[EssLimits]:
    return [
        EssLimits(f"ess{i + 1}", -3000, 3000, 3000, soc=soc, capacity=10_000)
        for i, soc in enumerate(socs)
    ]


def test_cluster_setpoint_is_shared_and_sums_up() -> None:
    cs = [Constraint("ess0", Pwr.ACTIVE, EQ, 4500, "api")]
    sp = solve(members(50, 50, 50), {"ess0": ["ess1", "ess2", "ess3"]}, cs).setpoints
    assert [sp[f"ess{i}"].active for i in (1, 2, 3)] == [1500, 1500, 1500]
    assert sp["ess0"].active == 4500


def test_discharge_takes_more_from_the_fuller_battery_and_charge_fills_the_emptier() -> None:
    clusters = {"ess0": ["ess1", "ess2"]}
    out = solve(members(80, 20), clusters, [Constraint("ess0", Pwr.ACTIVE, EQ, 2000, "x")])
    assert out.setpoints["ess1"].active > out.setpoints["ess2"].active
    into = solve(members(80, 20), clusters, [Constraint("ess0", Pwr.ACTIVE, EQ, -2000, "x")])
    assert into.setpoints["ess2"].active < into.setpoints["ess1"].active


def test_member_limits_bound_the_share_and_the_rest_goes_elsewhere() -> None:
    limits = [
        EssLimits("ess1", -1000, 1000, 5000, soc=90, capacity=10_000),
        EssLimits("ess2", -5000, 5000, 5000, soc=10, capacity=10_000),
    ]
    sp = solve(limits, {"ess0": ["ess1", "ess2"]}, [Constraint("ess0", Pwr.ACTIVE, EQ, 5000, "x")])
    assert sp.setpoints["ess1"].active == 1000
    assert sp.setpoints["ess2"].active == 4000


def test_cluster_beyond_the_sum_of_members_is_fitted() -> None:
    sp = solve(
        members(50, 50), {"ess0": ["ess1", "ess2"]}, [Constraint("ess0", Pwr.ACTIVE, EQ, 9000, "x")]
    )
    assert sp.setpoints["ess0"].active == 6000
    assert sp.adjustments[0].applied == 6000


def test_member_constraint_and_cluster_constraint_mix() -> None:
    cs = [
        Constraint("ess1", Pwr.ACTIVE, EQ, 0, "keep ess1 idle"),
        Constraint("ess0", Pwr.ACTIVE, EQ, 5000, "api"),
    ]
    sp = solve(members(50, 50), {"ess0": ["ess1", "ess2"]}, cs)
    assert sp.setpoints["ess1"].active == 0
    assert sp.setpoints["ess2"].active == 3000  # what is left within ess2's own limit
    assert sp.setpoints["ess0"].active == 3000


def test_soc_converges_over_time() -> None:
    socs = [90.0, 40.0, 60.0]
    spread_before = max(socs) - min(socs)
    for _ in range(200):
        limits = [
            EssLimits(f"e{i}", -3000, 3000, 3000, soc=s, capacity=10_000)
            for i, s in enumerate(socs)
        ]
        sp = solve(limits, {"c": ["e0", "e1", "e2"]}, [Constraint("c", Pwr.ACTIVE, EQ, 3000, "x")])
        socs = [
            s - sp.setpoints[f"e{i}"].active * 60 / 3600 / 10_000 * 100 for i, s in enumerate(socs)
        ]
    assert max(socs) - min(socs) < spread_before / 2


@pytest.mark.parametrize("total", [-7000, -100, 0, 2500, 7000])
def test_distribute_respects_bounds_and_sum(total: float) -> None:
    lows, highs = [-1000, -3000, -3000], [3000, 1000, 3000]
    shares = distribute(
        total, lows, highs, soc_weights(total, [10, 50, 90], [5000, 10_000, 20_000])
    )
    assert sum(shares) == pytest.approx(total)
    for share, low, high in zip(shares, lows, highs, strict=True):
        assert low - 1e-9 <= share <= high + 1e-9


def test_cluster_reports_grid_mode_and_extreme_cells(make_edge) -> None:
    site = make_edge(
        """
[[components]]
id = "ess1"
factory = "Simulator.EssSymmetric.Reacting"
[components.properties]
initialSoc = 20
[[components]]
id = "ess2"
factory = "Simulator.EssSymmetric.Reacting"
[components.properties]
initialSoc = 80
[[components]]
id = "ess0"
factory = "Ess.Cluster"
[components.properties]
"ess.ids" = ["ess1", "ess2"]
"""
    )
    site.step(2)
    assert site.value("ess0/GridMode") == 1
    assert site.value("ess0/MinCellVoltage") == site.value("ess1/MinCellVoltage")
    assert site.value("ess0/MaxCellVoltage") == site.value("ess2/MaxCellVoltage")
    assert site.value("ess0/_PropertyEssIds") == '["ess1","ess2"]'  # several: a string
