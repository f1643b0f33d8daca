"""A real edge: uvicorn on loopback free ports, the real-time cycle, stopped by the test."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import pytest

from tests.api.conftest import demo_with_write_access
from wattkeeper.config.site import SiteConfig
from wattkeeper.edge.app import Edge


class LiveEdge:
    def __init__(self, edge: Edge, servers: Any) -> None:
        self.edge = edge
        self.edge_servers = servers
        self.ports: list[int] = servers.bound
        self.url = f"http://127.0.0.1:{self.ports[0]}"

    async def until(self, predicate: Callable[[], bool], timeout: float = 10.0) -> None:
        """Poll a condition of the running edge (bounded; never a fixed sleep)."""
        async with asyncio.timeout(timeout):
            while not predicate():
                await asyncio.sleep(0.01)

    def value(self, address: str) -> Any:
        return self.edge.manager.channel(address).value


@pytest.fixture
async def start_edge(tmp_path: Path) -> AsyncIterator[Callable[..., Any]]:
    running: list[tuple[Edge, Any, asyncio.Task[None]]] = []

    async def start(
        site: SiteConfig | None = None, ports: int = 1, data_dir: Path | None = None
    ) -> LiveEdge:
        site = site or demo_with_write_access()
        site.edge.ports = [0] * ports
        site.edge.host = "127.0.0.1"
        site.edge.period_ms = 200
        edge = Edge(site, data_dir or tmp_path / "data")
        await edge.start()  # the App Center may create ctrlApiRest0 here
        for component in list(edge.manager):  # tests bind free ports only, never 8084
            if hasattr(component.config, "port"):
                component.config = component.config.model_copy(update={"port": 0})
        task = asyncio.create_task(edge.cycle.run_forever())
        servers = await edge.start_servers()
        running.append((edge, servers, task))
        return LiveEdge(edge, servers)

    yield start
    for edge, servers, task in running:
        await edge.stop_servers(servers)
        await edge.stop()
        await task
