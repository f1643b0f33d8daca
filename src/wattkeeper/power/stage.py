"""The power stage of the cycle: collects constraints, solves, hands setpoints to the batteries."""

from __future__ import annotations

import logging

from wattkeeper.core.manager import ComponentManager
from wattkeeper.natures.ess import EssCluster, ManagedSymmetricEss
from wattkeeper.power.model import Constraint, EssLimits, Pwr, Relation, Solution
from wattkeeper.power.solver import solve

log = logging.getLogger(__name__)


class Power:
    """What controllers talk to: `add()` a constraint during the cycle; the cycle solves once."""

    def __init__(self, manager: ComponentManager) -> None:
        self._manager = manager
        self._constraints: list[Constraint] = []
        self.last_solution = Solution()

    def begin_cycle(self) -> None:
        self._constraints = []

    def add(self, constraint: Constraint) -> None:
        self._constraints.append(constraint)

    def add_active(self, ess_id: str, relation: Relation, value: float, source: str) -> None:
        self.add(Constraint(ess_id, Pwr.ACTIVE, relation, value, source))

    @property
    def constraints(self) -> list[Constraint]:
        return list(self._constraints)

    def limits(self) -> tuple[list[EssLimits], dict[str, list[str]]]:
        limits: list[EssLimits] = []
        clusters: dict[str, list[str]] = {}
        for ess in self._manager.of_type(ManagedSymmetricEss):
            if isinstance(ess, EssCluster):
                clusters[ess.id] = list(ess.member_ids)
                continue
            low, high = ess.power_limits()
            limits.append(
                EssLimits(
                    ess.id,
                    low,
                    high,
                    ess.apparent_limit(),
                    ess.supports_reactive_power,
                    ess.soc(),
                    ess.capacity(),
                )
            )
        return limits, clusters

    def solve_and_apply(self) -> None:
        limits, clusters = self.limits()
        solution = solve(limits, clusters, self._constraints)
        for constraint in solution.unknown:
            log.debug("constraint for an unknown battery ignored: %s", constraint)
        for ess_id, setpoint in solution.setpoints.items():
            ess = self._manager.find(ess_id)
            if isinstance(ess, ManagedSymmetricEss):
                try:
                    ess.apply_power(setpoint.active, setpoint.reactive)
                except Exception:  # a device fault never stops the cycle
                    log.exception("applying power to %s failed", ess_id)
        self.last_solution = solution
