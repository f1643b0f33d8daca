"""The controller's properties: tariff windows, feed-in price, battery limits, horizon."""

from __future__ import annotations

from typing import Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, ConfigDict, Field, SecretStr, field_validator, model_validator

from wattkeeper.config.registry import ComponentConfig
from wattkeeper.controllers.time_of_use.weather import WeatherSource
from wattkeeper.forecast.weather import Roof
from wattkeeper.prices.retail import Retail
from wattkeeper.prices.series import PriceError
from wattkeeper.prices.source import DayAheadSource
from wattkeeper.prices.tariff import FixedTariff, Window


class WindowConfig(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    days: tuple[str, ...]
    start: str
    end: str
    price: float = Field(ge=-10, le=10)


class LimitWindowConfig(BaseModel):
    """A time window in which the grid import is limited (e.g. a §14a EnWG dimming window)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    days: tuple[str, ...]
    start: str
    end: str
    limit: int = Field(ge=0, le=1_000_000)  # W


#: the "price" a dimming tariff has outside its windows: no limit (kW)
NO_LIMIT_KW = 1e9


class TouConfig(ComponentConfig):
    ess_id: str = Field("ess0", alias="ess.id")
    timezone: str = "Europe/Berlin"
    # € per kWh outside every window, and the windows of a fixed time-of-use tariff
    default_price: float = Field(0.30, alias="defaultPrice", ge=-10, le=10)
    windows: tuple[WindowConfig, ...] = ()
    feed_in_price: float = Field(0.08, alias="feedInPrice", ge=-10, le=10)
    # day-ahead prices instead of the fixed tariff: the API, its token and zone, and what the
    # household pays on top of the market price (€/kWh) and VAT (a fraction)
    price_source: Literal["tariff", "awattar", "entsoe", "tibber"] = Field(
        "tariff", alias="priceSource"
    )
    # a secret: shown masked in the edge's configuration, like the MQTT app's password
    token: SecretStr | None = Field(None, max_length=200)
    bidding_zone: str = Field("DE-LU", alias="biddingZone", max_length=40)
    price_url: str | None = Field(None, alias="priceUrl", max_length=300)
    surcharge: float = Field(0.0, alias="surchargePerKwh", ge=-10, le=10)
    vat: float = Field(0.0, ge=0, le=1)
    horizon_hours: int = Field(36, alias="horizonHours", ge=1, le=72)
    objective: Literal["cost", "self-consumption", "peak"] = "cost"
    max_charge_power: int = Field(5000, alias="maxChargePower", ge=0, le=1_000_000)
    max_discharge_power: int = Field(5000, alias="maxDischargePower", ge=0, le=1_000_000)
    charge_efficiency: float = Field(0.95, alias="chargeEfficiency", gt=0, le=1)
    discharge_efficiency: float = Field(0.95, alias="dischargeEfficiency", gt=0, le=1)
    reserve_soc: int = Field(0, alias="reserveSoc", ge=0, le=100)
    import_limit: int | None = Field(None, alias="gridImportLimit", ge=0)
    # W fed in at most (a feed-in limit of the connection, e.g. 60 % of the PV's peak)
    export_limit: int | None = Field(None, alias="gridExportLimit", ge=0)
    # windows with a lower import limit (the grid operator's §14a dimming, planned ahead)
    dimming_windows: tuple[LimitWindowConfig, ...] = Field((), alias="dimmingWindows")
    # the feed-in tariff: fixed (feedInPrice) or the day-ahead market's price (the wholesale
    # price without surcharges and VAT; feedInPrice where the market has none)
    feed_in_source: Literal["fixed", "market"] = Field("fixed", alias="feedInSource")
    # "grid-only": apply the plan's grid charging and discharging, self-consumption otherwise;
    # "plan": also hold the battery back where the plan does (best with good forecasts)
    execution: Literal["grid-only", "plan"] = "grid-only"
    # the measured SoC this many points away from the plan's makes a new plan
    replan_soc_deviation: float = Field(5.0, alias="replanSocDeviation", gt=0, le=100)
    # the site, for the PV forecast's clear sky (without it: a plain profile of the history)
    latitude: float | None = Field(None, ge=-90, le=90)
    longitude: float | None = Field(None, ge=-180, le=180)
    # a weather-based PV forecast for the roof instead of the history alone (which stays the
    # fallback): the service, the roof's tilt, azimuth (0 south, -90 east, 90 west) and peak
    # power (W); the site is latitude/longitude above
    pv_forecast_source: Literal["history", "forecast.solar", "open-meteo"] = Field(
        "history", alias="pvForecastSource"
    )
    pv_tilt: float = Field(30.0, alias="pvTilt", ge=0, le=90)
    pv_azimuth: float = Field(0.0, alias="pvAzimuth", ge=-180, le=180)
    pv_peak_power: int = Field(0, alias="pvPeakPower", ge=0, le=1_000_000)
    pv_forecast_url: str | None = Field(None, alias="pvForecastUrl", max_length=300)
    # before any history: what the forecasts assume (W)
    default_consumption: int = Field(500, alias="defaultConsumption", ge=0)

    @field_validator("timezone")
    @classmethod
    def _zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"unknown time zone {value!r}") from exc
        return value

    @model_validator(mode="after")
    def _windows(self) -> TouConfig:
        try:
            self.tariff().validate()
            self.dimming().validate()
        except PriceError as exc:
            raise ValueError(str(exc)) from exc
        if self.feed_in_source == "market" and self.price_source == "tariff":
            raise ValueError(
                "feedInSource 'market' needs day-ahead prices: set priceSource to awattar, "
                "entsoe or tibber"
            )
        return self

    @model_validator(mode="after")
    def _roof(self) -> TouConfig:
        if self.pv_forecast_source != "history" and (
            self.site() is None or self.pv_peak_power <= 0
        ):
            raise ValueError(
                f"pvForecastSource {self.pv_forecast_source!r} needs latitude, longitude "
                "and pvPeakPower (W)"
            )
        return self

    def weather(self) -> WeatherSource | None:
        site = self.site()
        if self.pv_forecast_source == "history" or site is None:
            return None
        roof = Roof(*site, self.pv_tilt, self.pv_azimuth, self.pv_peak_power / 1000.0)
        return WeatherSource(self.pv_forecast_source, roof, self.pv_forecast_url)

    def site(self) -> tuple[float, float] | None:
        if self.latitude is None or self.longitude is None:
            return None
        return (self.latitude, self.longitude)

    def day_ahead(self) -> DayAheadSource | None:
        if self.price_source == "tariff":
            return None
        retail = Retail(self.surcharge, self.vat)
        return DayAheadSource(
            self.price_source,
            retail,
            None if self.token is None else self.token.get_secret_value(),
            self.bidding_zone,
            self.price_url,
        )

    def dimming(self) -> FixedTariff:
        """The import limit (kW) as a "tariff": each window's limit, no limit elsewhere."""
        windows = tuple(
            Window(w.days, w.start, w.end, w.limit / 1000.0) for w in self.dimming_windows
        )
        return FixedTariff(NO_LIMIT_KW, windows, self.timezone)

    def retail(self) -> Retail:
        return Retail(self.surcharge, self.vat)

    def tariff(self) -> FixedTariff:
        windows = tuple(Window(w.days, w.start, w.end, w.price) for w in self.windows)
        return FixedTariff(self.default_price, windows, self.timezone)
