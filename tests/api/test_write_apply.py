"""An accepted write reaches the battery at once (the cycle's apply step), not with the next
cycle; the batteries are still written at most once per apply spacing."""

from __future__ import annotations

from tests.api.conftest import Api
from wattkeeper.drivers.simulated.battery import SimulatedBattery


def battery(api: Api) -> SimulatedBattery:
    ess = api.edge.manager.get("ess0")
    assert isinstance(ess, SimulatedBattery)
    return ess


async def test_a_write_reaches_the_battery_before_the_next_cycle(api: Api) -> None:
    cycles = api.edge.cycle.number
    api.site.clock.advance(0.01)  # some time after the last cycle, well before the next
    assert (await api.post("ess0/SetActivePowerEquals", {"value": 2500})).status_code == 200
    assert battery(api).setpoint == 2500  # applied by the write itself ...
    assert api.edge.cycle.number == cycles  # ... without a cycle
    # readers see it with the next cycle, as every change
    assert await api.value("ctrlApiRest0/ApiWorkerLog") == ""
    api.step()
    assert await api.value("ctrlApiRest0/ApiWorkerLog") == "ess0/SetActivePowerEquals:2500"


async def test_writes_closer_than_the_apply_spacing_wait_for_it(api: Api) -> None:
    api.site.clock.advance(0.01)
    assert (await api.post("ess0/SetActivePowerEquals", {"value": 1000})).status_code == 200
    assert battery(api).setpoint == 1000
    # at once again: the battery is not written twice within the apply spacing ...
    assert (await api.post("ess0/SetActivePowerEquals", {"value": 1200})).status_code == 200
    assert battery(api).setpoint == 1000
    # ... but as soon as it allows
    api.site.clock.advance(api.edge.cycle.apply_spacing_ms / 1000)
    assert (await api.post("ess0/SetActivePowerEquals", {"value": 1300})).status_code == 200
    assert battery(api).setpoint == 1300
