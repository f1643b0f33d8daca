"""The Plan view in a real browser: examples/time-of-use.toml's plan as price, SoC and battery
power charts, its status and the money saved, read through componentJsonApi getSchedule."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.web.conftest import LiveSite, login, new_page, screenshot
from tests.web.test_monitoring_ui import assert_clean, eventually
from wattkeeper.config.site import ComponentEntry, load_site

pytestmark = pytest.mark.asyncio(loop_scope="module")
EXAMPLE = Path(__file__).parents[2] / "examples" / "time-of-use.toml"


async def test_the_plan_view_charts_the_examples_plan(browser, tmp_path) -> None:
    site = load_site(EXAMPLE)
    site.components.append(
        ComponentEntry(id="ctrlApiRest0", factory="Controller.Api.Rest.ReadWrite", properties={})
    )
    live = await LiveSite(site, tmp_path / "edge").start()
    try:
        controller = live.edge.manager.get("ctrlEssTimeOfUseTariff0")

        async def planned() -> bool:
            return controller.schedule is not None

        await eventually(planned, timeout=30)
        page = await new_page(browser, live.url)
        await login(page, "owner")
        await page.goto("/#/plan")
        status = page.get_by_test_id("plan-status")

        async def shown() -> str:
            text = await status.inner_text() if await status.count() else ""
            return text if "optimal" in text else ""

        await eventually(shown, timeout=15)
        charts = page.locator("[data-testid=plan] svg.chart")
        assert await charts.count() == 3
        # the planned SoC is a line with points, the price axis in ct/kWh
        assert await charts.nth(1).locator("path.series").count() == 2
        assert "ct/kWh" in await charts.nth(0).inner_html()
        assert "€" in await page.get_by_test_id("plan-saved").inner_text()
        await screenshot(page, "plan")
        assert_clean(page)
        await page.context.close()
    finally:
        await live.stop()
