"""openWB's FEMS module, replayed against a real edge on loopback.

Its battery, counter and inverter components each send one multi-segment regex read (the
module's "MULTIPLE_SEGMENT_REGEX_QUERY" version, detected by the first request succeeding) with
`requests` and basic auth `x:<password>`, and scale each value by the prefix of its `unit`."""

from __future__ import annotations

import asyncio
from typing import Any

import requests

from tests.clients.conftest import Served

BATTERY = (
    "(ess0|_sum)/"
    "(Soc|DcChargeEnergy|DcDischargeEnergy|GridActivePower|ProductionActivePower|ConsumptionActivePower)"
)
COUNTER = "(meter0|_sum)/(ActivePower.*|VoltageL.|Frequency|Grid.+ActiveEnergy)"
INVERTER = "_sum/(ProductionActivePower|ProductionActiveEnergy)"
PREFIXES = {"m": 1e-3, "k": 1e3, "M": 1e6}


def scaled(record: dict[str, Any], base: str) -> float:
    """The module's rule: a unit of one prefix letter + the base unit is scaled, any other unit
    (none, or e.g. `Wh_Σ`) is taken as it is. The value must be a number."""
    value, unit = record["value"], record.get("unit")
    assert isinstance(value, int | float) and not isinstance(value, bool), record
    if unit and len(unit) == len(base) + 1 and unit[1:] == base:
        return float(value) * PREFIXES[unit[0]]
    return float(value)


def read(port: int, query: str) -> dict[str, dict[str, Any]]:
    with requests.Session() as session:
        session.auth = ("x", "user")
        response = session.get(f"http://127.0.0.1:{port}/rest/channel/{query}", timeout=6)
        response.raise_for_status()  # the module falls back to single reads on an HTTP error
        records = response.json()
    assert isinstance(records, list)
    return {r["address"]: r for r in records}


async def test_openwb_fems_module_reads_battery_counter_and_inverter(served: Served) -> None:
    while served.value("_sum/GridBuyActiveEnergy") is None:
        await asyncio.sleep(0.02)
    battery = await asyncio.to_thread(read, served.port, BATTERY)
    counter = await asyncio.to_thread(read, served.port, COUNTER)
    inverter = await asyncio.to_thread(read, served.port, INVERTER)

    # battery: SoC in %, DC energies in Wh, power from the sums
    assert battery["ess0/Soc"]["unit"] == "%" and 0 <= scaled(battery["ess0/Soc"], "%") <= 100
    for name in ("DcChargeEnergy", "DcDischargeEnergy"):
        record = battery[f"ess0/{name}"]
        assert record["unit"] == "Wh_Σ" and scaled(record, "Wh") >= 0
    grid = scaled(battery["_sum/GridActivePower"], "W")
    pv = scaled(battery["_sum/ProductionActivePower"], "W")
    house = scaled(battery["_sum/ConsumptionActivePower"], "W")
    assert pv > 0 and house > 0
    # the module's battery power (+ charging) is the hybrid's DC battery power: at noon the
    # battery charges at its 5 kW limit, fed by the DC PV
    assert 0 < grid + pv - house <= 5000 + 3

    # counter: grid meter per phase, volts from mV, hertz from mHz
    for phase in ("", "L1", "L2", "L3"):
        scaled(counter[f"meter0/ActivePower{phase}"], "W")
    for phase in ("L1", "L2", "L3"):
        record = counter[f"meter0/Voltage{phase}"]
        assert record["unit"] == "mV" and 200 < scaled(record, "V") < 260
    frequency = counter["meter0/Frequency"]
    assert frequency["unit"] == "mHz" and 49.5 < scaled(frequency, "Hz") < 50.5
    for name in ("GridBuyActiveEnergy", "GridSellActiveEnergy"):
        assert scaled(counter[f"_sum/{name}"], "Wh") >= 0
    assert not [a for a in counter if a.startswith("_sum/") and "Grid" not in a]

    # inverter: production power and energy
    assert scaled(inverter["_sum/ProductionActivePower"], "W") > 0
    assert scaled(inverter["_sum/ProductionActiveEnergy"], "Wh") >= 0
