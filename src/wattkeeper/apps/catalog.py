"""The apps this edge offers, and the components each one installs."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Literal

from pydantic import AliasChoices, BaseModel, ConfigDict, Field, SecretStr, field_validator

from wattkeeper.config.addresses import check_networks
from wattkeeper.config.site import ComponentEntry

REST_READ_ONLY = "App.Api.RestJson.ReadOnly"
REST_READ_WRITE = "App.Api.RestJson.ReadWrite"
MODBUS_READ_ONLY = "App.Api.ModbusTcp.ReadOnly"
MODBUS_READ_WRITE = "App.Api.ModbusTcp.ReadWrite"
SELF_CONSUMPTION = "App.Ess.SelfConsumptionOptimization"
EMERGENCY_RESERVE = "App.Ess.EmergencyCapacityReserve"
MQTT = "App.Api.Mqtt"
MASKED = "**********"  # how a stored secret is shown (pydantic's SecretStr); never written back
TIME_OF_USE = "App.TimeOfUseTariff.Optimiser"
BACKEND = "App.Api.Backend"


class AppProperties(BaseModel):
    """An app's properties under OpenEMS's names (`API_TIMEOUT`); our older names still work."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True, frozen=True)

    @classmethod
    def canonical(cls, properties: dict[str, Any]) -> dict[str, Any]:
        """The same properties under their OpenEMS names, so that a merge cannot keep both."""
        names: dict[str, str] = {}
        for name, info in cls.model_fields.items():
            canonical = info.serialization_alias or name
            choices = info.validation_alias
            others = choices.choices if isinstance(choices, AliasChoices) else []
            for other in (name, *others):
                if isinstance(other, str):
                    names[other] = canonical
        return {names.get(key, key): value for key, value in properties.items()}


_COMPONENT_ID = r"^[A-Za-z_][A-Za-z0-9_]{0,63}$"


class ReadOnlyProperties(AppProperties):
    controller_id: str = Field(
        "ctrlApiRest0",
        title="Controller id",
        pattern=_COMPONENT_ID,
        description="Id of the REST/JSON controller",
        validation_alias=AliasChoices("CONTROLLER_ID"),
        serialization_alias="CONTROLLER_ID",
    )


class ReadWriteProperties(ReadOnlyProperties):
    api_timeout: int = Field(
        60,
        title="API timeout",
        ge=0,
        le=86_400,
        description="Seconds; 0: never",
        validation_alias=AliasChoices("API_TIMEOUT", "apiTimeout"),
        serialization_alias="API_TIMEOUT",
    )


def _component_ids(default: list[str]) -> Any:
    return Field(
        default,
        title="Components",
        min_length=1,
        max_length=32,
        description="Components served, in this order: each is a register block from 200 on",
        validation_alias=AliasChoices("COMPONENT_IDS", "component.ids"),
        serialization_alias="COMPONENT_IDS",
    )


def _as_list(value: Any) -> Any:
    """A form's text field sends "a, b": the same as ["a", "b"]."""
    if isinstance(value, str):
        return [part.strip() for part in value.split(",") if part.strip()]
    return value


class ModbusProperties(AppProperties):
    controller_id: str = Field(
        "ctrlApiModbusTcp0",
        title="Controller id",
        pattern=_COMPONENT_ID,
        description="Id of the Modbus/TCP controller",
        validation_alias=AliasChoices("CONTROLLER_ID"),
        serialization_alias="CONTROLLER_ID",
    )
    port: int = Field(
        502,
        title="Port",
        ge=0,
        le=65_535,
        description="TCP port (502 is Modbus's; below 1024 needs root or cap_net_bind_service; "
        "0: any free port)",
        validation_alias=AliasChoices("PORT", "port"),
        serialization_alias="PORT",
    )
    max_concurrent_connections: int = Field(
        5,
        title="Connection limit",
        ge=1,
        le=64,
        description="Clients connected at once; one more is refused",
        validation_alias=AliasChoices("MAX_CONCURRENT_CONNECTIONS", "maxConcurrentConnections"),
        serialization_alias="MAX_CONCURRENT_CONNECTIONS",
    )
    allowed_clients: list[str] = Field(
        [],
        title="Allowed client addresses",
        max_length=64,
        description="IP addresses or networks (192.168.0.0/24), comma-separated; empty: any",
        validation_alias=AliasChoices("ALLOWED_CLIENTS", "allowedClients"),
        serialization_alias="ALLOWED_CLIENTS",
    )

    @field_validator("allowed_clients", "component_ids", mode="before", check_fields=False)
    @classmethod
    def _lists(cls, value: Any) -> Any:
        return _as_list(value)

    @field_validator("allowed_clients")
    @classmethod
    def _networks(cls, value: list[str]) -> list[str]:
        return check_networks(value)


