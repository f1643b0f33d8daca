"""`_meta`, `_host` and `_cycle` as OpenEMS clients read them."""

from __future__ import annotations

from pathlib import Path

from tests.api.conftest import GUEST, OWNER, Api
from wattkeeper import __version__
from wattkeeper.api.host import DISK_FULL_BYTES, HostComponent, routes
from wattkeeper.core.state import Level
from wattkeeper.natures.energy_flow import Flow, split_flows


async def test_meta_version_for_openhab(api: Api) -> None:
    reply = (await api.get("/rest/channel/_meta/Version")).json()
    assert reply == {
        "address": "_meta/Version",
        "type": "STRING",
        "accessMode": "RO",
        "text": "wattkeeper version",
        "unit": "",
        "value": __version__,
    }
    assert await api.value("_meta/SystemTimeUtc") == int(api.site.clock.time())
    assert await api.value("_meta/_PropertyTimezone") == "Europe/Berlin"


async def _host_call(api: Api, method: str, auth: dict[str, str] = OWNER) -> dict:
    reply = await api.rpc(
        "componentJsonApi",
        {"componentId": "_host", "payload": {"jsonrpc": "2.0", "id": "x", "method": method}},
        auth=auth,
    )
    return reply.json()


async def test_host_answers_get_system_update_state(api: Api) -> None:
    assert (await _host_call(api, "getSystemUpdateState"))["result"] == {
        "updated": {"version": __version__}
    }
    denied = await _host_call(api, "getSystemUpdateState", GUEST)
    assert "error" in denied
    unknown = await _host_call(api, "executeSystemCommand")
    assert "has no JSON API method" in unknown["error"]["message"]


async def test_host_answers_get_network_info(api: Api) -> None:
    result = (await _host_call(api, "getNetworkInfo"))["result"]
    loopback = next(i for i in result["networkInterfaces"] if i["hardwareInterface"] == "lo")
    assert {"label": "lo", "address": "127.0.0.1", "subnetmask": 8} in loopback["ips"]
    assert isinstance(result["routes"], list)


def test_routes_from_the_kernel_table(tmp_path: Path) -> None:
    table = tmp_path / "route"
    table.write_text(
        "Iface\tDestination\tGateway \tFlags\tRefCnt\tUse\tMetric\tMask\t\tMTU\tWindow\tIRTT\n"
        "eth0\t00000000\t0100A8C0\t0003\t0\t0\t100\t00000000\t0\t0\t0\n"
        "eth0\t0000A8C0\t00000000\t0001\t0\t0\t100\t00FFFFFF\t0\t0\t0\n"
    )
    assert [r["dst"] for r in routes(table)] == ["default", "192.168.0.0/24"]
    assert routes(tmp_path / "missing") == []


def test_disk_is_full_is_an_info_state(tmp_path: Path) -> None:
    host = HostComponent(tmp_path)
    host.check_disk(DISK_FULL_BYTES - 1)
    assert host.value("DiskIsFull") == 1 and host.value("State") == Level.INFO
    host.check_disk(DISK_FULL_BYTES * 10)
    assert host.value("DiskIsFull") == 0 and host.value("State") == Level.OK


async def test_cycle_reports_a_disabled_controller_in_its_order(make_api) -> None:
    api = make_api()
    api.edge.cycle.scheduler.explicit_order = ["ctrlBalancing0", "ctrlGone0"]
    api.step()
    assert await api.value("_cycle/IgnoreDisabledController") == 1
    assert await api.value("_cycle/State") == Level.INFO
    assert await api.value("_cycle/_PropertyCycleTime") == 1000
    assert isinstance(await api.value("_cycle/MeasuredCycleTime"), int)


def test_energy_flow_split() -> None:
    # noon: 6 kW PV, 1 kW load, battery charging 4 kW, 1 kW feed-in
    def by_name(flows: dict[Flow, int] | None) -> dict[str, int]:
        assert flows is not None
        return {flow.power.name: power for flow, power in flows.items()}

    assert by_name(split_flows(6000, 1000, -1000, -4000.0)) == {
        "ProductionToConsumptionPower": 1000,
        "ProductionToGridPower": 1000,
        "ProductionToEssPower": 4000,
        "GridToConsumptionPower": 0,
        "EssToConsumptionPower": 0,
        "GridToEssPower": 0,
    }
    # evening: no PV, 2 kW load, battery discharging 3 kW: 1 kW of it to the grid
    flows = by_name(split_flows(0, 2000, -1000, 3000.0))
    assert flows["EssToConsumptionPower"] == 2000 and flows["GridToEssPower"] == -1000
    assert split_flows(None, 1, 1, 1.0) is None
