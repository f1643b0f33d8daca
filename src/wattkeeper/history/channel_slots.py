"""Several channels' values per slot in one call; a channel never recorded reads as gaps."""

from collections.abc import Sequence

from wattkeeper.history.codec import Sample
from wattkeeper.history.errors import HistoryQueryError
from wattkeeper.history.protocol import HistoryStore


def slot_values(
    store: HistoryStore,
    from_ts: float,
    to_ts: float,
    addresses: Sequence[str],
    resolution_s: float,
) -> dict[str, list[Sample]]:
    """`{address: [value | None per slot]}` for [from_ts, to_ts) at `resolution_s`.

    Blocks on SQLite: call it from a worker thread, never from the event loop or the cycle.
    An address the store never declared (a component added a minute ago, a channel that
    keeps no history) is all gaps rather than an error: the caller asks for what may exist.
    """
    slots = max(round((to_ts - from_ts) / resolution_s), 0)
    out: dict[str, list[Sample]] = {}
    for address in addresses:
        try:
            found = store.query_timeseries_data(from_ts, to_ts, [address], resolution_s)
            out[address] = list(found["data"][address])
        except HistoryQueryError:
            out[address] = [None] * slots
    return out
