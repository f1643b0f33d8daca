"""API fixtures: the real ASGI app on a fake clock, and helpers to call it."""

from __future__ import annotations

import base64
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.conftest import EdgeRunner
from wattkeeper.config.site import ComponentEntry, SiteConfig, demo_site

EVENING = 1_782_068_400.0  # no sun: the battery covers the household under self-consumption


def demo_with_write_access() -> SiteConfig:
    """The demo home with the REST write API configured in the site file, as an installer would."""
    site = demo_site()
    site.components.append(
        ComponentEntry(
            id="ctrlApiRest0",
            factory="Controller.Api.Rest.ReadWrite",
            properties={"apiTimeout": 60},
        )
    )
    return site


def basic(password: str, user: str = "x") -> dict[str, str]:
    token = base64.b64encode(f"{user}:{password}".encode()).decode()
    return {"Authorization": f"Basic {token}"}


OWNER, GUEST, ADMIN = basic("owner"), basic("user"), basic("admin")


class Api:
    """An httpx client on the edge's ASGI app plus the edge's fake clock."""

    def __init__(self, site: EdgeRunner, client: httpx.AsyncClient) -> None:
        self.site = site
        self.client = client
        self.edge = site.edge

    async def get(self, path: str, auth: dict[str, str] = GUEST) -> httpx.Response:
        return await self.client.get(path, headers=auth)

    async def post(
        self, address: str, body: Any, auth: dict[str, str] = OWNER, **kw: Any
    ) -> httpx.Response:
        if isinstance(body, bytes | str):
            return await self.client.post(
                f"/rest/channel/{address}", content=body, headers={**auth, **kw.get("headers", {})}
            )
        return await self.client.post(f"/rest/channel/{address}", json=body, headers=auth)

    async def rpc(
        self, method: str, params: dict[str, Any], auth: dict[str, str] = ADMIN
    ) -> httpx.Response:
        return await self.client.post(
            "/jsonrpc",
            json={"jsonrpc": "2.0", "id": "1", "method": method, "params": params},
            headers=auth,
        )

    async def value(self, address: str) -> Any:
        response = await self.get(f"/rest/channel/{address}")
        assert response.status_code == 200, response.text
        return response.json()["value"]

    def step(self, cycles: int = 1, seconds: float = 1.0) -> None:
        self.site.step(cycles, seconds)

    @property
    def worker(self) -> Any:
        return self.edge.manager.get("ctrlApiRest0")


@pytest.fixture
async def make_api(make_edge: Callable[..., EdgeRunner]) -> AsyncIterator[Callable[..., Api]]:
    clients: list[httpx.AsyncClient] = []

    def make(site: Any = None, start: float = EVENING, data_dir: Path | None = None) -> Api:
        runner = make_edge(site or demo_with_write_access(), data_dir=data_dir, start=start)
        transport = httpx.ASGITransport(app=runner.edge.asgi, client=("127.0.0.1", 50000))
        client = httpx.AsyncClient(transport=transport, base_url="http://edge")
        clients.append(client)
        runner.step()
        return Api(runner, client)

    yield make
    for client in clients:
        await client.aclose()


@pytest.fixture
def api(make_api: Callable[..., Api]) -> Api:
    return make_api()
