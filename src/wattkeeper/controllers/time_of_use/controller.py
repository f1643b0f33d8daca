"""The controller: learns, asks the planner for a plan, and each cycle applies the current slot."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from wattkeeper.config.registry import BuildContext, Factory
from wattkeeper.controllers.time_of_use import channels as ch
from wattkeeper.controllers.time_of_use.config import TouConfig
from wattkeeper.controllers.time_of_use.execution import BALANCE, Step, executed
from wattkeeper.controllers.time_of_use.inputs import GridTerms, problem_for, quarter_start
from wattkeeper.controllers.time_of_use.market import Market
from wattkeeper.controllers.time_of_use.observer import Observer
from wattkeeper.controllers.time_of_use.past import past_quarters
from wattkeeper.controllers.time_of_use.planner import Planner, Solver
from wattkeeper.controllers.time_of_use.schedule import Schedule
from wattkeeper.controllers.time_of_use.weather import Weather, WeatherOrHistory
from wattkeeper.controllers.time_of_use.wire import battery_modes, pushed_prices, schedule_entries
from wattkeeper.core.channel import ChannelDoc, Value
from wattkeeper.core.clock import Clock
from wattkeeper.core.controller import Controller, Priority
from wattkeeper.core.errors import WriteRejected
from wattkeeper.core.manager import ComponentManager
from wattkeeper.core.power_history import PowerHistory
from wattkeeper.natures import sum as sum_nature
from wattkeeper.natures.ess import ACTIVE_POWER, ManagedSymmetricEss
from wattkeeper.optimiser import Battery, Objective, solve
from wattkeeper.power.model import Relation
from wattkeeper.power.stage import Power
from wattkeeper.prices.series import PriceSeries, PriceStep

FACTORY_ID = "Controller.Ess.Time-Of-Use-Tariff"


class TimeOfUse(Controller):
    # below the REST write app's lease (700) and the safety limits; above self-consumption
    priority = Priority.SCHEDULE
    config: TouConfig

    def __init__(
        self, cid: str, alias: str, config: TouConfig, ctx: BuildContext, solver: Solver = solve
    ) -> None:
        super().__init__(cid, alias, config)
        self.declare(*ch.CHANNELS)
        self._manager: ComponentManager = ctx.manager
        self._power: Power = ctx.power
        self._clock: Clock = ctx.clock
        self._history = ctx.history
        self.planner = Planner(solver)
        self.schedule: Schedule | None = None
        self._pushed = PriceSeries(())
        self._prices_version = 0
        self._planned_for: tuple[datetime, int, int, int, bool] | None = None
        self.market: Market | None = None
        self.weather: Weather | None = None
        self._configure(config)

    def _configure(self, config: TouConfig) -> None:
        self._zone = ZoneInfo(config.timezone)
        if self.market is not None:
            self.market.close()
        source = config.day_ahead()
        self.market = None if source is None else Market(source)
        self.observer = Observer(self._zone, float(config.default_consumption), config.site())
        if self.weather is not None:
            self.weather.close()
        weather = config.weather()
        self.weather = None if weather is None else Weather(weather)
        self._pv = WeatherOrHistory(self.observer.production)
        # the planner and the error channel both read this: the error is that of what was used
        self.observer.production = self._pv
        self._seeded = False
        self._prices_version += 1

    def update_config(self, config: Any) -> None:
        super().update_config(config)
        self._configure(self.config)

    async def stop(self) -> None:
        """The worker threads end with the component (removed, or the edge stops)."""
        self.planner.close()
        if self.market is not None:
            self.market.close()
        if self.weather is not None:
            self.weather.close()

    # -- each cycle -------------------------------------------------------------------------
    def run(self) -> None:
        ts = self._clock.time()
        now = datetime.fromtimestamp(ts, UTC)
        ess = self._manager.get_as(self.config.ess_id, ManagedSymmetricEss)
        if not self._seeded:
            # once: components that can replay their past (simulators) teach the forecasts
            sources = [c for c in self._manager if isinstance(c, PowerHistory)]
            self.observer.seed(sources, ts)
            self._seeded = True
        if self.market is not None:
            self.market.poll(now)
            self._show(ch.PRICE_STATE, self.market.state(now))
            self._show(ch.PRICE_ERROR, self.market.error or None)
        else:
            self._show(ch.PRICE_STATE, "tariff")
        self._poll_weather(now)
        price = self.prices(now, now + timedelta(minutes=1)).at(now)
        finished = self.planner.take()
        if finished is not None:
            self.schedule = finished
            self._show(ch.SOLVE_MS, round(finished.plan.solve_ms))
        self._maybe_replan(now, ess)
        step, status, reason, slot = self._current(now)
        decided = self._decided_by(ess.id, step)
        if step.relation is not None:
            self._power.add_active(
                ess.id, step.relation, step.watts, f"{self.id}: {step.state.name}"
            )
        self._publish(step, status, reason, slot, price, decided)
        readings = {
            "grid": _number(self._sum_value(sum_nature.GRID_ACTIVE_POWER)),
            "production": _number(self._sum_value(sum_nature.PRODUCTION_ACTIVE_POWER)),
            "consumption": _number(self._sum_value(sum_nature.CONSUMPTION_ACTIVE_POWER)),
            "ess": _number(ess.value(ACTIVE_POWER)),
        }
        self.observer.cycle(now, ts, readings, price, self.config.feed_in_price)
        self._publish_observations()

    def _poll_weather(self, now: datetime) -> None:
        """The weather forecast while it is fresh, else the history (visibly)."""
        if self.weather is None:
            self._pv.weather = None
            self._show(ch.PV_FORECAST_STATE, "history")
            return
        self.weather.poll(now)
        self._pv.weather = self.weather.usable(now)
        self._show(ch.PV_FORECAST_STATE, self.weather.state(now))
        self._show(ch.PV_FORECAST_ERROR, self.weather.error or None)

    def prices(self, start: datetime, end: datetime) -> PriceSeries:
        """The day-ahead prices (or the tariff from configuration), with pushed prices over
        them where they reach."""
        base = (
            self.market.series
            if self.market is not None
            else self.config.tariff().series(start, end)
        )
        return base.merged(self._pushed)

    def _maybe_replan(self, now: datetime, ess: ManagedSymmetricEss) -> None:
        if self.planner.busy:
            return
        market = 0 if self.market is None else self.market.version
        weather = 0 if self.weather is None else self.weather.version
        key = (quarter_start(now), self._prices_version, market, weather, self._pv.weather is None)
        soc = ess.soc()
        off_plan = False
        if self.schedule is not None and soc is not None:
            slot = self.schedule.slot(now)
            if slot is not None:
                off_plan = (
                    abs(self.schedule.soc_percent(slot) - soc) > self.config.replan_soc_deviation
                )
        if key == self._planned_for and not off_plan:
            return
        capacity = ess.capacity() / 1000.0
        if soc is None or capacity <= 0:
            return  # nothing to plan for yet: the fallback says so
        self._planned_for = key
        cfg = self.config
        battery = Battery(
            capacity_kwh=capacity,
            soc=soc / 100.0,
            max_charge_kw=cfg.max_charge_power / 1000.0,
            max_discharge_kw=cfg.max_discharge_power / 1000.0,
            charge_efficiency=cfg.charge_efficiency,
            discharge_efficiency=cfg.discharge_efficiency,
            reserve=cfg.reserve_soc / 100.0,
        )
        horizon = timedelta(hours=cfg.horizon_hours)
        start = quarter_start(now)
        bounds, problem = problem_for(
            now,
            horizon,
            self.prices(start, start + horizon),
            self._grid_terms(),
            self.observer.consumption,
            self._pv,
            battery,
            self._zone,
            Objective(cfg.objective),
        )
        self.planner.submit(bounds, problem)

    def _grid_terms(self) -> GridTerms:
        cfg = self.config
        market = None
        if cfg.feed_in_source == "market" and self.market is not None:
            # the market's price as the exchange sets it: the retail price without its
            # surcharges and VAT (feed-in is paid neither)
            retail = cfg.retail()
            market = PriceSeries(
                tuple(
                    PriceStep(
                        s.start, s.end, s.price / (1.0 + retail.vat) - retail.surcharge_per_kwh
                    )
                    for s in self.market.series.steps
                )
            )
        return GridTerms(
            cfg.feed_in_price,
            market,
            None if cfg.import_limit is None else cfg.import_limit / 1000.0,
            cfg.dimming(),
            None if cfg.export_limit is None else cfg.export_limit / 1000.0,
        )

    def _current(self, now: datetime) -> tuple[Step, str, str, int | None]:
        schedule = self.schedule
        if schedule is None:
            return BALANCE, "planning", "no plan yet: self-consumption", None
        if not schedule.usable:
            return (
                BALANCE,
                "fallback",
                f"no plan ({'; '.join(schedule.plan.reasons)}): self-consumption",
                None,
            )
        slot = schedule.slot(now)
        if slot is None:
            return BALANCE, "fallback", "the plan ended: self-consumption until the next one", None
        status = schedule.plan.status.value
        step = executed(schedule.step(slot), self.config.execution)
        return step, status, "; ".join(schedule.plan.reasons), slot

    def _decided_by(self, ess_id: str, step: Step) -> str:
        """A higher-priority controller's EQUALS (the REST write app's held set-point) decides;
        otherwise our constraint if we add one, else self-consumption below us."""
        for constraint in self._power.constraints:
            if constraint.ess_id == ess_id and constraint.relation is Relation.EQUALS:
                return constraint.source.split(":", 1)[0]
        return self.id if step.relation is not None else "self-consumption"

    def _publish(
        self,
        step: Step,
        status: str,
        reason: str,
        slot: int | None,
        price: float | None,
        decided: str,
    ) -> None:
        self._show(ch.STATE_MACHINE, int(step.state))
        self._show(ch.QUARTERLY_PRICES, None if price is None else price * 1000.0)
        self._show(ch.DECIDED_BY, decided)
        self._show(ch.PLAN_STATUS, status)
        self._show(ch.PLAN_REASON, reason)
        self._show(ch.EVCC_MODE, step.evcc_mode)
        schedule = self.schedule
        if schedule is not None and slot is not None:
            self._show(ch.PLANNED_POWER, round(schedule.plan.battery_kw(slot) * 1000))
            self._show(ch.PLANNED_SOC, round(schedule.soc_percent(slot)))
        else:
            self._show(ch.PLANNED_POWER, None)
            self._show(ch.PLANNED_SOC, None)

    def _publish_observations(self) -> None:
        obs = self.observer
        self._show(ch.CONSUMPTION_FORECAST_ERROR, _rounded(obs.consumption_error.mean_absolute))
        self._show(ch.PRODUCTION_FORECAST_ERROR, _rounded(obs.production_error.mean_absolute))
        self._show(ch.SAVED_MONEY, round(obs.saved, 4))

    def _show(self, doc: ChannelDoc, value: Value) -> None:
        """Computed in this cycle: visible in this cycle's process image (the API reads it)."""
        self.channel(doc).set_now(value)

    def _sum_value(self, doc: Any) -> Any:
        summary = self._manager.find(sum_nature.SUM_ID)
        return None if summary is None else summary.value(doc)

    # -- JSON API ---------------------------------------------------------------------------
    def json_api(self, method: str, params: dict[str, Any], may_write: bool) -> Any:
        now = datetime.fromtimestamp(self._clock.time(), UTC)
        if method == "getSchedule":
            return self._get_schedule(now)
        if method == "getBatteryModes":
            return {"modes": battery_modes(self.schedule)}
        if method == "setPrices":
            if not may_write:
                raise WriteRejected("setPrices needs role owner or higher")
            pushed = pushed_prices(params)
            self._pushed = self._pushed.merged(pushed)
            self._prices_version += 1
            return {"accepted": len(pushed.steps)}
        raise WriteRejected(f"Component [{self.id}] has no JSON API method [{method}]")

    async def _get_schedule(self, now: datetime) -> dict[str, Any]:
        # the past is read from SQLite: in a worker thread, as the history API does
        past = await asyncio.to_thread(past_quarters, self._history, self.id, now)
        return {
            "schedule": schedule_entries(past, self.schedule, now),
            # ours, beside OpenEMS's: how many entries are measured, and the channels' story
            "measured": len(past),
            "savedMoney": round(self.observer.saved, 4),
            "status": self.channel(ch.PLAN_STATUS).value,
            "reason": self.channel(ch.PLAN_REASON).value,
        }


def _number(value: Any) -> float | None:
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) else None


def _rounded(value: float | None) -> int | None:
    return None if value is None else round(value)


def build(cid: str, alias: str, config: Any, ctx: BuildContext) -> TimeOfUse:
    return TimeOfUse(cid, alias, config, ctx)


FACTORY = Factory(FACTORY_ID, TouConfig, build, "Time-of-use tariff (optimiser on HiGHS)")
