"""The six `Set*` channels of a managed ESS, as constraints."""

from __future__ import annotations

from wattkeeper.power.model import Constraint, Pwr, Relation

SETPOINT_CHANNELS: dict[str, tuple[Pwr, Relation]] = {
    f"Set{pwr.value}{relation.value}": (pwr, relation) for pwr in Pwr for relation in Relation
}


def constraint_for(ess_id: str, channel: str, value: float, source: str) -> Constraint | None:
    """The constraint that writing `value` to `ess_id/channel` means, or None for other channels."""
    kind = SETPOINT_CHANNELS.get(channel)
    if kind is None:
        return None
    return Constraint(ess_id, kind[0], kind[1], float(value), source)
