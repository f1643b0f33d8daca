"""Debian's chromium opens the edge's own web UI served by a backend node, for one edge of a
fleet user, and shows that edge's live values (one page: the overview)."""

from __future__ import annotations

import pytest
from playwright.async_api import async_playwright

from tests.api.conftest import EVENING
from tests.backend.conftest import Fleet, until
from tests.web.conftest import CHROMIUM, CHROMIUM_ARGS, new_page

pytestmark = [pytest.mark.external, pytest.mark.browser, pytest.mark.slow]


async def test_an_owner_opens_their_edge_through_the_backend(fleet: Fleet) -> None:
    node = await fleet.node()
    node.node.ui.poll_s = 0.2
    owner = await fleet.user()
    edge_a, runner = await fleet.edge(owner=owner, start=EVENING)
    await fleet.edge(owner=await fleet.user())  # somebody else's home on the same backend
    link = runner.edge.manager.get("ctrlBackend0").link  # type: ignore[attr-defined]

    async def connected() -> bool:
        return link.connected_to is not None

    await until(connected)
    runner.step(2)
    soc = runner.value("_sum/EssSoc")
    assert isinstance(soc, int) and soc > 0
    async with async_playwright() as playwright:
        chromium = await playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True
        )
        try:
            page = await new_page(chromium, node.url)
            await page.goto(f"/edges/{edge_a}/")
            heading = await page.locator("#login-form h1").inner_text()
            assert heading == f"Sign in to edge {edge_a}"
            await page.locator("#username").fill(owner)  # shown open: a fleet needs the name
            await page.locator("#password").fill("secret")
            await page.locator("#login-form button[type=submit]").click()
            role = page.get_by_test_id("role")
            await role.wait_for(state="visible")
            assert (await role.inner_text()).lower() == f"{owner} · owner"  # its role on A
            back = page.get_by_test_id("fleet-back")  # to the fleet page: all the user's edges
            assert (await back.get_attribute("href"), await back.inner_text()) == ("/", "All edges")
            card = page.get_by_test_id("flow-soc")
            await page.wait_for_function(
                "([el, soc]) => el.dataset.value === soc",
                arg=[await card.element_handle(), str(soc)],
            )
            assert page.errors == [] and page.external == []  # type: ignore[attr-defined]
        finally:
            await chromium.close()
