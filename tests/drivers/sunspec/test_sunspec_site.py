"""End to end: the core's cycle, power stage and balancing controller drive the SunSpec
drivers against the simulator, as `examples/sunspec-home.toml` configures them."""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

from wattkeeper.config.registry import Registry
from wattkeeper.controllers.balancing import FACTORY as BALANCING
from wattkeeper.core.cycle import Cycle
from wattkeeper.drivers.sunspec import FACTORIES
from wattkeeper.natures.sum import Sum
from wattkeeper.power.stage import Power

Site = Any  # tests/drivers/sunspec/conftest.py: Site

EXAMPLE = Path(__file__).parents[3] / "examples" / "sunspec-home.toml"


async def test_balancing_brings_the_grid_to_zero(site: Site) -> None:
    registry = Registry([*FACTORIES, BALANCING])
    power = Power(site.manager)
    site.ctx.power = power
    cycle = Cycle(site.manager, power, Sum(site.manager), site.clock, period_ms=50)
    document = tomllib.loads(EXAMPLE.read_text())
    assert document["edge"]["period_ms"] == 1000
    known = {factory.factory_id for factory in registry}
    for item in document["components"]:
        if item["factory"] not in known:
            continue  # the REST API is covered by tests/e2e/test_sunspec_home.py
        properties = dict(item.get("properties", {}))
        if "port" in properties:  # the example points at 5502; here the test's free port
            properties.update(port=site.simulator.port, pollPeriodMs=50, timeoutMs=150)
        config = registry.validate(item["id"], item["factory"], properties)
        component = registry.build(
            item["id"], item["factory"], item.get("alias", ""), config, site.ctx
        )
        site.manager.add(component)
        site.components.append(component)
        await component.start()
    ess, meter = site.manager.get("ess0"), site.manager.get("meter0")
    assert meter.value("ActivePower") is None  # nothing read yet

    for _ in range(40):
        cycle.run_once()
        if ess.value("ActivePower") == 600 and meter.value("ActivePower") == 0:
            break
        await ess.flush()
        await ess.link.bridge.next_poll()
        await meter.link.bridge.next_poll()
    assert ess.value("ActivePower") == 600  # the battery covers the 600 W load
    assert meter.value("ActivePower") == 0
    assert site.simulator.battery.storctl_mod == 3


async def test_the_cycle_keeps_its_period_while_the_device_hangs(site: Site) -> None:
    import asyncio

    from wattkeeper.core.state import COMMUNICATION_FAILED
    from wattkeeper.simulator.devices import Fault

    power = Power(site.manager)
    site.ctx.power = power
    cycle = Cycle(site.manager, power, Sum(site.manager), site.clock, period_ms=50)
    ess = await site.add(FACTORIES[0], "ess0", unitId=1)
    await site.until(lambda: ess.value("Soc") is not None)
    await site.simulator.set_faults(Fault.SLOW)  # every answer 0.5 s late, timeout 0.15 s
    durations: list[float] = []
    cycle.events.subscribe(lambda event: durations.append(event.duration_ms))
    runner = asyncio.create_task(cycle.run_forever())
    await asyncio.sleep(0.6)
    cycle.stop()
    await runner
    assert len(durations) >= 6  # 0.6 s at 50 ms: 12, leaving room for a busy machine
    assert max(durations) < 50.0  # ms: no cycle waited for a request (timeout 150 ms)
    assert ess.has_state(COMMUNICATION_FAILED)
