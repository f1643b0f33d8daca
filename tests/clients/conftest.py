"""A real edge for client replays: uvicorn on a free loopback port, the REST controller's
`port` set to 0 so the edge binds a free port and reports it; cycles run on a fake clock."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from tests.api.conftest import demo_with_write_access
from tests.conformance.reference import reference
from wattkeeper.edge.app import Edge
from wattkeeper.testing.fake_clock import FakeClock

SUMMER_NOON = 1_782_036_000.0


class Served:
    def __init__(self, edge: Edge, port: int) -> None:
        self.edge = edge
        self.port = port
        self.ws_url = f"ws://127.0.0.1:{port}/websocket"

    def value(self, address: str) -> object:
        return self.edge.manager.channel(address).value


@pytest.fixture
async def served(tmp_path: Path) -> AsyncIterator[Served]:
    site = demo_with_write_access()
    site.edge.host, site.edge.ports = "127.0.0.1", []
    site.components[-1].properties["port"] = 0  # only the REST controller's port is served
    clock = FakeClock(SUMMER_NOON)
    edge = Edge(site, tmp_path, clock)
    await edge.start()
    servers = await edge.start_servers()

    async def cycles() -> None:  # one simulated second every 20 ms of real time
        while True:
            clock.advance(1)
            edge.cycle.run_once()
            await asyncio.sleep(0.02)

    task = asyncio.create_task(cycles())
    try:
        yield Served(edge, servers.bound[0])
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
        await edge.stop_servers(servers)
        await edge.stop()


def reference_unit(nature_ids: list[str], channel: str) -> str | None:
    """The unit OpenEMS declares for this channel in one of the component's natures."""
    natures = reference()["natures"]
    for nature in nature_ids:
        for item in natures.get(nature, {}).get("channels", []):
            if item["id"] == channel:
                unit: str = item["unit"]
                return unit
    return None
