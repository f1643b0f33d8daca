"""The monitoring UI in headless Chromium against a live edge (200 ms cycle, loopback)."""

from __future__ import annotations

import asyncio
import importlib.util
from typing import Any

import httpx
import pytest

from tests.api.conftest import basic
from tests.web.conftest import RECORDED_DAY, LiveSite, fresh_demo_site, login, new_page, screenshot
from wattkeeper.licence_vendor import issue_offline

pytestmark = pytest.mark.asyncio(loop_scope="module")

RW = "App.Api.RestJson.ReadWrite"
FLOW = {
    "flow-pv": "_sum/ProductionActivePower",
    "flow-grid": "_sum/GridActivePower",
    "flow-battery": "_sum/EssDischargePower",  # the battery itself (DC side of a hybrid)
    "flow-soc": "_sum/EssSoc",
    "flow-home": "_sum/ConsumptionActivePower",
}
PHONE = {"viewport": {"width": 390, "height": 844}, "device_scale_factor": 2, "is_mobile": True}


async def eventually(check: Any, timeout: float = 5.0) -> Any:
    """Poll an async check until it returns something truthy; fail with its last answer."""
    deadline = asyncio.get_running_loop().time() + timeout
    while True:
        result = await check()
        if result or asyncio.get_running_loop().time() > deadline:
            assert result, f"condition never held; last answer {result!r}"
            return result
        await asyncio.sleep(0.1)


async def shows_rest_value(page: Any, live: LiveSite, testid: str, address: str) -> None:
    """The UI shows what REST reads; both move with the cycle, so retry until one cycle agrees.

    The page gets each cycle's values pushed a little after REST can read them, so on a busy
    machine it may still show the value that REST answered a moment before: accept a value that
    REST answered in this poll or the one before (one cycle of lag, never an invented value).
    """
    seen: list[tuple[str | None, Any]] = []

    async def same() -> bool:
        shown = await page.get_by_test_id(testid).get_attribute("data-value")
        rest = await live.value(address)
        recent = {str(rest)} | {str(r) for _, r in seen[-2:]}
        seen.append((shown, rest))
        return shown in recent

    try:
        await eventually(same)
    except AssertionError:
        raise AssertionError(f"{testid} never showed {address}: {seen[-5:]}") from None


def assert_clean(page: Any) -> None:
    assert page.errors == [], page.errors
    assert page.external == [], page.external


async def test_guest_sees_the_live_energy_flow_as_rest_reads_it(browser, live) -> None:
    page = await new_page(browser, live.url)
    await login(page, "user")
    assert "guest" in await page.get_by_test_id("role").inner_text()
    for testid, address in FLOW.items():
        await shows_rest_value(page, live, testid, address)
    # every cycle: the counter the page holds keeps moving
    first = await page.evaluate("window.wattkeeper.live.size")
    assert first >= len(FLOW)
    pv = await page.get_by_test_id("flow-pv").inner_text()
    assert pv.endswith("kW") or pv.endswith(" W")
    await screenshot(page, "energy-flow")
    assert_clean(page)
    await page.context.close()


async def test_a_guest_sees_disabled_controls_and_is_refused_when_writing(browser, live) -> None:
    page = await new_page(browser, live.url)
    await login(page, "user")
    await page.goto("/#/override")
    await page.get_by_test_id("override-guest").wait_for()
    for control in ("override-set", "override-value", "override-address"):
        assert await page.get_by_test_id(control).is_disabled(), control
    # the page only mirrors the server, which refuses a guest whatever the page does
    refusal = await page.evaluate(
        "window.wattkeeper.socket.edge('setOverride', {address: 'ess0/SetActivePowerEquals', value: 1500})"
        ".then(() => 'accepted', (error) => error.message)"
    )
    assert "needs role owner" in refusal
    assert live.edge.manager.get("ctrlApiRest0").held == {}
    assert_clean(page)
    await page.context.close()


