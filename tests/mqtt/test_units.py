"""The MQTT API's parts without a broker: topics, the outbox's bound, the change tracker on a
fake clock, the persistence-priority filter, command parsing and the broker URI."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import EdgeRunner
from tests.mqtt.priority_reference import render
from wattkeeper.mqtt.commands import CommandRefused, RateLimit, parse_command
from wattkeeper.mqtt.outbox import Message, Outbox
from wattkeeper.mqtt.selection import priority_of, selected
from wattkeeper.mqtt.settings import PRIORITY_ORDER, parse_uri
from wattkeeper.mqtt.topics import Topics
from wattkeeper.mqtt.tracker import FULL_EVERY_S, ChangeTracker
from wattkeeper.testing.fake_clock import FakeClock

TABLE = Path(__file__).parents[2] / "src" / "wattkeeper" / "mqtt" / "priority_table.py"


def test_topics_follow_openems_and_commands_parse_back() -> None:
    topics = Topics.of("", "edge0")
    assert topics.channel("_sum/EssSoc") == "edge/edge0/channel/_sum/EssSoc"
    assert topics.edge_config == "edge/edge0/edgeConfig/"
    assert topics.last_update == "edge/edge0/channel/lastUpdate"
    assert Topics.of("site/a", "x").channel("ess0/Soc") == "site/a/edge/x/channel/ess0/Soc"
    command = topics.command("ess0/SetActivePowerEquals")
    assert topics.address_of_command(command) == "ess0/SetActivePowerEquals"
    for other in (
        topics.reply("ess0/X"),
        "edge/edge0/channel/ess0/set",
        "edge/other/channel/a/b/set",
    ):
        assert topics.address_of_command(other) is None


def test_the_outbox_drops_the_oldest_and_counts_them() -> None:
    box = Outbox(capacity=3)
    box.put_all(Message(f"t/{i}", i) for i in range(5))
    assert box.dropped == 2
    assert [m.payload for m in box.take(10, 0)] == [2, 3, 4]
    box.count_lost(1)
    assert box.dropped == 3


def test_changed_values_each_cycle_everything_every_300_s(make_edge) -> None:
    runner: EdgeRunner = make_edge()
    runner.step()
    tracker = ChangeTracker(runner.edge.manager, Topics.of("", "edge0"), "VERY_LOW")
    clock = runner.clock
    first = tracker.collect(clock.monotonic(), 1)
    everything = {m.topic for m in first}
    assert "edge/edge0/channel/_meta/Version" in everything
    assert "edge/edge0/channel/ess0/SetActivePowerEquals" not in everything  # write-only
    runner.step()
    changed = {m.topic for m in tracker.collect(clock.monotonic(), 2)}
    assert "edge/edge0/channel/_meta/Version" not in changed
    assert "edge/edge0/channel/lastUpdate" in changed
    assert len(changed) < len(everything)
    runner.step(1, seconds=FULL_EVERY_S)
    assert {m.topic for m in tracker.collect(clock.monotonic(), 3)} >= everything


def test_persistence_priority_filters_like_openems(make_edge) -> None:
    runner: EdgeRunner = make_edge()
    channels = runner.edge.manager.all_channels()
    high = selected(channels, "HIGH")
    assert high and len(high) < len(selected(channels, "VERY_LOW"))
    assert all(PRIORITY_ORDER.index(priority_of(c.doc)) >= 3 for c in high)
    names = {c.address for c in high}
    assert "_sum/EssSoc" in names and "_sum/GridActivePower" in names


def test_the_priority_table_is_generated_from_openems_reference() -> None:
    assert TABLE.read_text() == render(), "run: python -m tests.mqtt.priority_reference"


@pytest.mark.parametrize(
    ("payload", "value"),
    [(b"5000", 5000), (b"-2500.5", -2500.5), (b"null", None), (b'{"value": 7}', 7)],
)
def test_command_values(payload: bytes, value: object) -> None:
    assert parse_command(payload, "") == value


@pytest.mark.parametrize(
    ("payload", "token", "reason"),
    [
        (b"\xff", "", "not UTF-8"),
        (b"NaN", "", "not JSON"),
        (b"[1]", "", "must be a number"),
        (b"{}", "", 'no "value"'),
        (b"1", "t", "token missing"),
        (b'{"value": 1, "token": "u"}', "t", "token missing"),
        (b"[" * 600, "", "over the limit"),
    ],
)
def test_command_refusals(payload: bytes, token: str, reason: str) -> None:
    with pytest.raises(CommandRefused, match=reason):
        parse_command(payload, token)


def test_command_rate_is_bounded() -> None:
    clock = FakeClock()
    limit = RateLimit(clock, rate=5, burst=2)
    assert [limit.allow() for _ in range(3)] == [True, True, False]
    clock.advance(0.2)
    assert limit.allow()


def test_broker_uri() -> None:
    assert parse_uri("tcp://10.0.0.2").port == 1883
    tls = parse_uri("ssl://broker.lan:8884")
    assert (tls.host, tls.port, tls.tls) == ("broker.lan", 8884, True)
    for bad, reason in (
        ("http://x", "must start"),
        ("tcp://", "no host"),
        ("tcp://h:99999", "port"),
    ):
        with pytest.raises(ValueError, match=reason):
            parse_uri(bad)


def test_values_come_from_the_cycles_snapshot_not_the_live_channels(make_edge) -> None:
    # with the cycle in its own thread the channels may already hold the next cycle's values
    runner: EdgeRunner = make_edge()
    runner.step()
    tracker = ChangeTracker(runner.edge.manager, Topics.of("", "edge0"), "VERY_LOW")
    snapshot = runner.edge.cycle.snapshots.current()
    published = snapshot.value("_sum/EssSoc")
    runner.edge.manager.channel("_sum/EssSoc").set_now(-1)  # the next cycle, half done
    messages = tracker.collect(runner.clock.monotonic(), 1, snapshot)
    soc = {m.topic: m.payload for m in messages}["edge/edge0/channel/_sum/EssSoc"]
    assert soc == published != -1
