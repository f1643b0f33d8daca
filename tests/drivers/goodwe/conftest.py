"""A FENECON Home site (battery0, ess0, charger0/1, meter0) built by the factories, driven by
the real cycle against the simulator over Modbus/TCP (two lines, as the example) or Modbus
RTU (one serial line through a pseudo-terminal null modem)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import pytest

from wattkeeper.config.registry import BuildContext
from wattkeeper.core.clock import SystemClock
from wattkeeper.core.cycle import Cycle
from wattkeeper.core.manager import ComponentManager
from wattkeeper.edge.factories import default_registry
from wattkeeper.natures.sum import Sum
from wattkeeper.power.stage import Power
from wattkeeper.simulator.fenecon.nullmodem import NullModem
from wattkeeper.simulator.fenecon.server import FeneconHomeSimulator

FAST = {"pollPeriodMs": 50, "timeoutMs": 150}


class HomeSite:
    def __init__(self, simulator: FeneconHomeSimulator, transport: str, tmp_path: Path) -> None:
        self.simulator = simulator
        self.transport = transport
        self.clock = SystemClock()
        self.manager = ComponentManager()
        self.power = Power(self.manager)
        self.ctx = BuildContext(self.clock, self.manager, tmp_path, power=self.power)
        self.registry = default_registry()
        self.cycle = Cycle(self.manager, self.power, Sum(self.manager), self.clock, period_ms=50)
        self.components: list[Any] = []

    def add(self, component_id: str, factory: str, **properties: Any) -> Any:
        config = self.registry.validate(component_id, factory, properties)
        component = self.registry.build(component_id, factory, "", config, self.ctx)
        self.manager.add(component)
        self.components.append(component)
        return component

    async def build(self, serial_path: str | None = None, **ess: Any) -> None:
        if serial_path is None:
            for line in ("modbus0", "modbus1"):
                self.add(line, "Bridge.Modbus.Tcp", port=self.simulator.port, **FAST)
            battery_line, inverter_line = "modbus0", "modbus1"
        else:
            # a pseudo-terminal carries bytes at memory speed whatever the baud rate: the line
            # is declared at 115200 baud so that both devices fit a 100 ms poll on paper
            self.add(
                "modbus0", "Bridge.Modbus.Serial", portName=serial_path, baudRate=115200,
                pollPeriodMs=100, timeoutMs=150,
            )  # fmt: skip
            battery_line = inverter_line = "modbus0"
        self.add("battery0", "Battery.Fenecon.Home", **{"modbus.id": battery_line})
        self.add("ess0", "GoodWe.Ess", **{"modbus.id": inverter_line, **ess})
        self.add("charger0", "GoodWe.Charger-PV", pv=1)
        self.add("charger1", "GoodWe.Charger-PV", pv=2)
        self.add("meter0", "GoodWe.Grid-Meter")
        for component in self.components:
            await component.start()

    def value(self, address: str) -> Any:
        return self.manager.channel(address).value

    async def until(self, condition: Callable[[], bool], timeout: float = 8.0) -> int:
        """Run cycles (one every 20 ms) until `condition`; returns how many ran."""
        count = 0
        async with asyncio.timeout(timeout):
            while True:
                self.cycle.run_once()
                count += 1
                if condition():
                    return count
                await asyncio.sleep(0.02)

    async def close(self) -> None:
        for component in reversed(self.components):
            await component.stop()


# every site test over TCP; over RTU too, outside the fast stage (a pty line is slower to set up)
@pytest.fixture(params=["tcp", pytest.param("rtu", marks=pytest.mark.slow)])
async def home(request: Any, tmp_path: Path) -> AsyncIterator[HomeSite]:
    modem = NullModem().open() if request.param == "rtu" else None
    simulator = FeneconHomeSimulator(
        "127.0.0.1",
        0,
        serial=modem.device_path if modem else None,
        load_w=600.0,
        pv_w=0.0,
    )
    await simulator.start()
    site = HomeSite(simulator, request.param, tmp_path)
    site.serial_path = modem.edge_path if modem else None  # type: ignore[attr-defined]
    yield site
    await site.close()
    await simulator.stop()
    if modem is not None:
        modem.close()
