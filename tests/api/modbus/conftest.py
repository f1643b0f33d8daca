"""Modbus/TCP API fixtures: the demo home with a Modbus API on a free loopback port."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from typing import Any

import pytest
from pymodbus.client import AsyncModbusTcpClient

from tests.api.conftest import EVENING
from tests.conftest import EdgeRunner
from wattkeeper.config.site import ComponentEntry, demo_site

RW = "Controller.Api.ModbusTcp.ReadWrite"
RO = "Controller.Api.ModbusTcp.ReadOnly"
CONTROLLER = "ctrlApiModbusTcp0"


class ModbusSite:
    """An edge on a fake clock serving the Modbus/TCP API; clients made here are closed after."""

    def __init__(self, runner: EdgeRunner) -> None:
        self.runner = runner
        self.edge = runner.edge
        self._clients: list[AsyncModbusTcpClient] = []

    @property
    def port(self) -> int:
        return self.edge.modbus.servers[CONTROLLER].port

    @property
    def controller(self) -> Any:
        return self.edge.manager.get(CONTROLLER)

    async def client(self) -> AsyncModbusTcpClient:
        client = AsyncModbusTcpClient("127.0.0.1", port=self.port, timeout=2, retries=0)
        self._clients.append(client)
        assert await client.connect()
        return client

    async def raw(self) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
        return await asyncio.open_connection("127.0.0.1", self.port)

    def step(self, cycles: int = 1, seconds: float = 1.0) -> None:
        self.runner.step(cycles, seconds)

    def value(self, address: str) -> object:
        return self.runner.value(address)

    def close_clients(self) -> None:
        for client in self._clients:
            client.close()


@pytest.fixture
async def make_modbus(
    make_edge: Callable[..., EdgeRunner],
) -> AsyncIterator[Callable[..., Any]]:
    sites: list[ModbusSite] = []

    async def make(factory: str = RW, **properties: Any) -> ModbusSite:
        site = demo_site()
        props = {"port": 0, "component.ids": ["_sum", "ess0"], **properties}
        if factory == RW:
            props.setdefault("apiTimeout", 60)
        site.components.append(ComponentEntry(id=CONTROLLER, factory=factory, properties=props))
        runner = make_edge(site, start=EVENING)
        runner.step()
        await runner.edge.modbus.start()
        made = ModbusSite(runner)
        sites.append(made)
        return made

    yield make
    for made in sites:
        made.close_clients()
        await made.edge.modbus.stop()


@pytest.fixture
async def modbus(make_modbus: Callable[..., Any]) -> ModbusSite:
    site: ModbusSite = await make_modbus()
    return site
