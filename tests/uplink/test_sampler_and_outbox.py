"""What the uplink sends when (changed values, everything every 300 s, delayed 5-minute
aggregates) and how its disk buffer stays bounded; no sockets, no servers."""

from __future__ import annotations

import json
from pathlib import Path

from wattkeeper.uplink.outbox import AGGREGATED, RAW, Outbox
from wattkeeper.uplink.sampler import MAX_DELAY_S, Sampler

T0 = 1_782_036_000  # a 5-minute boundary


def test_changed_values_each_cycle_and_everything_every_300_s() -> None:
    sampler = Sampler(lambda: 0.0)
    sampler.sample(T0, {"ess0/Soc": 50, "ess0/ActivePower": 100, "meter0/State": "ok"})
    sampler.sample(T0 + 1, {"ess0/Soc": 50, "ess0/ActivePower": 120, "meter0/State": "ok"})
    sampler.sample(T0 + 2, {"ess0/Soc": 50, "ess0/ActivePower": 120, "meter0/State": "ok"})
    sampler.sample(T0 + 300, {"ess0/Soc": 50, "ess0/ActivePower": 120, "meter0/State": "ok"})
    raw = [params for method, params in sampler.take() if method == "timestampedData"]
    assert raw == [
        {str(T0 * 1000): {"ess0/Soc": 50, "ess0/ActivePower": 100, "meter0/State": "ok"}},
        {str((T0 + 1) * 1000): {"ess0/ActivePower": 120}},
        # nothing changed at T0+2: nothing sent
        {str((T0 + 300) * 1000): {"ess0/Soc": 50, "ess0/ActivePower": 120, "meter0/State": "ok"}},
    ]


def test_aggregates_wait_for_the_edges_random_delay() -> None:
    sampler = Sampler(lambda: 0.5, is_counter=lambda a: a.endswith("Energy"))
    assert sampler.delay_s == 0.5 * MAX_DELAY_S == 135
    for second in range(300):
        sampler.sample(T0 + second, {"ess0/ActivePower": second, "ess0/Energy": 1000 + second})
    sampler.take()
    sampler.sample(T0 + 300 + 134, {"ess0/ActivePower": 0, "ess0/Energy": 2000})
    assert [m for m, _ in sampler.take() if m == "aggregatedData"] == []
    sampler.sample(T0 + 300 + 135, {"ess0/ActivePower": 0, "ess0/Energy": 2000})
    aggregated = [p for m, p in sampler.take() if m == "aggregatedData"]
    # power averaged over the window; a counter's highest value in it
    assert aggregated == [{str(T0 * 1000): {"ess0/ActivePower": 149.5, "ess0/Energy": 1299}}]


def test_the_outbox_is_bounded_and_keeps_aggregates_longest(tmp_path: Path) -> None:
    outbox = Outbox(tmp_path / "out.sqlite", max_rows=10)
    outbox.add([(AGGREGATED, json.dumps({"a": i})) for i in range(4)])
    outbox.add([(RAW, json.dumps({"r": i})) for i in range(10)])
    assert len(outbox) == 10
    assert outbox.kinds() == {AGGREGATED: 4, RAW: 6}  # the four oldest raw rows went
    assert next(json.loads(p) for _, k, p in outbox.after(0, 100) if k == RAW) == {"r": 4}
    outbox.add([(AGGREGATED, "{}")] * 9)
    assert outbox.kinds() == {AGGREGATED: 10}  # raw first, then the oldest aggregates
    assert outbox.dropped == 4 + 6 + 3
    outbox.close()
    again = Outbox(tmp_path / "out.sqlite", max_rows=10)
    assert len(again) == 10  # on disk: survives a restart
    again.remove([row[0] for row in again.after(0, 3)])
    assert len(again) == 7


def test_an_emptied_outbox_never_reuses_an_id(tmp_path: Path) -> None:
    """The uplink sends rows after the last id it sent: a reused id would never be sent."""
    outbox = Outbox(tmp_path / "out.sqlite")
    outbox.add([(RAW, "{}")])
    first = outbox.last_id()
    outbox.remove([first])
    outbox.add([(RAW, "{}")])
    assert [row[0] for row in outbox.after(first)] == [first + 1]