async def test_owner_sets_a_setpoint_sees_the_countdown_and_releases_it(browser, live) -> None:
    page = await new_page(browser, live.url)
    await login(page, "owner")
    await page.goto("/#/override")
    await page.get_by_test_id("override-address").select_option("ess0/SetActivePowerEquals")
    # an empty field is refused on the page: it is not 0 W
    await page.get_by_test_id("override-value").fill("")
    await page.get_by_test_id("override-set").click()
    message = page.get_by_test_id("override-message")
    await message.wait_for()
    assert "Enter a power" in await message.inner_text()
    assert live.edge.manager.get("ctrlApiRest0").held == {}

    # more than the battery can do: accepted, and the page says what it was fitted to
    await page.get_by_test_id("override-value").fill("99999999")
    await page.get_by_test_id("override-set").click()
    adjusted = page.get_by_test_id("override-adjusted")
    await adjusted.wait_for()
    assert "fitted to" in await adjusted.inner_text()

    await page.get_by_test_id("override-value").fill("3000")
    await page.get_by_test_id("override-set").click()
    await adjusted.wait_for(state="hidden")
    assert "Setpoint accepted" in await message.inner_text()

    # the battery follows, as REST sees it and as the page shows it
    async def battery_follows() -> bool:
        return await live.value("ess0/ActivePower") == 3000

    await eventually(battery_follows)
    await shows_rest_value(page, live, "override-battery", "ess0/ActivePower")

    row = page.locator("[data-testid=override-rows] tr[data-address='ess0/SetActivePowerEquals']")
    await row.wait_for()
    cells = await row.locator("td").all_inner_texts()
    assert cells[1].startswith("3,000") or cells[1].startswith("3000")
    assert "owner" in cells[3] and "127.0.0.1" in cells[3]

    countdown = page.get_by_test_id("override-countdown")
    await countdown.wait_for()
    first = int(await countdown.get_attribute("data-seconds") or 0)
    assert 50 <= first <= 60
    assert await countdown.inner_text() in {"1:00", *(f"0:{s}" for s in range(50, 60))}

    async def counts_down() -> bool:
        now = int(await countdown.get_attribute("data-seconds") or 0)
        return now < first

    await eventually(counts_down, timeout=3)
    await screenshot(page, "override")

    await page.goto("/#/flow")
    await page.get_by_test_id("flow-override").wait_for()

    await page.goto("/#/override")
    await page.get_by_test_id("override-release").click()
    await row.wait_for(state="detached")
    assert "No setpoint is held" in await page.get_by_test_id("override-state").inner_text()
    assert live.edge.manager.get("ctrlApiRest0").held == {}
    assert_clean(page)
    await page.context.close()


async def test_channel_browser_searches_and_shows_live_values(browser, live) -> None:
    page = await new_page(browser, live.url)
    await login(page, "user")
    await page.goto("/#/channels")
    await page.get_by_test_id("channel-search").fill("soc")
    rows = page.locator("[data-testid=channel-rows] tr")

    async def filtered() -> list[str]:
        addresses = await rows.evaluate_all("rows => rows.map(r => r.dataset.address)")
        return addresses if "ess0/Soc" in addresses and len(addresses) < 10 else []

    addresses = await eventually(filtered)
    assert "_sum/EssSoc" in addresses
    cell = rows.locator("xpath=self::*[@data-address='ess0/Soc']").locator("td.value")

    async def live_value() -> bool:
        return (await cell.inner_text()) == str(await live.value("ess0/Soc"))

    await eventually(live_value)
    await page.get_by_test_id("channel-search").fill("")
    await page.get_by_test_id("channel-search").fill("W ess0 WO")
    await eventually(lambda: _all_write_only(rows))
    await page.get_by_test_id("channel-search").fill("")

    async def everything() -> bool:
        return await rows.count() > 50

    await eventually(everything)
    await page.get_by_test_id("channel-search").fill("ess0")

    async def ess_only() -> bool:
        shown = await rows.evaluate_all("rows => rows.map(r => r.dataset.address)")
        return bool(shown) and all(a.startswith("ess0/") for a in shown)

    await eventually(ess_only)
    await eventually(live_value)
    await screenshot(page, "channels")
    # a channel declared without a text is described by its id in words, never blank
    await page.get_by_test_id("channel-search").fill("_sum/EssActivePowerL1")
    row = rows.locator("xpath=self::*[@data-address='_sum/EssActivePowerL1']")
    await row.wait_for()
    assert await row.locator("td").last.inner_text() == "Ess active power L1"
    assert_clean(page)
    await page.context.close()


async def _all_write_only(rows: Any) -> bool:
    access = await rows.locator(".access").evaluate_all("cells => cells.map(c => c.textContent)")
    return bool(access) and set(access) == {"WO"}


