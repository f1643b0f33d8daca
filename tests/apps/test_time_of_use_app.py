"""The time-of-use app in the App Center: installing it creates the controller with the price
source and tariff asked for; a wrong property is refused with nothing installed."""

from __future__ import annotations

from pathlib import Path

from tests.apps.test_app_center import OWNER, app_call, apps, fresh_demo
from wattkeeper.forecast.weather import Roof

APP = "App.TimeOfUseTariff.Optimiser"
CID = "ctrlEssTimeOfUseTariff0"


async def test_install_a_night_rate_then_switch_to_awattar(tmp_path: Path) -> None:
    api = await fresh_demo(tmp_path)
    assert not (await apps(api))[APP]["installed"]
    properties = {
        "PRICE_SOURCE": "FIXED",
        "NIGHT_PRICE": 0.2,
        "NIGHT_START": "23:00",
        "NIGHT_END": "05:00",
    }
    response = await app_call(
        api, "addAppInstance", {"appId": APP, "key": None, "alias": "", "properties": properties}
    )
    assert "error" not in response.json(), response.json()
    controller = api.edge.manager.get(CID)
    assert controller.config.price_source == "tariff"
    assert (
        controller.config.windows[0].start == "23:00" and controller.config.windows[0].price == 0.2
    )
    instance = response.json()["result"]["instance"]["instanceId"]
    update = {
        "instanceId": instance,
        "alias": "",
        "properties": {"PRICE_SOURCE": "AWATTAR", "SURCHARGE": 0.18, "VAT": 0.19},
    }
    response = await app_call(api, "updateAppInstance", update)
    assert "error" not in response.json(), response.json()
    controller = api.edge.manager.get(CID)
    assert controller.config.price_source == "awattar"
    assert controller.config.vat == 0.19 and controller.config.windows == ()


async def test_a_wrong_property_is_refused_and_nothing_is_installed(tmp_path: Path) -> None:
    api = await fresh_demo(tmp_path)
    bad = {"appId": APP, "key": None, "alias": "", "properties": {"NIGHT_START": "25:00"}}
    response = await app_call(api, "addAppInstance", bad)
    assert "NIGHT_START" in response.json()["error"]["message"]
    assert CID not in api.edge.manager


async def test_the_price_token_is_kept_but_never_shown(tmp_path: Path) -> None:
    api = await fresh_demo(tmp_path)
    token = "tibber-token-0123456789"
    properties = {"PRICE_SOURCE": "TIBBER", "ACCESS_TOKEN": token}
    response = await app_call(
        api, "addAppInstance", {"appId": APP, "key": None, "alias": "", "properties": properties}
    )
    assert "error" not in response.json(), response.json()
    instance = response.json()["result"]["instance"]
    assert token not in str(instance)
    assert api.edge.manager.get(CID).config.token.get_secret_value() == token
    # an update that leaves the token out (the form shows it masked) keeps it
    update = {"instanceId": instance["instanceId"], "alias": "", "properties": {"VAT": 0.19}}
    response = await app_call(api, "updateAppInstance", update)
    assert "error" not in response.json(), response.json()
    assert token not in response.text
    assert api.edge.manager.get(CID).config.token.get_secret_value() == token
    config = await api.rpc("getEdgeConfig", {}, auth=OWNER)
    assert config.json()["result"]["components"][CID]["properties"]["token"] == "**********"
    assert token not in config.text
    # and after a restart (the masked form is what the App Center keeps, never what is used)
    await api.edge.stop()
    again = await fresh_demo(tmp_path)
    assert again.edge.manager.get(CID).config.token.get_secret_value() == token


async def test_a_weather_pv_forecast_needs_the_roof_and_then_reaches_the_controller(
    tmp_path: Path,
) -> None:
    api = await fresh_demo(tmp_path)
    without_roof = {"PV_FORECAST": "OPEN_METEO"}
    response = await app_call(
        api, "addAppInstance", {"appId": APP, "key": None, "alias": "", "properties": without_roof}
    )
    assert "needs latitude, longitude and pvPeakPower" in response.json()["error"]["message"]
    assert CID not in api.edge.manager
    roof = {
        "PV_FORECAST": "FORECAST_SOLAR",
        "LATITUDE": 52.52,
        "LONGITUDE": 13.4,
        "PV_TILT": 35,
        "PV_AZIMUTH": -20,
        "PV_PEAK_POWER": 9800,
    }
    response = await app_call(
        api, "addAppInstance", {"appId": APP, "key": None, "alias": "", "properties": roof}
    )
    assert "error" not in response.json(), response.json()
    config = api.edge.manager.get(CID).config
    assert config.pv_forecast_source == "forecast.solar"
    assert config.weather().roof == Roof(52.52, 13.4, 35, -20, 9.8)
