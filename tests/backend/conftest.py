"""A real PostgreSQL and nats-server, started once per test session on free loopback ports;
backend nodes in-process; real edges (the demo home) on fake clocks reporting to them."""

from __future__ import annotations

import asyncio
import base64
import itertools
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.conftest import SUMMER_NOON, EdgeRunner
from wattkeeper.backend.engines import EngineMissing, LocalNats, LocalPostgres
from wattkeeper.backend.node import BackendNode, NodeServer
from wattkeeper.backend.store import FleetStore
from wattkeeper.config.site import ComponentEntry, SiteConfig, demo_site
from wattkeeper.edge.app import Edge
from wattkeeper.testing.fake_clock import FakeClock

_ids = itertools.count()


@dataclass
class Engines:
    postgres: LocalPostgres
    nats: LocalNats


@pytest.fixture(scope="session")
def engines() -> Iterator[Engines]:
    try:
        postgres = LocalPostgres.start()
    except EngineMissing as error:
        pytest.skip(str(error))
    try:
        bus = LocalNats.start()
    except EngineMissing as error:
        postgres.stop()
        pytest.skip(str(error))
    yield Engines(postgres, bus)
    bus.stop()
    postgres.stop()


async def until(check: Callable[[], Awaitable[bool]], timeout: float = 10.0) -> None:
    """Poll an async condition (a query, a socket's answer) until it holds."""
    async with asyncio.timeout(timeout):
        while not await check():
            await asyncio.sleep(0.01)


def basic(user: str, password: str) -> dict[str, str]:
    return {"Authorization": "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()}


class Fleet:
    """Backend nodes on one PostgreSQL and NATS, and the edges that report to them."""

    def __init__(self, engines: Engines, tmp_path: Path) -> None:
        self.engines = engines
        self.tmp_path = tmp_path
        self.nodes: list[NodeServer] = []
        self.edges: list[EdgeRunner] = []
        self.store: FleetStore | None = None
        self.client = httpx.AsyncClient(timeout=30)

    async def node(self, port: int = 0) -> NodeServer:
        engines = self.engines
        node = NodeServer(await BackendNode.open(engines.postgres.url, engines.nats.url), port=port)
        await node.start()
        self.nodes.append(node)
        if self.store is None:
            self.store = node.node.store
        return node

    async def user(self, name: str | None = None, password: str = "secret") -> str:
        name = name or f"user{next(_ids)}"
        assert self.store is not None
        await self.store.add_user(name, password)
        return name

    async def edge(
        self,
        uris: list[str] | None = None,
        owner: str | None = None,
        api_timeout: int = 60,
        start: float = SUMMER_NOON,
        data_dir: Path | None = None,
        edge_id: str | None = None,
    ) -> tuple[str, EdgeRunner]:
        assert self.store is not None
        edge_id = edge_id or f"edge{next(_ids)}"
        apikey = f"key-of-{edge_id}"
        await self.store.add_edge(edge_id, apikey)
        if owner:
            await self.store.grant(owner, edge_id, "owner")
        site = site_with_backend(uris or [self.nodes[0].edge_url], apikey, api_timeout)
        clock = FakeClock(start)
        edge = Edge(site, data_dir or self.tmp_path / edge_id, clock)
        link = edge.manager.get("ctrlBackend0").link  # type: ignore[attr-defined]
        link.reconnect_s = link.max_reconnect_s = 0.05  # quick reconnects: real loopback I/O
        await edge.start()
        runner = EdgeRunner(edge, clock)
        self.edges.append(runner)
        return edge_id, runner

    async def rpc(
        self,
        node: NodeServer,
        user: str,
        method: str,
        params: dict[str, Any],
        password: str = "secret",
    ) -> httpx.Response:
        return await self.client.post(
            node.url + "/jsonrpc",
            json={"jsonrpc": "2.0", "id": 1, "method": method, "params": params},
            headers=basic(user, password),
        )

    async def close(self) -> None:
        await self.client.aclose()
        for runner in self.edges:
            await runner.edge.stop()
        for node in self.nodes:
            await node.stop()


def site_with_backend(uris: list[str], apikey: str, api_timeout: int = 60) -> SiteConfig:
    site = demo_site()
    site.components.append(
        ComponentEntry(
            id="ctrlApiRest0",
            factory="Controller.Api.Rest.ReadWrite",
            properties={"apiTimeout": api_timeout},
        )
    )
    site.components.append(
        ComponentEntry(
            id="ctrlBackend0",
            factory="Controller.Api.Backend",
            properties={"apikey": apikey, "uri": ",".join(uris)},
        )
    )
    return site


@pytest.fixture
async def fleet(engines: Engines, tmp_path: Path) -> AsyncIterator[Fleet]:
    fleet = Fleet(engines, tmp_path)
    yield fleet
    await fleet.close()
