"""A one-cycle table harness: components in given states, then exactly one real `Cycle` (real
scheduler, real solver) on a FakeClock, then the outputs to compare with a table row."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from wattkeeper.config.registry import BuildContext, Factory
from wattkeeper.core.channel import Value
from wattkeeper.core.component import Component
from wattkeeper.core.controller import Controller
from wattkeeper.core.cycle import Cycle
from wattkeeper.core.manager import ComponentManager
from wattkeeper.natures.sum import Sum
from wattkeeper.power.model import Solution
from wattkeeper.power.stage import Power
from wattkeeper.testing.fake_clock import FakeClock


class OneCycle:
    """A bare site: add components and controllers, `run()` one cycle, read what came out."""

    def __init__(self, data_dir: Path | None = None, start: float = 1_764_000_000.0) -> None:
        self.clock = FakeClock(start)
        self.manager = ComponentManager()
        self.power = Power(self.manager)
        self.sum = Sum(self.manager)
        self.manager.add(self.sum)
        self.cycle = Cycle(self.manager, self.power, self.sum, self.clock)
        # controllers of this harness keep nothing on disk; a path is part of the context only
        self.ctx = BuildContext(
            self.clock, self.manager, data_dir or Path("/nonexistent"), power=self.power
        )

    def add(self, *components: Component) -> OneCycle:
        for component in components:
            self.manager.add(component)
        return self

    def controller(self, factory: Factory, cid: str, **properties: Any) -> Controller:
        """Build a controller the way the configurator does: properties validated by its model."""
        config = factory.model.model_validate(properties)
        controller = factory.build(cid, "", config, self.ctx)
        if not isinstance(controller, Controller):
            raise TypeError(f"{factory.factory_id} builds no controller")
        self.manager.add(controller)
        return controller

    def run(self, seconds: float = 1.0) -> Solution:
        """Exactly one cycle, `seconds` after the previous one; the solver's solution."""
        self.clock.advance(seconds)
        self.cycle.run_once()
        return self.power.last_solution

    def value(self, address: str) -> Value:
        """A channel's process-image value by `component/Channel` address."""
        return self.manager.channel(address).value
