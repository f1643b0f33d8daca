"""Controllers: components that run once per cycle, in priority order, and express intent."""

from __future__ import annotations

from typing import Any

from wattkeeper.core.component import Component
from wattkeeper.core.state import RUN_FAILED


class Priority:
    """Default places in the controller order (higher runs earlier and wins)."""

    EMERGENCY = 1000
    FIX = 900
    MODBUS_API = 800
    REST_API = 700
    SCHEDULE = 500
    BALANCING = 100


class Controller(Component):
    """A component whose `run()` adds constraints or writes channels once per cycle."""

    nature_id = "Controller"
    priority: int = Priority.SCHEDULE

    def __init__(self, component_id: str, alias: str = "", config: Any = None) -> None:
        super().__init__(component_id, alias, config)
        self.declare_state(RUN_FAILED)

    def run(self) -> None:
        raise NotImplementedError


class Scheduler:
    """Orders controllers: an explicit id list first, then by priority, then by id."""

    def __init__(self, explicit_order: list[str] | None = None) -> None:
        self.explicit_order = list(explicit_order or [])

    def order(self, controllers: list[Controller]) -> list[Controller]:
        rank = {cid: i for i, cid in enumerate(self.explicit_order)}
        return sorted(
            controllers,
            key=lambda c: (rank.get(c.id, len(rank)), -c.priority, c.id),
        )
