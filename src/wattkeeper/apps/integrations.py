"""The apps that reach beyond the edge (MQTT, time-of-use prices, the fleet backend): their
properties and the components they install."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import AliasChoices, Field, SecretStr

from wattkeeper.apps.properties import COMPONENT_ID, AppProperties
from wattkeeper.config.site import ComponentEntry

MASKED = "**********"  # how a stored secret is shown (pydantic's SecretStr); never written back


class MqttProperties(AppProperties):
    """OpenEMS's App.Api.Mqtt properties, and ours for Home Assistant and commands."""

    controller_id: str = Field(
        "ctrlControllerApiMqtt0",
        title="Controller id",
        pattern=COMPONENT_ID,
        validation_alias=AliasChoices("CONTROLLER_ID"),
        serialization_alias="CONTROLLER_ID",
    )
    uri: str = Field(
        "tcp://localhost:1883",
        title="Broker",
        description="tcp://host:1883, or ssl://host:8883 for TLS",
        max_length=300,
        validation_alias=AliasChoices("URI"),
        serialization_alias="URI",
    )
    username: str = Field(
        "",
        title="Broker user",
        max_length=256,
        validation_alias=AliasChoices("USERNAME"),
        serialization_alias="USERNAME",
    )
    password: SecretStr = Field(
        SecretStr(""),
        title="Broker password",
        max_length=256,
        validation_alias=AliasChoices("PASSWORD"),
        serialization_alias="PASSWORD",
    )
    client_id: str = Field(
        "edge0",
        title="Client id",
        description="Topics are edge/<client id>/channel/<component>/<channel>",
        pattern=r"^[A-Za-z0-9_.-]{1,64}$",
        validation_alias=AliasChoices("CLIENT_ID"),
        serialization_alias="CLIENT_ID",
    )
    home_assistant: bool = Field(
        True,
        title="Home Assistant discovery",
        validation_alias=AliasChoices("HOME_ASSISTANT"),
        serialization_alias="HOME_ASSISTANT",
    )
    command_user: str = Field(
        "",
        title="Command user",
        description="wattkeeper user (owner or above) that …/set commands act as; "
        "empty: commands are refused. Needs REST/JSON write access installed.",
        max_length=64,
        validation_alias=AliasChoices("COMMAND_USER"),
        serialization_alias="COMMAND_USER",
    )
    command_token: SecretStr = Field(
        SecretStr(""),
        title="Command token",
        description='Optional: commands must then carry it, {"value": 5000, "token": "…"}',
        max_length=256,
        validation_alias=AliasChoices("COMMAND_TOKEN"),
        serialization_alias="COMMAND_TOKEN",
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


def _prop(default: Any, name: str, title: str, **kw: Any) -> Any:
    return Field(
        default, title=title, validation_alias=AliasChoices(name), serialization_alias=name, **kw
    )


class TimeOfUseProperties(AppProperties):
    """The plan against prices (issue 18): a fixed two-rate tariff or day-ahead prices."""

    ess_id: str = _prop("ess0", "ESS_ID", "Battery", pattern=COMPONENT_ID)
    price_source: Literal["FIXED", "AWATTAR", "ENTSOE", "TIBBER"] = _prop(
        "FIXED", "PRICE_SOURCE", "Prices", description="A fixed tariff or day-ahead prices"
    )
    default_price: float = _prop(0.32, "DEFAULT_PRICE", "Day rate", ge=-10, le=10)
    night_price: float = _prop(0.22, "NIGHT_PRICE", "Night rate", ge=-10, le=10)
    night_start: str = _prop("22:00", "NIGHT_START", "Night rate from", pattern=_CLOCK)
    night_end: str = _prop("06:00", "NIGHT_END", "Night rate until", pattern=_CLOCK)
    feed_in_price: float = _prop(0.08, "FEED_IN_PRICE", "Feed-in tariff", ge=-10, le=10)
    access_token: SecretStr = _prop(
        SecretStr(""), "ACCESS_TOKEN", "Token (ENTSO-E, Tibber)", max_length=200
    )
    bidding_zone: str = _prop("DE-LU", "BIDDING_ZONE", "Bidding zone", max_length=40)
    surcharge: float = _prop(0.0, "SURCHARGE", "Surcharges €/kWh", ge=-10, le=10)
    vat: float = _prop(0.0, "VAT", "VAT (fraction)", ge=0, le=1)
    # the weather-based PV forecast (ADR 0185): the history stays the fallback
    pv_forecast: Literal["HISTORY", "FORECAST_SOLAR", "OPEN_METEO"] = _prop(
        "HISTORY", "PV_FORECAST", "PV forecast", description="Own history or a weather service"
    )
    latitude: float | None = _prop(None, "LATITUDE", "Latitude", ge=-90, le=90)
    longitude: float | None = _prop(None, "LONGITUDE", "Longitude", ge=-180, le=180)
    pv_tilt: float = _prop(30.0, "PV_TILT", "Roof tilt (°)", ge=0, le=90)
    pv_azimuth: float = _prop(
        0.0, "PV_AZIMUTH", "Roof azimuth (°, 0 south, -90 east)", ge=-180, le=180
    )
    pv_peak_power: int = _prop(0, "PV_PEAK_POWER", "PV peak power (W)", ge=0, le=1_000_000)


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
    apikey: str = Field(
        "",
        title="API key",
        max_length=200,
        description="The key the backend knows this edge by",
        validation_alias=AliasChoices("API_KEY", "apikey"),
        serialization_alias="API_KEY",
    )
    uri: str = Field(
        "ws://127.0.0.1:8081/edge",
        title="Backend URL",
        max_length=2000,
        description="ws:// or wss://; several separated by commas are tried in turn",
        validation_alias=AliasChoices("URI", "uri"),
        serialization_alias="URI",
    )
