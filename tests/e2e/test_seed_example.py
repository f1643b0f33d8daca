"""The user's document, end to end: its Python example runs unchanged against a real edge."""

from __future__ import annotations

import asyncio
import subprocess
import sys
from pathlib import Path

import httpx

# Copied verbatim from ../shared/seed/rest-json-write-access.txt (section 3.3.4);
# only IP and port are replaced below.
SEED_EXAMPLE = """\
import requests

url = 'http://192.168.0.23:80/rest/channel/ess0/SetActivePowerEquals'

user = 'x'
password = 'owner'

session = requests.Session()
session.auth = (user, password)

data = {"value": 5000}

response = session.post(url, json = data)
response.raise_for_status()
"""


async def test_seed_python_example_makes_the_battery_discharge_5000_w(
    start_edge, tmp_path: Path
) -> None:
    live = await start_edge()
    script = tmp_path / "seed_example.py"
    script.write_text(SEED_EXAMPLE.replace("192.168.0.23:80", f"127.0.0.1:{live.ports[0]}"))
    result = await asyncio.to_thread(
        subprocess.run, [sys.executable, str(script)], capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    await live.until(lambda: live.value("ess0/ActivePower") == 5000)
    # verification "via a subsequent GET request", as the document says
    async with httpx.AsyncClient(auth=("x", "user")) as client:
        response = await client.get(f"{live.url}/rest/channel/ess0/ActivePower")
    assert response.json()["value"] == 5000
    assert live.value("ctrlApiRest0/ApiWorkerLog") == "ess0/SetActivePowerEquals:5000"


async def test_the_api_listens_on_several_ports_and_serves_long_urls(start_edge) -> None:
    live = await start_edge(ports=2)
    assert len(live.ports) == 2 and live.ports[0] != live.ports[1]
    names = "%7C".join(f"Nope{i:04d}" for i in range(500))
    async with httpx.AsyncClient(auth=("x", "user")) as client:
        for port in live.ports:
            response = await client.get(
                f"http://127.0.0.1:{port}/rest/channel/_sum/({names}%7CEssSoc)"
            )
            assert response.status_code == 200
            assert response.json()["address"] == "_sum/EssSoc"


async def test_a_browser_gets_a_login_prompt(start_edge) -> None:
    live = await start_edge()
    async with httpx.AsyncClient() as client:
        response = await client.get(f"{live.url}/rest/channel/_sum/EssSoc")
    assert response.status_code == 401
    assert response.headers["www-authenticate"].startswith('Basic realm="wattkeeper"')


async def test_accepted_connections_do_not_wait_for_delayed_acks(start_edge) -> None:
    """Keep-alive clients (evcc polls every few seconds on one connection) must not see a
    ~40 ms Nagle/delayed-ACK stall per answer: accepted sockets have TCP_NODELAY."""
    import socket

    live = await start_edge()
    async with httpx.AsyncClient(auth=("x", "user")) as client:
        await client.get(f"{live.url}/rest/channel/_sum/EssSoc")
        servers = live.edge_servers._servers
        connections = [c for server, _ in servers for c in server.server_state.connections]
        assert connections
        for connection in connections:
            sock = connection.transport.get_extra_info("socket")
            assert sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY) != 0
