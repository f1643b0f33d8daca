"""The schedule's last 3 h: quarter-hour values of the meters and of this controller, read
back from the edge's history store (so they survive a restart)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from wattkeeper.config.registry import PastValues
from wattkeeper.controllers.time_of_use import channels as ch
from wattkeeper.controllers.time_of_use.inputs import QUARTER, quarter_start
from wattkeeper.core.channel import ChannelDoc
from wattkeeper.natures import sum as sum_nature

HOURS_BACK = 3


@dataclass(frozen=True)
class Past:
    """One quarter hour as recorded: W means, SoC mean in %, price mean in €/MWh, and the
    highest state number the controller was in (a quarter rarely holds two)."""

    start: datetime
    price: float | None
    state: int | None
    grid: float | None
    production: float | None
    consumption: float | None
    ess: float | None
    soc: float | None


def _sum(doc: ChannelDoc) -> str:
    return f"{sum_nature.SUM_ID}/{doc.name}"


def addresses(controller_id: str) -> dict[str, str]:
    """Where each field lives. `ess` is the batteries' own power (+ discharge; for a hybrid
    its DC side), as the plan's battery variables are: grid + ess + production = consumption."""
    return {
        "grid": _sum(sum_nature.GRID_ACTIVE_POWER),
        "production": _sum(sum_nature.PRODUCTION_ACTIVE_POWER),
        "consumption": _sum(sum_nature.CONSUMPTION_ACTIVE_POWER),
        "ess": _sum(sum_nature.ESS_DISCHARGE_POWER),
        "soc": _sum(sum_nature.ESS_SOC),
        "price": f"{controller_id}/{ch.QUARTERLY_PRICES.name}",
        "state": f"{controller_id}/{ch.STATE_MACHINE.name}",
    }


def past_quarters(read: PastValues, controller_id: str, now: datetime) -> list[Past]:
    """The quarter hours of the last 3 h before the current one, oldest first; quarters
    before the history's first record are left out, gaps after it are kept (as nulls).

    Reads SQLite: a worker thread only."""
    end = quarter_start(now.astimezone(UTC))
    start = end - timedelta(hours=HOURS_BACK)
    where = addresses(controller_id)
    count = HOURS_BACK * 4
    found = read(start.timestamp(), end.timestamp(), list(where.values()), QUARTER.seconds)

    def column(field: str) -> list[float | None]:
        values = list(found.get(where[field], ()))[:count]
        return values + [None] * (count - len(values))

    columns = {field: column(field) for field in where}
    past: list[Past] = []
    for q in range(count):
        row = {field: values[q] for field, values in columns.items()}
        if not past and all(v is None for v in row.values()):
            continue  # nothing recorded yet: the edge was not running (or had no history)
        state = row["state"]
        past.append(
            Past(
                start + q * QUARTER,
                row["price"],
                None if state is None else round(state),
                row["grid"],
                row["production"],
                row["consumption"],
                row["ess"],
                row["soc"],
            )
        )
    return past
