"""Browser tests: a real edge on a loopback port, driven by Debian's Chromium through Playwright.

Playwright never downloads a browser here: without /usr/bin/chromium the tests are skipped
(`scripts/browser-deps.sh` installs it in CI).
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import pytest_asyncio

from tests.api.conftest import basic, demo_with_write_access
from tests.conftest import SUMMER_NOON
from wattkeeper.api.server import HttpServers
from wattkeeper.config.site import SiteConfig, demo_site
from wattkeeper.core.clock import SystemClock
from wattkeeper.edge.app import Edge
from wattkeeper.testing.fake_clock import FakeClock

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
PERIOD_MS = 200
#: recorded before the live start (10:00 UTC on 2026-06-21): all of 2026-06-20, Berlin time
HISTORY_HOURS = 36
RECORDED_DAY = "2026-06-20"
#: set to a directory (e.g. docs/screenshots) to save screenshots of the main views
SCREENSHOTS = os.environ.get("WATTKEEPER_SCREENSHOTS")

if not CHROMIUM.exists():
    pytest.skip(
        f"{CHROMIUM} is missing: run scripts/browser-deps.sh to install Debian's chromium",
        allow_module_level=True,
    )
os.environ.setdefault("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1")


class ShiftedClock:
    """The real clocks, with wall time moved to a sunny June noon so the demo home is busy."""

    def __init__(self, start: float = SUMMER_NOON) -> None:
        self._offset = start - time.time()

    def time(self) -> float:
        return time.time() + self._offset

    def monotonic(self) -> float:
        return time.monotonic()

    async def sleep(self, seconds: float) -> None:
        await asyncio.sleep(seconds)

    async def wait(self, event: asyncio.Event, timeout: float) -> bool:
        return await SystemClock().wait(event, timeout)


class LiveSite:
    """An edge with its cycle running in real time and its HTTP/websocket server on loopback."""

    def __init__(self, site: SiteConfig, data_dir: Path) -> None:
        site.edge.period_ms = PERIOD_MS
        site.edge.ports = [0]
        self.edge = Edge(site, data_dir, ShiftedClock())
        self.data_dir = data_dir
        self.url = ""
        self._servers: HttpServers | None = None
        self._cycle: asyncio.Task[None] | None = None

    async def start(self) -> LiveSite:
        await self.edge.start()
        self._cycle = asyncio.create_task(self.edge.cycle.run_forever(), name="cycle")
        # only the ephemeral port: the REST component's own port (8084) is not needed here
        self._servers = HttpServers(self.edge.asgi, "127.0.0.1", [0])
        port = (await self._servers.start())[0]
        self.url = f"http://127.0.0.1:{port}"
        return self

    async def restart_servers(self) -> None:
        """Stop listening, then listen again on the same port (the edge keeps running)."""
        assert self._servers is not None
        port = self._servers.bound[0]
        await self._servers.stop()
        await asyncio.sleep(0.5)
        self._servers = HttpServers(self.edge.asgi, "127.0.0.1", [port])
        await self._servers.start()

    async def stop(self) -> None:
        if self._servers is not None:
            await self._servers.stop()
        await self.edge.stop()
        if self._cycle is not None:
            with contextlib.suppress(asyncio.CancelledError):
                await self._cycle

    async def value(self, address: str) -> Any:
        """Read a channel through the REST API, as any other client would."""
        async with httpx.AsyncClient(base_url=self.url, headers=basic("user")) as client:
            response = await client.get(f"/rest/channel/{address}")
            assert response.status_code == 200, response.text
            return response.json()["value"]


async def record_history(site: SiteConfig, data_dir: Path, hours: float, step: float = 180) -> None:
    """Run the site on a fake clock up to the live start, so the history has real recorded days."""
    clock = FakeClock(SUMMER_NOON - hours * 3600)
    edge = Edge(site, data_dir, clock)
    await edge.start()
    for _ in range(int(hours * 3600 / step)):
        clock.advance(step)
        edge.cycle.run_once()
    await edge.stop()


@pytest_asyncio.fixture(loop_scope="module", scope="module")
async def live(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[LiveSite]:
    data_dir = tmp_path_factory.mktemp("live")
    await record_history(demo_with_write_access(), data_dir, HISTORY_HOURS)
    site = await LiveSite(demo_with_write_access(), data_dir).start()
    yield site
    await site.stop()


@pytest_asyncio.fixture(loop_scope="module", scope="module")
async def browser() -> AsyncIterator[Any]:
    from playwright.async_api import async_playwright

    async with async_playwright() as playwright:
        chromium = await playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True
        )
        yield chromium
        await chromium.close()


async def new_page(browser: Any, base_url: str, locale: str = "en-GB", **options: Any) -> Any:
    context = await browser.new_context(
        base_url=base_url, locale=locale, timezone_id="Europe/Berlin", **options
    )
    page = await context.new_page()
    page.set_default_timeout(5000)
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    page.errors = errors  # type: ignore[attr-defined]
    external: list[str] = []
    page.external = external  # type: ignore[attr-defined]

    async def only_the_edge(route: Any) -> None:
        # nothing may leave the edge: every request goes to the edge's own address
        if route.request.url.startswith(base_url):
            await route.continue_()
        else:
            external.append(route.request.url)
            await route.abort()

    await context.route("**/*", only_the_edge)
    return page


async def login(page: Any, password: str) -> None:
    await page.goto("/")
    await page.get_by_test_id("role").wait_for(state="hidden")
    await page.locator("#password").fill(password)
    await page.locator("#login-form button[type=submit]").click()
    await page.get_by_test_id("role").wait_for(state="visible")


async def screenshot(page: Any, name: str) -> None:
    if SCREENSHOTS:
        Path(SCREENSHOTS).mkdir(parents=True, exist_ok=True)
        await page.screenshot(path=str(Path(SCREENSHOTS) / f"{name}.png"), full_page=True)


def fresh_demo_site() -> SiteConfig:
    """The demo home as it ships: read-only REST until a key is redeemed."""
    return demo_site()
