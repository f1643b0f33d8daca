"""The per-cycle snapshot: immutable, published once per cycle, JSON encoded once per value."""

from __future__ import annotations

from wattkeeper.core.channel import Channel, ChannelDoc, ChannelType
from wattkeeper.core.component import Component
from wattkeeper.core.manager import ComponentManager
from wattkeeper.core.snapshot import SnapshotPublisher, rest_value, value_json

POWER = ChannelDoc("Power", ChannelType.INTEGER, "W")
RATIO = ChannelDoc("Ratio", ChannelType.DOUBLE)


def manager_with(*ids: str) -> ComponentManager:
    manager = ComponentManager()
    for cid in ids:
        component = Component(cid)
        component.declare(POWER, RATIO)
        manager.add(component)
    return manager


def test_a_published_snapshot_never_changes_afterwards() -> None:
    manager = manager_with("a0")
    publisher = SnapshotPublisher(manager)
    manager.channel("a0/Power").set_now(1)
    first = publisher.publish(1, 10.0)
    manager.channel("a0/Power").set_now(2)
    assert first.value("a0/Power") == 1  # the cycle's value, not the one set since
    assert publisher.current() is first  # no newer cycle finished
    second = publisher.publish(2, 11.0)
    assert publisher.current() is second and second.value("a0/Power") == 2
    assert first.value("a0/Power") == 1 and first.rest_json(first.position("a0/Power") or 0)


def test_components_are_contiguous_slot_ranges() -> None:
    manager = manager_with("a0", "b0")
    snapshot = SnapshotPublisher(manager).current()
    for cid in ("a0", "b0"):
        start, stop = snapshot.index.components[cid]
        assert {a.partition("/")[0] for a in snapshot.index.addresses[start:stop]} == {cid}
        assert stop - start == len(manager.get(cid).channels)


def test_new_channels_are_seen_without_waiting_for_a_cycle() -> None:
    manager = manager_with("a0")
    publisher = SnapshotPublisher(manager)
    before = publisher.publish(5, 1.0)
    extra = Component("b0")
    extra.declare(POWER)
    manager.add(extra)
    after = publisher.current()
    assert after is not before and after.cycle == 5 and after.position("b0/Power") is not None


def test_json_is_encoded_once_per_value_and_again_when_it_changes() -> None:
    manager = manager_with("a0")
    publisher = SnapshotPublisher(manager)
    channel = manager.channel("a0/Power")
    channel.set_now(1500)
    one = publisher.publish(1, 0.0)
    slot = one.position("a0/Power")
    assert slot is not None
    text = one.rest_json(slot)
    assert text.endswith('"value":1500}')
    two = publisher.publish(2, 0.0)
    assert two.rest_json(slot) is text  # same value: the same text, not encoded again
    channel.set_now(1500.0)  # equal, but a float: encoded on its own (rounded for INTEGER)
    three = publisher.publish(3, 0.0)
    assert three.rest_json(slot) == text and three.value_json(slot) == "1500"
    assert one.rest_json(slot) == text  # an older snapshot still answers its own value


def test_encodings_match_openems() -> None:
    assert [rest_value(v, True) for v in (5, True, 57.4, None, float("nan"))] == [
        "5", "1", "57", "null", "null",
    ]  # fmt: skip
    assert rest_value(0.5, False) == "0.5" and rest_value("x", False) == '"x"'
    assert value_json(True, True) == "true" and value_json(57.6, True) == "58"


def test_the_cycle_publishes_before_its_listeners_run(make_edge) -> None:  # type: ignore[no-untyped-def]
    runner = make_edge()
    seen: list[tuple[int, object]] = []
    cycle = runner.edge.cycle
    cycle.events.subscribe(lambda e: seen.append((e.number, cycle.snapshots.current())))
    runner.step(2)
    for number, snapshot in seen:
        assert snapshot.cycle == number  # type: ignore[attr-defined]
        # the count is set for the next process image, as every device reading is
        assert snapshot.value("_cycle/CycleCount") in (None, number - 1)  # type: ignore[attr-defined]


def test_private_flag_is_indexed() -> None:
    manager = ComponentManager()
    component = Component("a0")
    component.declare(ChannelDoc("Secret", ChannelType.STRING, private=True))
    manager.add(component)
    snapshot = SnapshotPublisher(manager).current()
    slot = snapshot.position("a0/Secret")
    assert slot is not None and snapshot.index.private[slot]
    assert not snapshot.index.private[snapshot.position("a0/State") or 0]
    assert isinstance(manager.channel("a0/Secret"), Channel)
