"""Replaying what OpenEMS's own UI sent (tests/fixtures/openems-ui) against a real server."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from websockets.asyncio.client import ClientConnection, connect

from tests.conftest import EdgeRunner
from wattkeeper.api.server import HttpServers
from wattkeeper.config.site import demo_site

FIXTURES = Path(__file__).parent.parent / "fixtures" / "openems-ui"
EVENING = 1_782_068_400.0


def recorded(name: str) -> list[dict[str, Any]]:
    requests: list[dict[str, Any]] = json.loads((FIXTURES / f"{name}.json").read_text())["requests"]
    return requests


def inner_method(request: dict[str, Any]) -> str:
    """`getApps` for edgeRpc → componentJsonApi → getApps; `appCenter/isAppFree` likewise."""
    method: str = request["method"]
    params = request.get("params", {})
    if method == "edgeRpc":
        return inner_method(params["payload"])
    if method == "componentJsonApi":
        return f"{params['componentId']}/{inner_method(params['payload'])}"
    if method == "appCenter":
        return f"appCenter/{inner_method(params['payload'])}"
    return method


def unwrap(reply: dict[str, Any]) -> dict[str, Any]:
    """The innermost JSON-RPC reply of an edgeRpc answer (or the outer error)."""
    while "result" in reply and isinstance(reply["result"], dict) and "payload" in reply["result"]:
        reply = reply["result"]["payload"]
    return reply


class Replay:
    """Sends recorded requests in order, substituting the session's token, key and instance."""

    def __init__(self, ws: ClientConnection, runner: EdgeRunner, port: int) -> None:
        self.ws = ws
        self.runner = runner
        self.port = port
        today = datetime.fromtimestamp(runner.clock.time(), UTC).date()  # the UI sent "UTC"
        self.values = {"{TODAY}": today.isoformat()}
        self.pushed: list[dict[str, Any]] = []

    async def send(self, request: dict[str, Any]) -> dict[str, Any]:
        text = json.dumps(request)
        for placeholder, value in self.values.items():
            text = text.replace(placeholder, value)
        sent = json.loads(text)
        await self.ws.send(text)
        while True:
            message = json.loads(await asyncio.wait_for(self.ws.recv(), 5))
            if message.get("id") == sent["id"]:
                return message
            self.pushed.append(message)  # currentData, edgeConfig

    def learn(self, placeholder: str, value: str) -> None:
        self.values[placeholder] = value


@pytest.fixture
async def served(
    make_edge: Callable[..., EdgeRunner],
) -> AsyncIterator[tuple[EdgeRunner, int]]:
    runner = make_edge(demo_site(), start=EVENING)
    await runner.edge.start()
    servers = HttpServers(runner.edge.asgi, "127.0.0.1", [0])
    await servers.start()
    runner.step()
    yield runner, servers.bound[0]
    await servers.stop()
    await runner.edge.stop()


@pytest.fixture
async def replay(served: tuple[EdgeRunner, int]) -> AsyncIterator[Replay]:
    runner, port = served
    async with connect(f"ws://127.0.0.1:{port}/websocket") as ws:
        yield Replay(ws, runner, port)