async def test_history_shows_curves_and_energy_for_a_picked_date(browser, live) -> None:
    page = await new_page(browser, live.url)
    await login(page, "owner")
    await page.goto("/#/history")
    await page.get_by_test_id("history-date").fill(RECORDED_DAY)
    power = page.get_by_test_id("history-power")
    await power.locator("svg path.series").first.wait_for()
    assert await power.locator("svg path.series").count() == 4
    # a whole recorded day: 288 five-minute points, most of them with a value
    points = await power.locator("svg path.series").first.evaluate(
        "path => path.getAttribute('d').split(/[ML]/).filter(Boolean).length"
    )
    assert points > 250
    totals = page.get_by_test_id("history-totals")
    production = totals.locator("dd[data-address='_sum/ProductionActiveEnergy']")
    await production.wait_for()
    assert (await production.inner_text()).endswith("kWh")
    assert await page.locator(".history-view h2").first.inner_text() != "Power today"
    await page.locator("[data-period=week]").click()
    bars = page.get_by_test_id("history-energy").locator("svg rect.bar")
    await bars.first.wait_for(state="attached")
    assert await bars.count() == 7 * 4
    title = page.locator(".history-view h2").first

    async def week_title() -> bool:
        return (await title.inner_text()).startswith("Power, ")

    await eventually(week_title)  # the power chart covers the week, and says so
    await page.locator("[data-period=month]").click()

    async def month_bars() -> bool:
        return await bars.count() == 30 * 4  # June

    await eventually(month_bars)
    await page.locator("[data-period=day]").click()
    await production.wait_for()
    await screenshot(page, "history")
    assert_clean(page)
    await page.context.close()


async def test_history_not_available_is_said_plainly(browser, live) -> None:
    history = [m for m in live.edge.api.methods if m.startswith("queryHistoric")]
    removed = {name: live.edge.api.methods.pop(name) for name in history}
    try:
        page = await new_page(browser, live.url)
        await login(page, "user")
        await page.goto("/#/history")
        notice = page.get_by_test_id("history-unavailable")
        await notice.wait_for()
        assert "History is not available" in await notice.inner_text()
        assert not await page.get_by_test_id("history-power").is_visible()
        assert_clean(page)
        await page.context.close()
    finally:
        live.edge.api.methods.update(removed)


async def test_german_follows_the_browser_and_the_switch_goes_back(browser, live) -> None:
    page = await new_page(browser, live.url, locale="de-DE")
    await login(page, "owner")
    assert await page.evaluate("document.documentElement.lang") == "de"
    assert await page.locator("#nav a[data-view=flow]").inner_text() == "Energiefluss"
    assert "Eigentümer" in await page.get_by_test_id("role").inner_text()
    await shows_rest_value(page, live, "flow-home", "_sum/ConsumptionActivePower")
    home = await page.get_by_test_id("flow-home").inner_text()
    assert "," in home or home.endswith(" W")  # German decimal comma: "1,23 kW"
    await screenshot(page, "energy-flow-de")
    await page.locator("[data-lang=en]").click()
    assert await page.locator("#nav a[data-view=flow]").inner_text() == "Energy flow"
    await page.reload()
    assert await page.locator("#nav a[data-view=flow]").inner_text() == "Energy flow"  # kept
    assert_clean(page)
    await page.context.close()


async def test_phone_sized_screen(browser, live) -> None:
    page = await new_page(browser, live.url, **PHONE)
    await login(page, "owner")
    await page.get_by_test_id("flow-soc").wait_for()
    for view in ("flow", "override", "channels", "apps", "history", "plan"):
        await page.goto(f"/#/{view}")
        await page.wait_for_timeout(600)  # live values (some long) have arrived by then
        width = await page.evaluate("document.documentElement.scrollWidth")
        assert width <= 390, f"{view} is {width} px wide on a 390 px screen"
        # every tab is on screen, none scrolled out of sight
        rights = await page.locator("#nav a").evaluate_all(
            "links => links.map(a => a.getBoundingClientRect().right)"
        )
        assert len(rights) == 6 and max(rights) <= 390, rights
        tables = await page.locator(".table-wrap").evaluate_all(
            "boxes => boxes.map(b => b.scrollWidth - b.clientWidth)"
        )
        assert all(extra <= 1 for extra in tables), f"{view}: a table scrolls sideways {tables}"
    await page.goto("/#/flow")
    await shows_rest_value(page, live, "flow-soc", "_sum/EssSoc")
    await screenshot(page, "phone")
    assert_clean(page)
    await page.context.close()


async def test_a_wrong_password_is_refused_and_the_page_stays_usable(browser, live) -> None:
    page = await new_page(browser, live.url)
    await page.goto("/")
    await page.locator("#password").fill("nope")
    await page.locator("#login-form button[type=submit]").click()
    error = page.locator("#login-error")
    await error.wait_for()
    assert "Sign-in failed" in await error.inner_text()
    await page.locator("#password").fill("owner")
    await page.locator("#login-form button[type=submit]").click()
    await page.get_by_test_id("role").wait_for()
    # the token survives a reload; signing out forgets it
    await page.reload()
    await page.get_by_test_id("role").wait_for()
    await page.locator("#logout").click()
    await page.locator("#password").wait_for()
    await page.reload()
    await page.locator("#password").wait_for()
    page.errors.clear()  # the failed sign-in is logged by nobody, but be explicit
    assert_clean(page)
    await page.context.close()