class SelfConsumptionProperties(AppProperties):
    ess_id: str = Field(
        "ess0",
        title="Battery",
        pattern=_COMPONENT_ID,
        validation_alias=AliasChoices("ESS_ID", "ess.id"),
        serialization_alias="ESS_ID",
    )
    meter_id: str = Field(
        "meter0",
        title="Grid meter",
        pattern=_COMPONENT_ID,
        validation_alias=AliasChoices("METER_ID", "meter.id"),
        serialization_alias="METER_ID",
    )
    target_grid_setpoint: int = Field(
        0,
        title="Target grid power",
        description="Watts",
        validation_alias=AliasChoices("TARGET_GRID_SETPOINT", "targetGridSetpoint"),
        serialization_alias="TARGET_GRID_SETPOINT",
    )


class ReserveProperties(AppProperties):
    ess_id: str = Field(
        "ess0",
        title="Battery",
        pattern=_COMPONENT_ID,
        validation_alias=AliasChoices("ESS_ID", "ess.id"),
        serialization_alias="ESS_ID",
    )
    reserve_soc: int = Field(
        20,
        title="Reserve state of charge",
        ge=0,
        le=100,
        description="Percent",
        validation_alias=AliasChoices("RESERVE_SOC", "reserveSoc"),
        serialization_alias="RESERVE_SOC",
    )


class ModbusReadOnlyProperties(ModbusProperties):
    component_ids: list[str] = _component_ids(["_sum"])


class ModbusReadWriteProperties(ModbusProperties):
    component_ids: list[str] = _component_ids(["_sum", "ess0"])
    api_timeout: int = Field(
        60,
        title="API timeout",
        ge=0,
        le=86_400,
        description="Seconds a written setpoint is held; 0: never",
        validation_alias=AliasChoices("API_TIMEOUT", "apiTimeout"),
        serialization_alias="API_TIMEOUT",
    )


