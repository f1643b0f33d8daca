"""Ports tell the truth: the REST controller's `port` is where it is served, and `wattkeeper
get/set` find the edge they started or say which URL they tried."""

from __future__ import annotations

import asyncio
import socket
from pathlib import Path

import httpx

from tests.api.conftest import demo_with_write_access
from wattkeeper.api.server import HttpServers
from wattkeeper.cli import build_parser, main
from wattkeeper.config.data_dir import URL_FILE
from wattkeeper.core.state import Level
from wattkeeper.edge.app import Edge


async def _serve(edge: Edge) -> HttpServers:
    await edge.start()
    return await edge.start_servers()


async def test_the_port_property_is_the_bound_port(tmp_path: Path) -> None:
    site = demo_with_write_access()
    site.edge.host, site.edge.ports = "127.0.0.1", []
    site.components[-1].properties["port"] = 0  # a free port, as a test must
    edge = Edge(site, tmp_path)
    servers = await _serve(edge)
    try:
        controller = edge.manager.get("ctrlApiRest0")
        port = servers.bound[0]
        assert port != 0 and controller.listening_port == port
        assert edge.manager.channel("ctrlApiRest0/_PropertyPort").value == port
        assert edge.manager.channel("ctrlApiRest0/UnableToStart").value == 0
        async with httpx.AsyncClient(auth=("x", "admin")) as client:
            config = (
                await client.post(
                    f"http://127.0.0.1:{port}/jsonrpc",
                    json={"jsonrpc": "2.0", "id": "1", "method": "getEdgeConfig", "params": {}},
                )
            ).json()["result"]
        assert config["components"]["ctrlApiRest0"]["properties"]["port"] == port
        assert (tmp_path / URL_FILE).read_text().strip() == f"http://127.0.0.1:{port}"
        # a later config change keeps saying where the API really is
        await edge.configurator.update("ctrlApiRest0", {"apiTimeout": 30})
        assert edge.manager.channel("ctrlApiRest0/_PropertyPort").value == port
        assert edge.manager.channel("ctrlApiRest0/_PropertyApiTimeout").value == 30
    finally:
        await edge.stop_servers(servers)
        await edge.stop()
    assert not (tmp_path / URL_FILE).exists()


async def test_a_port_that_cannot_be_bound_is_reported_and_replaced(tmp_path: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        busy = taken.getsockname()[1]
        site = demo_with_write_access()
        site.edge.host, site.edge.ports = "127.0.0.1", [0]
        site.components[-1].properties["port"] = busy
        edge = Edge(site, tmp_path)
        servers = await _serve(edge)
        try:
            controller = edge.manager.get("ctrlApiRest0")
            served = servers.bound[0]
            assert busy not in servers.bound
            assert controller.value("UnableToStart") == 1
            assert controller.value("State") == Level.FAULT
            assert controller.listening_port == served
            assert edge.manager.channel("ctrlApiRest0/_PropertyPort").value == served
        finally:
            await edge.stop_servers(servers)
            await edge.stop()


async def test_get_finds_the_edge_of_its_data_directory(tmp_path: Path, capsys) -> None:
    site = demo_with_write_access()
    site.edge.host, site.edge.ports = "127.0.0.1", []
    site.components[-1].properties["port"] = 0
    edge = Edge(site, tmp_path)
    servers = await _serve(edge)
    try:
        args = ["get", "_meta/Version", "--data-dir", str(tmp_path)]
        assert await asyncio.to_thread(main, args) == 0
        assert "_meta/Version = " in capsys.readouterr().out
    finally:
        await edge.stop_servers(servers)
        await edge.stop()


async def test_get_says_which_url_it_tried(tmp_path: Path, capsys) -> None:
    with socket.socket() as closed:
        closed.bind(("127.0.0.1", 0))
        port = closed.getsockname()[1]  # bound, never listening: connection refused
        url = f"http://127.0.0.1:{port}"
        (tmp_path / URL_FILE).write_text(url)
        code = await asyncio.to_thread(main, ["get", "ess0/Soc", "--data-dir", str(tmp_path)])
    err = capsys.readouterr().err
    assert code == 2
    assert url in err and str(tmp_path / URL_FILE) in err and "--url" in err


def test_help_explains_port() -> None:
    run = build_parser()._subparsers._group_actions[0].choices["run"]  # type: ignore[union-attr]
    text = run.format_help()
    text = " ".join(text.split())
    assert "--port" in text and "exactly these ports" in text and "8084" in text


async def test_command_line_ports_are_the_only_ports(tmp_path: Path) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        chosen = probe.getsockname()[1]
    site = demo_with_write_access()  # its REST controller asks for 8084, the site for 80/8085
    site.edge.host = "127.0.0.1"
    edge = Edge(site, tmp_path, ports=[chosen])
    servers = await _serve(edge)
    try:
        assert servers.bound == [chosen]  # not 8084 as well: another edge may be there
        controller = edge.manager.get("ctrlApiRest0")
        assert controller.listening_port == chosen
        assert edge.manager.channel("ctrlApiRest0/_PropertyPort").value == chosen
        assert controller.value("UnableToStart") == 0  # the user's choice, not a fault
        assert (tmp_path / URL_FILE).read_text().strip() == f"http://127.0.0.1:{chosen}"
    finally:
        await edge.stop_servers(servers)
        await edge.stop()
