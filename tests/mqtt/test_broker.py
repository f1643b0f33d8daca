"""The MQTT API against Debian's mosquitto, with paho-mqtt as the other client: OpenEMS's
retained topics, Home Assistant's discovery, commands through the write gate, a broker restart."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable

import pytest

from tests.conftest import EdgeRunner
from tests.mqtt.broker import Mosquitto, Watcher, free_port
from wattkeeper.mqtt.component import BROKER_UNREACHABLE
from wattkeeper.mqtt.discovery import discovery_topic
from wattkeeper.testing.eventually import eventually

pytestmark = [pytest.mark.external, pytest.mark.slow]

BASE = "edge/edge0"
SET = f"{BASE}/channel/ess0/SetActivePowerEquals/set"
REPLY = f"{SET}/reply"
MQTT_ID = "ctrlControllerApiMqtt0"


async def cycles_until(
    runner: EdgeRunner, condition: Callable[[], bool], timeout: float = 8.0
) -> None:
    """Run cycles (fake time) while real I/O with the broker goes on, until `condition` holds."""
    async with asyncio.timeout(timeout):
        while not condition():
            runner.step()
            await asyncio.sleep(0.02)


async def connected(runner: EdgeRunner) -> None:
    await eventually(lambda: runner.value(f"{MQTT_ID}/Connected") == 1, timeout=5)


async def test_channels_are_retained_bare_json_values_under_openems_topics(
    mqtt_edge: Callable[..., object], watcher: Callable[..., Watcher], broker: Mosquitto
) -> None:
    runner: EdgeRunner = await mqtt_edge()  # type: ignore[operator]
    await connected(runner)
    soc, config = f"{BASE}/channel/_sum/EssSoc", f"{BASE}/edgeConfig/"
    early = watcher(f"{BASE}/#")
    await cycles_until(runner, lambda: early.has(soc) and early.has(config))
    late = watcher(f"{BASE}/#")  # no cycle from here on: it sees what the broker retained
    await eventually(lambda: late.has(soc) and late.has(config), timeout=5)
    message = late.last[soc]
    assert message.retain
    assert json.loads(message.payload) == runner.value("_sum/EssSoc")
    assert isinstance(json.loads(message.payload), int)  # the bare value, not an object
    assert late.json(f"{BASE}/channel/_meta/Version") == runner.value("_meta/Version")  # a string
    edge_config = late.json(config)
    assert (
        edge_config["components"]["ess0"]["factoryId"] == runner.edge.manager.get("ess0").factory_id
    )
    assert "Controller.Api.MQTT" in edge_config["factories"]
    mqtt_properties = edge_config["components"][MQTT_ID]["properties"]
    assert mqtt_properties["password"] == "**********"  # never a secret on the broker
    assert f"{BASE}/channel/{MQTT_ID}/_PropertyPassword" not in late.last
    assert f"{BASE}/channel/{MQTT_ID}/_PropertyCommandToken" not in late.last
    assert late.json(f"{BASE}/channel/{MQTT_ID}/_PropertyCommandUser") == "owner"
    assert late.last[config].retain
    assert late.last[f"{BASE}/status"].payload == b"online"
    # write-only channels are never published (OpenEMS skips them too)
    assert not late.has(SET[: -len("/set")])
    # changed values each cycle, unchanged ones only every 300 s
    live = watcher(f"{BASE}/channel/_meta/Version", f"{BASE}/channel/lastUpdate")
    await eventually(lambda: live.has(f"{BASE}/channel/lastUpdate"), timeout=5)
    # a publish of an earlier cycle may still be on its way: count only the three cycles below
    before = int(runner.clock.time() * 1000)
    for _ in range(3):
        runner.step()
    stamp = int(runner.clock.time() * 1000)
    await eventually(lambda: live.json(f"{BASE}/channel/lastUpdate") == stamp, timeout=5)
    fresh = [
        m
        for m in live.log
        if m.topic.endswith("lastUpdate") and not m.retain and json.loads(m.payload) > before
    ]
    assert len(fresh) == 3
    assert [m for m in live.log if m.topic.endswith("/Version") and not m.retain] == []
    runner.step(1, seconds=301)
    await eventually(lambda: any(m.topic.endswith("/Version") and not m.retain for m in live.log))


async def test_home_assistant_discovery_has_what_home_assistant_requires(
    mqtt_edge: Callable[..., object], watcher: Callable[..., Watcher]
) -> None:
    runner: EdgeRunner = await mqtt_edge()  # type: ignore[operator]
    await connected(runner)
    topic = discovery_topic("homeassistant", runner.edge.edge_id)
    ha = watcher("homeassistant/#", f"{BASE}/status")
    await cycles_until(runner, lambda: ha.has(topic) and ha.has(f"{BASE}/status"))
    retained = watcher("homeassistant/#")
    await eventually(lambda: retained.has(topic), timeout=5)
    assert retained.last[topic].retain
    message = retained.json(topic)
    # DEVICE_DISCOVERY_SCHEMA (homeassistant/components/mqtt/schemas.py)
    assert message["device"]["identifiers"]
    assert message["origin"]["name"]
    assert message["availability_topic"] == f"{BASE}/status"
    assert ha.last[f"{BASE}/status"].payload == b"online"
    components = message["components"]
    assert components
    for key, entity in components.items():
        assert entity["platform"] in {"sensor", "number", "button"}, key
        assert entity["unique_id"], key  # required for device-based discovery
    # HA's DEVICE_CLASS_UNITS / DEVICE_CLASS_STATE_CLASSES (sensor/const.py): what the Energy
    # dashboard takes
    allowed = {
        "battery": ({"%"}, {"measurement"}),
        "power": ({"W", "kW"}, {"measurement"}),
        "energy": ({"Wh", "kWh", "MWh"}, {"total", "total_increasing"}),
    }
    sensors = {
        e["state_topic"].rsplit("/", 1)[1]: e
        for e in components.values()
        if e["platform"] == "sensor"
    }
    for channel in (
        "EssSoc",
        "GridActivePower",
        "ProductionActivePower",
        "GridBuyActiveEnergy",
        "GridSellActiveEnergy",
        "ProductionActiveEnergy",
        "EssDcChargeEnergy",
        "EssDcDischargeEnergy",
    ):
        sensor = sensors[channel]
        units, classes = allowed[sensor["device_class"]]
        assert sensor["unit_of_measurement"] in units, channel
        assert sensor["state_class"] in classes, channel
        assert sensor["state_topic"] == f"{BASE}/channel/_sum/{channel}"
    number = components["ess0_setpoint"]
    limit = runner.value("ess0/MaxApparentPower")
    assert number["command_topic"] == SET
    assert number["min"] == -limit < 0 < number["max"] == limit
    assert number["unit_of_measurement"] == "W"
    release = components["ess0_release"]
    assert release["command_topic"] == SET and release["payload_press"] == "null"
    # Home Assistant's birth message asks for discovery again
    count = sum(m.topic == topic for m in ha.log)
    ha.publish("homeassistant/status", "online")
    await cycles_until(runner, lambda: sum(m.topic == topic for m in ha.log) > count)


async def test_a_set_command_moves_the_battery_and_expires_with_the_lease(
    mqtt_edge: Callable[..., object], watcher: Callable[..., Watcher]
) -> None:
    runner: EdgeRunner = await mqtt_edge()  # type: ignore[operator]
    await connected(runner)
    client = watcher(REPLY)
    runner.step()
    assert runner.value("ess0/ActivePower") != 3000
    client.publish(SET, "3000")
    await eventually(lambda: client.has(REPLY), timeout=5)
    assert client.json(REPLY) == {"address": "ess0/SetActivePowerEquals", "ok": True, "value": 3000}
    runner.step(2)
    assert runner.value("ess0/ActivePower") == 3000
    assert runner.value(f"{MQTT_ID}/CommandsAccepted") == 1
    entry = runner.edge.api.audit.read(1)[0]
    assert (entry["via"], entry["user"], entry["channel"], entry["value"]) == (
        "mqtt",
        "owner",
        "ess0/SetActivePowerEquals",
        3000,
    )
    runner.step(57)  # the REST write app's lease: 60 s
    assert runner.value("ess0/ActivePower") == 3000
    runner.step(3)
    assert runner.edge.manager.get("ctrlApiRest0").held == {}
    runner.step(2)
    assert runner.value("ess0/ActivePower") != 3000
    # the release button's payload
    client.publish(SET, "-2000")
    await eventually(lambda: client.json(REPLY)["value"] == -2000, timeout=5)
    client.publish(SET, "null")
    await eventually(lambda: client.json(REPLY)["value"] is None, timeout=5)
    assert runner.edge.manager.get("ctrlApiRest0").held == {}


REFUSALS = [
    (SET, "five thousand", False, "not JSON"),
    (SET, '{"value": {"nested": 1}}', False, "must be a number"),
    (SET, '{"valeu": 1}', False, "unknown key(s) valeu"),
    (SET, "1e400", False, "finite"),
    (SET, "300000000000", False, "out of range"),
    (SET, "3000", True, "retained command is not carried out"),
    (SET, "9" * 600, False, "over the limit of 512"),
    (f"{BASE}/channel/_sum/EssSoc/set", "50", False, "read-only"),
    (f"{BASE}/channel/ess0/SetReactivePowerEquals/set", "100", False, "reactive power"),
    (f"{BASE}/channel/ess9/SetActivePowerEquals/set", "100", False, "ess9"),
]


async def test_a_refused_command_is_answered_with_its_reason_and_nothing_is_held(
    mqtt_edge: Callable[..., object], watcher: Callable[..., Watcher]
) -> None:
    runner: EdgeRunner = await mqtt_edge()  # type: ignore[operator]
    await connected(runner)
    client = watcher(f"{BASE}/channel/+/+/set/reply")
    for count, (topic, payload, retain, reason) in enumerate(REFUSALS, start=1):
        client.publish(topic, payload, retain=retain)
        await eventually(lambda: len(client.log) == count, timeout=5)  # noqa: B023
        answer = json.loads(client.log[-1].payload)
        assert client.log[-1].topic == f"{topic}/reply"
        assert answer["ok"] is False, payload
        assert reason in answer["error"], answer
        if retain:
            client.publish(topic, b"", retain=True)  # clear it on the broker (ignored by the edge)
    assert runner.edge.manager.get("ctrlApiRest0").held == {}
    assert runner.value(f"{MQTT_ID}/CommandsRefused") == len(REFUSALS)
    # every command that reached the write gate's side is audited with why it was refused; an
    # oversized payload is dropped before it is read (counted, answered, not stored)
    audited = runner.edge.api.audit.read(50)
    assert len(audited) == len(REFUSALS) - 1
    assert all(e["via"] == "mqtt" and e["outcome"].startswith("refused: ") for e in audited)
    by_value = {json.dumps(e["value"]): e for e in audited}
    assert "not JSON" in by_value['"<not JSON, 13 bytes>"']["outcome"]
    assert "read-only" in by_value["50"]["outcome"]
    # MQTT 5 request/response: the answer also goes to the command's response topic
    from paho.mqtt.packettypes import PacketTypes
    from paho.mqtt.properties import Properties

    asker = watcher("replies/me")
    props = Properties(PacketTypes.PUBLISH)
    props.ResponseTopic = "replies/me"
    props.CorrelationData = b"42"
    asker.publish(SET, "1500", properties=props)
    await eventually(lambda: asker.has("replies/me"), timeout=5)
    assert asker.json("replies/me")["ok"] is True
    assert asker.last["replies/me"].properties.CorrelationData == b"42"


async def test_commands_need_an_owner_user_and_the_token_when_one_is_set(
    mqtt_edge: Callable[..., object], watcher: Callable[..., Watcher]
) -> None:
    guest: EdgeRunner = await mqtt_edge(clientId="guestedge", commandUser="guest")  # type: ignore[operator]
    off: EdgeRunner = await mqtt_edge(clientId="offedge", commandUser="")  # type: ignore[operator]
    token: EdgeRunner = await mqtt_edge(clientId="tokenedge", commandToken="s3cret")  # type: ignore[operator]
    for runner in (guest, off, token):
        await connected(runner)
    client = watcher("edge/+/channel/+/+/set/reply")
    cases = [
        ("guestedge", "3000", "has role guest"),
        ("offedge", "3000", "commands are switched off"),
        ("tokenedge", "3000", "token missing or wrong"),
        ("tokenedge", '{"value": 3000, "token": "wrong"}', "token missing or wrong"),
    ]
    for count, (edge, payload, reason) in enumerate(cases, start=1):
        client.publish(f"edge/{edge}/channel/ess0/SetActivePowerEquals/set", payload)
        await eventually(lambda: len(client.log) == count, timeout=5)  # noqa: B023
        assert reason in json.loads(client.log[-1].payload)["error"]
    client.publish(
        "edge/tokenedge/channel/ess0/SetActivePowerEquals/set",
        '{"value": 3000, "token": "s3cret"}',
    )
    await eventually(lambda: len(client.log) == len(cases) + 1, timeout=5)
    assert json.loads(client.log[-1].payload)["ok"] is True
    token.step(2)
    assert token.value("ess0/ActivePower") == 3000
    assert guest.edge.manager.get("ctrlApiRest0").held == {}
    # newest first: the accepted command, then both refusals as one entry (same value and reason)
    accepted, refused = token.edge.api.audit.read(10)
    assert accepted["outcome"] == "accepted" and accepted["value"] == 3000
    assert refused["outcome"].startswith("refused: command token missing or wrong")
    assert (refused["value"], refused["count"]) == (3000, 2)
    assert 'wrong"' not in json.dumps(refused)  # a guessed token is never stored
    assert guest.edge.api.audit.read(1)[0]["role"] == "guest"


async def test_the_edge_rides_out_a_broker_restart_and_republishes_everything(
    mqtt_edge: Callable[..., object], watcher: Callable[..., Watcher], broker: Mosquitto
) -> None:
    runner: EdgeRunner = await mqtt_edge()  # type: ignore[operator]
    await connected(runner)
    runner.step(3)
    broker.stop()  # no persistence: every retained message is gone with it
    await eventually(lambda: runner.value(f"{MQTT_ID}/Connected") == 0, timeout=5)
    assert runner.edge.manager.get(MQTT_ID).state_level.name == "WARNING"
    component = runner.edge.manager.get(MQTT_ID)
    for _ in range(5):  # the cycle goes on and only queues
        runner.step()
    assert 0 < len(component.outbox) <= component.outbox.capacity
    broker.start()
    await eventually(lambda: runner.value(f"{MQTT_ID}/Connected") == 1, timeout=10)
    late = watcher(f"{BASE}/#", "homeassistant/#")
    topic = discovery_topic("homeassistant", runner.edge.edge_id)
    wanted = [
        f"{BASE}/channel/_sum/EssSoc",
        f"{BASE}/channel/_meta/Version",
        f"{BASE}/edgeConfig/",
        topic,
    ]
    await cycles_until(runner, lambda: all(late.has(t) for t in wanted))
    assert late.last[f"{BASE}/status"].payload == b"online"
    assert runner.edge.manager.get(MQTT_ID).state_level.name == "OK"


async def test_a_broker_that_is_not_there_is_reported_and_the_cycle_goes_on(
    mqtt_edge: Callable[..., object],
) -> None:
    runner: EdgeRunner = await mqtt_edge(uri=f"tcp://127.0.0.1:{free_port()}")  # type: ignore[operator]
    component = runner.edge.manager.get(MQTT_ID)
    await eventually(lambda: component.has_state(BROKER_UNREACHABLE), timeout=5)
    assert "cannot connect to 127.0.0.1" in component.state_reasons[0]
    for _ in range(3):
        runner.step()
    assert runner.value(f"{MQTT_ID}/Connected") == 0
    assert len(component.outbox) > 0  # kept, bounded, for when the broker comes