class MqttProperties(AppProperties):
    """OpenEMS's App.Api.Mqtt properties, and ours for Home Assistant and commands."""

    controller_id: str = Field(
        "ctrlControllerApiMqtt0",
        title="Controller id",
        pattern=_COMPONENT_ID,
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


def _mqtt(p: MqttProperties) -> list[ComponentEntry]:
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

    ess_id: str = _prop("ess0", "ESS_ID", "Battery", pattern=_COMPONENT_ID)
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


def _time_of_use(p: TimeOfUseProperties) -> list[ComponentEntry]:
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


@dataclass(frozen=True)
class AppSpec:
    app_id: str
    name: str
    description: str
    licensed: bool
    properties: type[AppProperties]
    components: Callable[[Any], list[ComponentEntry]]
    replaces: tuple[str, ...] = ()
    restore_on_remove: str | None = None
    installed_by_default: bool = False
    categories: tuple[str, ...] = field(default=())

    def component_ids(self) -> list[str]:
        return [entry.id for entry in self.components(self.properties())]


def _modbus(props: Any, factory: str, alias: str, **properties: Any) -> list[ComponentEntry]:
    common = {
        "port": props.port,
        "component.ids": list(props.component_ids),
        "maxConcurrentConnections": props.max_concurrent_connections,
        "allowedClients": list(props.allowed_clients),
    }
    entry = ComponentEntry(
        id=props.controller_id, factory=factory, alias=alias, properties={**common, **properties}
    )
    return [entry]


_NO_LOGIN = (
    " Modbus has no login: anyone who reaches the port can use it, so limit it to the "
    "addresses of your clients (allowed client addresses) or to a trusted network."
)


def _rest(props: Any, factory: str, alias: str, **properties: Any) -> list[ComponentEntry]:
    return [
        ComponentEntry(id=props.controller_id, factory=factory, alias=alias, properties=properties)
    ]


CATALOG: dict[str, AppSpec] = {
    spec.app_id: spec
    for spec in (
        AppSpec(
            REST_READ_ONLY,
            "REST/JSON read access",
            "Read every channel over the local REST/JSON API (/rest/channel/...).",
            licensed=False,
            properties=ReadOnlyProperties,
            components=lambda p: _rest(
                p, "Controller.Api.Rest.ReadOnly", "REST/JSON API (read only)"
            ),
            installed_by_default=True,
            categories=("API",),
        ),
        AppSpec(
            REST_READ_WRITE,
            "REST/JSON write access",
            "Read channels and command the battery (POST /rest/channel/ess0/SetActivePowerEquals). "
            "A setpoint is held until the API timeout runs out. Needs a licence key.",
            licensed=True,
            properties=ReadWriteProperties,
            components=lambda p: _rest(
                p, "Controller.Api.Rest.ReadWrite", "REST/JSON API", apiTimeout=p.api_timeout
            ),
            replaces=(REST_READ_ONLY,),
            restore_on_remove=REST_READ_ONLY,
            categories=("API",),
        ),
        AppSpec(
            MODBUS_READ_ONLY,
            "Modbus/TCP read access",
            "Read the battery, grid and PV values over Modbus/TCP (port 502) in OpenEMS's "
            "register layout, e.g. for evcc's openems-modbus template." + _NO_LOGIN,
            licensed=False,
            properties=ModbusReadOnlyProperties,
            components=lambda p: _modbus(
                p, "Controller.Api.ModbusTcp.ReadOnly", "Modbus/TCP API (read only)"
            ),
            categories=("API",),
        ),
        AppSpec(
            MODBUS_READ_WRITE,
            "Modbus/TCP write access",
            "Read over Modbus/TCP and command the battery by writing ess0/SetActivePowerEquals "
            "(register 706, float32). A setpoint is held until the API timeout runs out. "
            "Needs a licence key." + _NO_LOGIN,
            licensed=True,
            properties=ModbusReadWriteProperties,
            components=lambda p: _modbus(
                p,
                "Controller.Api.ModbusTcp.ReadWrite",
                "Modbus/TCP API",
                apiTimeout=p.api_timeout,
            ),
            replaces=(MODBUS_READ_ONLY,),
            categories=("API",),
        ),
        AppSpec(
            SELF_CONSUMPTION,
            "Self-consumption optimisation",
            "Charge the battery with surplus PV and discharge it to cover the household, "
            "keeping the grid at a target.",
            licensed=False,
            properties=SelfConsumptionProperties,
            components=lambda p: [
                ComponentEntry(
                    id="ctrlBalancing0",
                    factory="Controller.Symmetric.Balancing",
                    alias="Self-consumption optimisation",
                    properties={
                        "ess.id": p.ess_id,
                        "meter.id": p.meter_id,
                        "targetGridSetpoint": p.target_grid_setpoint,
                    },
                )
            ],
            categories=("Optimisation",),
        ),
        AppSpec(
            EMERGENCY_RESERVE,
            "Emergency capacity reserve",
            "Never discharge the battery below a reserve state of charge.",
            licensed=False,
            properties=ReserveProperties,
            components=lambda p: [
                ComponentEntry(
                    id="ctrlEmergencyCapacityReserve0",
                    factory="Controller.Ess.EmergencyCapacityReserve",
                    alias="Emergency reserve",
                    properties={"ess.id": p.ess_id, "reserveSoc": p.reserve_soc},
                )
            ],
            categories=("Safety",),
        ),
        AppSpec(
            MQTT,
            "MQTT API",
            "Publish every channel to an MQTT broker (OpenEMS's edge/<id>/channel/... topics), "
            "announce the system to Home Assistant, and take setpoints on …/set topics through "
            "the same write access and timeout as REST.",
            licensed=False,
            properties=MqttProperties,
            components=_mqtt,
            categories=("API",),
        ),
        AppSpec(
            TIME_OF_USE,
            "Time-of-use tariff",
            "Plan the battery against electricity prices (a fixed night rate, or aWATTar, "
            "ENTSO-E or Tibber day-ahead prices) and the forecasts, exactly, every quarter hour.",
            licensed=False,
            properties=TimeOfUseProperties,
            components=_time_of_use,
            categories=("Optimisation",),
        ),
        AppSpec(
            BACKEND,
            "Online monitoring (backend)",
            "Report to a fleet backend and let its users reach this edge; data waits on disk "
            "while the backend cannot be reached.",
            licensed=False,
            properties=BackendProperties,
            components=lambda p: [
                ComponentEntry(
                    id="ctrlBackend0",
                    factory="Controller.Api.Backend",
                    alias="Online monitoring",
                    properties={"apikey": p.apikey, "uri": p.uri},
                )
            ],
            categories=("API",),
        ),
    )
}
