"""A described device on the FakeClock: its simulator on a loopback port, `Described.Ess` over
real Modbus/TCP, the REST API's write gate and one real cycle per `cycle()`."""

from __future__ import annotations

import asyncio
from typing import Any

from wattkeeper.controllers import api_rest
from wattkeeper.controllers.api_rest import RestApiWorker
from wattkeeper.core.writes import WriteRequest
from wattkeeper.drivers.described.ess import DescribedEss
from wattkeeper.drivers.described.links import DescribedConfig
from wattkeeper.simulator.described_server import VendorSimulator
from wattkeeper.testing.one_cycle import OneCycle


class Rig:
    def __init__(self, kind: str, period: float = 1.0, **simulator: Any) -> None:
        self.harness = OneCycle()
        self.clock = self.harness.clock
        self.period = period
        self.simulator = VendorSimulator(kind, clock=self.clock, **simulator)
        self.kind = kind
        self.ess: DescribedEss | None = None
        self.rest: RestApiWorker | None = None

    async def start(self) -> Rig:
        await self.simulator.start()
        config = DescribedConfig.model_validate(
            {
                "model": self.kind,
                "port": self.simulator.port,
                "pollPeriodMs": round(self.period * 1000),
                "timeoutMs": 500,
            }
        )
        ess = DescribedEss("ess0", "", config, self.clock, self.harness.power)
        self.harness.add(ess)
        rest = self.harness.controller(api_rest.READ_WRITE, "ctrlApiRest0", apiTimeout=60)
        assert isinstance(rest, RestApiWorker)
        self.ess, self.rest = ess, rest
        polls = [link.bridge.next_poll(10.0) for link in ess.links.links.values()]
        await ess.start()
        await asyncio.gather(*polls)
        return self

    async def stop(self) -> None:
        if self.ess is not None:
            await self.ess.stop()
        await self.simulator.stop()

    async def cycle(self, seconds: float | None = None, *, poll: bool = True) -> None:
        """Advance the clock, let every unit poll once (if it can), run one cycle, and wait
        until the writes it queued reached the device."""
        assert self.ess is not None
        links = list(self.ess.links.links.values())
        # a failing device may not complete a poll: then wait only for its attempt
        timeout = 10.0 if poll else 0.05  # generous: a loaded CI machine, never a sleep
        waits = [asyncio.ensure_future(link.bridge.next_poll(timeout)) for link in links]
        await asyncio.sleep(0)
        self.clock.advance(self.period if seconds is None else seconds)
        for wait in waits:
            try:
                await wait
            except TimeoutError:
                if poll:
                    raise
        self.harness.cycle.run_once()
        await self.ess.flush(10.0)
        await asyncio.sleep(0)

    def write(self, value: int | None) -> Any:
        assert self.rest is not None
        request = WriteRequest(
            "ess0/SetActivePowerEquals", value, "owner", "owner", "127.0.0.1", "rest"
        )
        return self.rest.write(request)

    def value(self, channel: str) -> Any:
        return self.harness.value(f"ess0/{channel}")