@pytest.mark.skipif(
    importlib.util.find_spec("wattkeeper.api.app_center") is None,
    reason="the App Center (_appManager) is not on this branch yet",
)
async def test_owner_redeems_a_key_in_the_app_center(browser, tmp_path) -> None:
    site = await LiveSite(fresh_demo_site(), tmp_path / "edge").start()
    try:
        assert "_appManager" in site.edge.api.component_methods
        key = issue_offline(RW, site.data_dir).key.formatted()
        page = await new_page(browser, site.url)
        await login(page, "owner")
        await page.goto("/#/apps")
        card = page.locator(f"article[data-app='{RW}']")
        message = page.get_by_test_id("apps-message")
        await card.get_by_test_id("app-key").fill(key)
        await screenshot(page, "app-center")
        # a mistyped key is refused with the edge's reason, and nothing changes
        await card.get_by_test_id("app-key").fill("1234-5678-9012-3456")
        await card.get_by_test_id("app-install").click()
        await message.wait_for()
        assert (await message.inner_text()).startswith("Refused")
        assert "check digit" in await message.inner_text()
        await card.get_by_test_id("app-key").fill(key)
        await card.get_by_test_id("app-install").click()

        async def done() -> bool:
            return await message.inner_text() == "Done"

        await eventually(done)
        await card.get_by_test_id("app-remove").wait_for()
        assert "installed" in await card.locator(".badge").first.inner_text()
        # read access is part of write access: said so, and no Install button that would fail
        read_only = page.locator("article[data-app='App.Api.RestJson.ReadOnly']")
        included = read_only.get_by_test_id("app-included")
        await included.wait_for()
        assert RW in await included.inner_text()
        assert await read_only.get_by_test_id("app-install").count() == 0
        # write access really is there now
        async with httpx.AsyncClient(base_url=site.url, headers=basic("owner")) as client:
            response = await client.post(
                "/rest/channel/ess0/SetActivePowerEquals", json={"value": 1000}
            )
            assert response.status_code == 200, response.text
        # removing asks once more; the licence stays, so reinstalling needs no key
        await card.get_by_test_id("app-remove").click()
        await card.get_by_test_id("app-remove").click()
        await card.get_by_test_id("app-install").wait_for()
        assert await card.get_by_test_id("app-key").count() == 0
        await read_only.get_by_test_id("app-remove").wait_for()
        assert_clean(page)
        await page.context.close()
    finally:
        await site.stop()


async def test_a_guest_cannot_install_apps(browser, live) -> None:
    page = await new_page(browser, live.url)
    await login(page, "user")
    await page.goto("/#/apps")
    buttons = page.locator("[data-testid=app-install], [data-testid=app-remove]")
    await buttons.first.wait_for()
    assert all(await buttons.evaluate_all("buttons => buttons.map(b => b.disabled)"))
    refusal = await page.evaluate(
        "window.wattkeeper.socket.component('_appManager', 'addAppInstance',"
        " {appId: 'App.Api.RestJson.ReadOnly', properties: {}})"
        ".then(() => 'accepted', (error) => error.message)"
    )
    assert "needs role owner" in refusal
    assert_clean(page)
    await page.context.close()


async def test_the_page_reconnects_after_the_server_went_away(browser, live) -> None:
    page = await new_page(browser, live.url)
    await login(page, "user")
    await page.get_by_test_id("flow-soc").wait_for()
    await page.evaluate(
        "window.wattkeeper.socket.addEventListener('offline', () => { window.wentOffline = true; })"
    )
    await live.restart_servers()
    # the session token is still known to the edge: the page carries on without a new sign-in
    await page.locator("#offline").wait_for(state="hidden", timeout=10_000)
    await page.get_by_test_id("role").wait_for()
    await shows_rest_value(page, live, "flow-home", "_sum/ConsumptionActivePower")
    assert await page.evaluate("window.wentOffline") is True
    assert page.external == []
    await page.context.close()


async def test_the_date_follows_the_pages_language_not_the_browsers(browser, live) -> None:
    page = await new_page(browser, live.url)  # an English browser
    await login(page, "owner")
    await page.locator("[data-lang=de]").click()
    await page.goto("/#/history")
    await page.get_by_test_id("history-date").fill(RECORDED_DAY)
    year, month, day = RECORDED_DAY.split("-")
    shown = page.get_by_test_id("history-date-shown")

    async def german() -> bool:
        return f"{day}.{month}.{year}" in await shown.inner_text()

    await eventually(german)
    await page.locator("[data-lang=en]").click()
    assert_clean(page)
    await page.context.close()
