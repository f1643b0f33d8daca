"""The recorder on a running edge (fake clock), queried back through the API."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from tests.api.conftest import GUEST, OWNER

# simulates hours of cycles: left out of the fast stage
pytestmark = pytest.mark.slow

BERLIN = ZoneInfo("Europe/Berlin")


def day_of(api) -> str:
    return datetime.fromtimestamp(api.site.clock.time(), BERLIN).date().isoformat()


async def test_a_recorded_hour_comes_back_through_jsonrpc_and_csv(make_api) -> None:
    api = make_api(start=1_782_036_000.0)  # 12:00 Berlin summer time
    start_counter = await api.value("_sum/GridSellActiveEnergy")
    api.step(3600)
    api.edge.history.flush()
    day = day_of(api)

    response = await api.rpc(
        "queryHistoricTimeseriesData",
        {
            "fromDate": day,
            "toDate": day,
            "channels": ["_sum/EssSoc", "_sum/GridActivePower"],
            "timezone": "Europe/Berlin",
            "resolution": {"value": 5, "unit": "Minutes"},
        },
        auth=OWNER,
    )
    assert response.status_code == 200, response.text
    result = response.json()["result"]
    assert len(result["timestamps"]) == 288
    soc = [v for v in result["data"]["_sum/EssSoc"] if v is not None]
    assert 11 <= len(soc) <= 13  # one hour of 5-minute slots
    assert soc[-1] > soc[0]  # charging from PV at noon

    energy = await api.rpc(
        "queryHistoricTimeseriesEnergy",
        {
            "fromDate": day,
            "toDate": day,
            "channels": ["_sum/GridSellActiveEnergy"],
            "timezone": "Europe/Berlin",
        },
        auth=OWNER,
    )
    sold = energy.json()["result"]["data"]["_sum/GridSellActiveEnergy"]
    assert abs(sold - (await api.value("_sum/GridSellActiveEnergy") - start_counter)) <= 2

    csv = await api.client.get(
        f"/history/export.csv?fromDate={day}&channels=_sum/EssSoc,_sum/GridActivePower&resolution=3600",
        headers=GUEST,
    )
    assert csv.status_code == 200
    assert csv.headers["content-type"].startswith("text/csv")
    lines = csv.text.strip().splitlines()
    assert lines[0] == "timestamp,_sum/EssSoc,_sum/GridActivePower"
    assert len(lines) == 25


async def test_history_query_errors_are_400(api) -> None:
    response = await api.rpc(
        "queryHistoricTimeseriesData",
        {"fromDate": "yesterday", "channels": ["_sum/EssSoc"], "timezone": "UTC"},
        auth=OWNER,
    )
    assert response.status_code == 400
    assert "fromDate" in response.json()["error"]["message"]
    unknown = await api.rpc(
        "queryHistoricTimeseriesData",
        {
            "fromDate": "2026-06-21",
            "toDate": "2026-06-21",
            "channels": ["_sum/Nope"],
            "timezone": "UTC",
        },
        auth=OWNER,
    )
    assert unknown.status_code == 400
    csv = await api.client.get(
        "/history/export.csv?fromDate=2026-06-21&channels=_sum/EssSoc&resolution=abc", headers=GUEST
    )
    assert csv.status_code == 400
    assert (
        await api.client.get("/history/export.csv?fromDate=2026-06-21&channels=_sum/EssSoc")
    ).status_code == 401


async def test_energy_stays_right_across_a_restart_that_resets_the_counters(
    make_api, tmp_path
) -> None:
    data_dir = tmp_path / "edge"
    first = make_api(start=1_782_036_000.0, data_dir=data_dir)  # noon: PV feeds in
    first.step(1800)
    sold_first = await first.value("_sum/GridSellActiveEnergy")
    await first.edge.stop()
    # a new edge on the same data directory: the simulated meters count from 0 again
    second = make_api(start=first.site.clock.time(), data_dir=data_dir)
    assert (
        await second.value("_sum/GridSellActiveEnergy") < sold_first
    )  # the live counter restarted
    second.step(1800)
    sold_second = await second.value("_sum/GridSellActiveEnergy")
    second.edge.history.flush()
    day = day_of(second)
    response = await second.rpc(
        "queryHistoricTimeseriesEnergy",
        {
            "fromDate": day,
            "toDate": day,
            "channels": ["_sum/GridSellActiveEnergy"],
            "timezone": "Europe/Berlin",
        },
        auth=OWNER,
    )
    sold = response.json()["result"]["data"]["_sum/GridSellActiveEnergy"]
    assert sold > 0
    assert abs(sold - (sold_first + sold_second)) <= 0.02 * (sold_first + sold_second) + 5
