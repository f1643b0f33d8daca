"""The apps that reach beyond the edge (MQTT, time-of-use prices, the fleet backend): their
properties and the components they install."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import SecretStr

from wattkeeper.apps.properties import COMPONENT_ID, AppProperties, app_field
from wattkeeper.config.site import ComponentEntry

MASKED = "**********"  # how a stored secret is shown (pydantic's SecretStr); never written back


class MqttProperties(AppProperties):
    """OpenEMS's App.Api.Mqtt properties, and ours for Home Assistant and commands."""

    controller_id: str = app_field(
        "ctrlControllerApiMqtt0",
        "CONTROLLER_ID",
        title="Controller id",
        pattern=COMPONENT_ID,
    )
    uri: str = app_field(
        "tcp://localhost:1883",
        "URI",
        title="Broker",
        description="tcp://host:1883, or ssl://host:8883 for TLS",
        max_length=300,
    )
    username: str = app_field(
        "",
        "USERNAME",
        title="Broker user",
        max_length=256,
    )
    password: SecretStr = app_field(
        SecretStr(""),
        "PASSWORD",
        title="Broker password",
        max_length=256,
    )
    client_id: str = app_field(
        "edge0",
        "CLIENT_ID",
        title="Client id",
        description="Topics are edge/<client id>/channel/<component>/<channel>",
        pattern=r"^[A-Za-z0-9_.-]{1,64}$",
    )
    home_assistant: bool = app_field(
        True,
        "HOME_ASSISTANT",
        title="Home Assistant discovery",
    )
    command_user: str = app_field(
        "",
        "COMMAND_USER",
        title="Command user",
        description="wattkeeper user (owner or above) that …/set commands act as; "
        "empty: commands are refused. Needs REST/JSON write access installed.",
        max_length=64,
    )
    command_token: SecretStr = app_field(
        SecretStr(""),
        "COMMAND_TOKEN",
        title="Command token",
        description='Optional: commands must then carry it, {"value": 5000, "token": "…"}',
        max_length=256,
    )


def mqtt_components(p: MqttProperties) -> list[ComponentEntry]:
    properties: dict[str, Any] = {
        "uri": p.uri,
        "clientId": p.client_id,
        "username": p.username,
        "homeAssistant": p.home_assistant,
        "commandUser": p.command_user,
    }
    # a stored instance shows its secrets masked: an update without them keeps the old ones
    for key, secret in (("password", p.password), ("commandToken", p.command_token)):
        if secret.get_secret_value() != MASKED:
            properties[key] = secret.get_secret_value()
    return [
        ComponentEntry(
            id=p.controller_id,
            factory="Controller.Api.MQTT",
            alias="MQTT API",
            properties=properties,
        )
    ]


_CLOCK = r"^([01][0-9]|2[0-3]):[0-5][0-9]$"


class TimeOfUseProperties(AppProperties):
    """The plan against prices (issue 18): a fixed two-rate tariff or day-ahead prices."""

    ess_id: str = app_field("ess0", "ESS_ID", title="Battery", pattern=COMPONENT_ID)
    price_source: Literal["FIXED", "AWATTAR", "ENTSOE", "TIBBER"] = app_field(
        "FIXED", "PRICE_SOURCE", title="Prices", description="A fixed tariff or day-ahead prices"
    )
    default_price: float = app_field(0.32, "DEFAULT_PRICE", title="Day rate", ge=-10, le=10)
    night_price: float = app_field(0.22, "NIGHT_PRICE", title="Night rate", ge=-10, le=10)
    night_start: str = app_field("22:00", "NIGHT_START", title="Night rate from", pattern=_CLOCK)
    night_end: str = app_field("06:00", "NIGHT_END", title="Night rate until", pattern=_CLOCK)
    feed_in_price: float = app_field(0.08, "FEED_IN_PRICE", title="Feed-in tariff", ge=-10, le=10)
    access_token: SecretStr = app_field(
        SecretStr(""), "ACCESS_TOKEN", title="Token (ENTSO-E, Tibber)", max_length=200
    )
    bidding_zone: str = app_field("DE-LU", "BIDDING_ZONE", title="Bidding zone", max_length=40)
    surcharge: float = app_field(0.0, "SURCHARGE", title="Surcharges €/kWh", ge=-10, le=10)
    vat: float = app_field(0.0, "VAT", title="VAT (fraction)", ge=0, le=1)
    # the weather-based PV forecast (ADR 0185): the history stays the fallback
    pv_forecast: Literal["HISTORY", "FORECAST_SOLAR", "OPEN_METEO"] = app_field(
        "HISTORY",
        "PV_FORECAST",
        title="PV forecast",
        description="Own history or a weather service",
    )
    latitude: float | None = app_field(None, "LATITUDE", title="Latitude", ge=-90, le=90)
    longitude: float | None = app_field(None, "LONGITUDE", title="Longitude", ge=-180, le=180)
    pv_tilt: float = app_field(30.0, "PV_TILT", title="Roof tilt (°)", ge=0, le=90)
    pv_azimuth: float = app_field(
        0.0, "PV_AZIMUTH", title="Roof azimuth (°, 0 south, -90 east)", ge=-180, le=180
    )
    pv_peak_power: int = app_field(
        0, "PV_PEAK_POWER", title="PV peak power (W)", ge=0, le=1_000_000
    )


_PV_FORECASTS = {
    "HISTORY": "history",
    "FORECAST_SOLAR": "forecast.solar",
    "OPEN_METEO": "open-meteo",
}


def time_of_use_components(p: TimeOfUseProperties) -> list[ComponentEntry]:
    every_day = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
    window = {"days": every_day, "start": p.night_start, "end": p.night_end, "price": p.night_price}
    properties: dict[str, Any] = {
        "ess.id": p.ess_id,
        "priceSource": "tariff" if p.price_source == "FIXED" else p.price_source.lower(),
        "defaultPrice": p.default_price,
        "windows": [window] if p.price_source == "FIXED" else [],
        "feedInPrice": p.feed_in_price,
        "biddingZone": p.bidding_zone,
        "surchargePerKwh": p.surcharge,
        "vat": p.vat,
        "pvForecastSource": _PV_FORECASTS[p.pv_forecast],
        "pvTilt": p.pv_tilt,
        "pvAzimuth": p.pv_azimuth,
        "pvPeakPower": p.pv_peak_power,
    }
    if p.latitude is not None and p.longitude is not None:
        properties |= {"latitude": p.latitude, "longitude": p.longitude}
    # a stored instance shows its token masked: an update without it keeps the old one
    token = p.access_token.get_secret_value()
    if token and token != MASKED:
        properties["token"] = token
    return [
        ComponentEntry(
            id="ctrlEssTimeOfUseTariff0",
            factory="Controller.Ess.Time-Of-Use-Tariff",
            alias="Time-of-use tariff",
            properties=properties,
        )
    ]


class BackendProperties(AppProperties):
    apikey: str = app_field(
        "",
        "API_KEY",
        "apikey",
        title="API key",
        max_length=200,
        description="The key the backend knows this edge by",
    )
    uri: str = app_field(
        "ws://127.0.0.1:8081/edge",
        "URI",
        "uri",
        title="Backend URL",
        max_length=2000,
        description="ws:// or wss://; several separated by commas are tried in turn",
    )
