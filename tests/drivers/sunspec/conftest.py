"""The simulator on a loopback port, and SunSpec components built by their factories."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import pytest

from wattkeeper.config.registry import BuildContext, Factory
from wattkeeper.core.clock import SystemClock
from wattkeeper.core.component import Component
from wattkeeper.core.manager import ComponentManager
from wattkeeper.simulator.clock import ManualClock
from wattkeeper.simulator.server import DeviceSimulator

# Short real timeouts: a dead device is noticed within a few hundred milliseconds.
FAST = {"pollPeriodMs": 50, "timeoutMs": 150}


class Site:
    """Components driven the way the cycle drives them, against one simulator."""

    def __init__(self, simulator: DeviceSimulator, tmp_path: Path) -> None:
        self.simulator = simulator
        self.clock = SystemClock()
        self.manager = ComponentManager()
        self.ctx = BuildContext(self.clock, self.manager, tmp_path)
        self.components: list[Component] = []

    async def add(self, factory: Factory, component_id: str, **properties: Any) -> Any:
        props = {"host": "127.0.0.1", "port": self.simulator.port, **FAST, **properties}
        config = factory.model.model_validate(props)
        component = factory.build(component_id, "", config, self.ctx)
        self.manager.add(component)
        self.components.append(component)
        await component.start()
        return component

    def cycle(self) -> None:
        """The process-image phase of one cycle."""
        self.manager.freeze_process_image(self.clock.monotonic())

    async def until(self, condition: Callable[[], bool], timeout: float = 5.0) -> None:
        """Run cycles until `condition` holds (polling, not sleeping through a timeout)."""
        async with asyncio.timeout(timeout):
            while True:
                self.cycle()
                if condition():
                    return
                await asyncio.sleep(0.01)

    async def close(self) -> None:
        for component in self.components:
            await component.stop()


@pytest.fixture
async def simulator() -> AsyncIterator[DeviceSimulator]:
    simulator = DeviceSimulator("127.0.0.1", 0, clock=ManualClock(), slow_delay=0.5)
    await simulator.start()
    yield simulator
    await simulator.stop()


@pytest.fixture
async def site(simulator: DeviceSimulator, tmp_path: Path) -> AsyncIterator[Site]:
    site = Site(simulator, tmp_path)
    yield site
    await site.close()


@pytest.fixture
async def der_site(tmp_path: Path) -> AsyncIterator[Site]:
    """A site against a simulator presenting the DER models 701-704 (and 124)."""
    simulator = DeviceSimulator("127.0.0.1", 0, clock=ManualClock(), slow_delay=0.5, der=True)
    await simulator.start()
    site = Site(simulator, tmp_path)
    yield site
    await site.close()
    await simulator.stop()
