"""One mosquitto for the MQTT tests (started once, stopped at the end), and edges that use it."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Iterator
from pathlib import Path

import pytest

from tests.conftest import EdgeRunner
from tests.mqtt.broker import MOSQUITTO, PASSWD, USERS, Mosquitto, Watcher
from wattkeeper.config.site import ComponentEntry, SiteConfig, demo_site

EVENING = 1_782_068_400.0  # no sun: the battery covers the household under self-consumption


@pytest.fixture(scope="session")
def broker(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Mosquitto]:
    if MOSQUITTO is None or PASSWD is None:
        pytest.skip("Debian's mosquitto is not installed (scripts/mqtt-deps.sh installs it)")
    folder = tmp_path_factory.mktemp("mosquitto")
    folder.chmod(0o755)
    server = Mosquitto(folder)
    server.start()
    yield server
    server.stop()


def mqtt_site(broker: Mosquitto, **properties: object) -> SiteConfig:
    """The demo home with REST write access and the MQTT API as an installer would list them."""
    site = demo_site()
    site.components.append(
        ComponentEntry(
            id="ctrlApiRest0",
            factory="Controller.Api.Rest.ReadWrite",
            properties={"apiTimeout": 60},
        )
    )
    site.components.append(
        ComponentEntry(
            id="ctrlControllerApiMqtt0",
            factory="Controller.Api.MQTT",
            properties={
                "uri": broker.uri,
                "clientId": "edge0",
                "username": "edge",
                "password": USERS["edge"],
                "commandUser": "owner",
                **properties,
            },
        )
    )
    return site


@pytest.fixture
async def mqtt_edge(
    broker: Mosquitto, make_edge: Callable[..., EdgeRunner], tmp_path: Path
) -> AsyncIterator[Callable[..., EdgeRunner]]:
    started: list[EdgeRunner] = []

    async def make(**properties: object) -> EdgeRunner:
        data_dir = tmp_path / f"edge{len(started)}"
        runner = make_edge(mqtt_site(broker, **properties), data_dir=data_dir, start=EVENING)
        await runner.edge.start()
        started.append(runner)
        return runner

    yield make  # type: ignore[misc]
    for runner in started:
        await runner.edge.stop()


@pytest.fixture
def watcher(broker: Mosquitto) -> Iterator[Callable[..., Watcher]]:
    made: list[Watcher] = []

    def make(*topics: str) -> Watcher:
        made.append(Watcher(broker, *topics))
        return made[-1]

    yield make
    for w in made:
        w.close()
