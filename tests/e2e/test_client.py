"""The Python client and `wattkeeper get/set` against a real edge."""

from __future__ import annotations

import asyncio
import threading

import pytest

from wattkeeper.cli import main
from wattkeeper.client import ApiClientError, WattkeeperClient


async def test_client_reads_writes_keeps_alive_and_releases(start_edge) -> None:
    live = await start_edge()
    owner = WattkeeperClient(live.url, "owner")
    try:
        assert await asyncio.to_thread(owner.value, "_sum/EssSoc") == live.value("_sum/EssSoc")
        both = await asyncio.to_thread(owner.read, "_sum/(EssSoc|GridActivePower)")
        assert {c["address"] for c in both} == {"_sum/EssSoc", "_sum/GridActivePower"}
        assert await asyncio.to_thread(owner.api_timeout) == 60

        stop = threading.Event()
        keeper = asyncio.create_task(
            asyncio.to_thread(owner.keep, "ess0/SetActivePowerEquals", 2000, stop, 0.05)
        )
        # re-sent: one audit entry whose count grows
        await live.until(lambda: sum(e["count"] for e in live.edge.api.audit.read()) >= 3)
        await live.until(lambda: live.value("ess0/ActivePower") == 2000)
        stop.set()
        await keeper
        assert live.edge.manager.get("ctrlApiRest0").held == {}  # released on stop
    finally:
        owner.close()

    guest = WattkeeperClient(live.url, "user")
    with pytest.raises(ApiClientError, match="needs role owner"):
        await asyncio.to_thread(guest.write, "ess0/SetActivePowerEquals", 1)
    guest.close()


async def test_command_line_get_and_set(start_edge, capsys) -> None:
    live = await start_edge()
    code = await asyncio.to_thread(
        main, ["set", "ess0/SetActivePowerEquals", "1500", "--url", live.url, "--password", "owner"]
    )
    assert code == 0
    await live.until(lambda: live.value("ess0/ActivePower") == 1500)
    code = await asyncio.to_thread(main, ["get", "ess0/ActivePower", "--url", live.url])
    assert code == 0
    assert "ess0/ActivePower = 1500 W" in capsys.readouterr().out
    code = await asyncio.to_thread(
        main, ["set", "ess0/Soc", "5", "--url", live.url, "--password", "owner"]
    )
    assert code == 1
    assert "read-only" in capsys.readouterr().err
