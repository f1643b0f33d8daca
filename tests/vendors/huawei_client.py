"""Run by the Python 3.12 venv (scripts/vendor-clients.sh): huawei-solar, the library of
Home Assistant's Huawei integration, reads (and optionally writes) a SUN2000 on host:port.

    huawei_client.py HOST PORT [NAME=VALUE ...]

Writes the NAME=VALUE pairs in order (register names of huawei_solar.RegisterName, e.g.
storage_forcible_charge_power=2000), then prints what it reads as one JSON object.
"""

from __future__ import annotations

import asyncio
import json
import sys

from huawei_solar import create_device_instance, create_tcp_client
from huawei_solar import register_names as rn

READ = [
    rn.MODEL_NAME,
    rn.SERIAL_NUMBER,
    rn.ACTIVE_POWER,
    rn.INPUT_POWER,
    rn.STORAGE_STATE_OF_CAPACITY,
    rn.STORAGE_CHARGE_DISCHARGE_POWER,
    rn.STORAGE_RATED_CAPACITY,
    rn.STORAGE_MAXIMUM_CHARGE_POWER,
    rn.STORAGE_MAXIMUM_DISCHARGE_POWER,
    rn.STORAGE_TOTAL_CHARGE,
    rn.STORAGE_TOTAL_DISCHARGE,
    rn.POWER_METER_ACTIVE_POWER,
    rn.STORAGE_FORCIBLE_CHARGE_DISCHARGE_WRITE,
    rn.STORAGE_FORCED_CHARGING_AND_DISCHARGING_PERIOD,
    rn.STORAGE_FORCIBLE_CHARGE_POWER,
]


def plain(value: object) -> object:
    return getattr(value, "value", value) if not isinstance(value, int | float | str) else value


async def main(host: str, port: int, writes: list[str]) -> None:
    client = create_tcp_client(
        host, port, unit_id=1, timeout=10, wait_after_connect=0, wait_between_requests=0
    )
    await client.connect()
    try:
        device = await create_device_instance(client)
        for item in writes:
            name, _, value = item.partition("=")
            ok = await client.set(name, int(value))
            if not ok:
                raise SystemExit(f"write {item} refused")
        out = {str(name): plain((await client.get(name)).value) for name in READ}
        out["device_class"] = type(device).__name__
        print(json.dumps(out))
    finally:
        await client.disconnect()


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1], int(sys.argv[2]), sys.argv[3:]))
