"""Keeps recorded energy counters continuous and free of energy that no device produced."""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from wattkeeper.config.overrides import write_atomically
from wattkeeper.config.site import ComponentEntry
from wattkeeper.history import HistoryStore

log = logging.getLogger(__name__)

# Far above any home or small commercial site (a 63 A house connection is 43 kW): a counter that
# rises faster than this was replaced, re-based or misread; it did not measure energy.
MAX_PLAUSIBLE_POWER_W = 1_000_000.0
STATE_FILE = "counters.json"


def device_fingerprint(components: Iterable[ComponentEntry]) -> str:
    """What identifies the site's devices (controllers excluded): another site, another value."""
    devices = sorted(
        (c.id, c.factory, json.dumps(c.properties, sort_keys=True, default=str))
        for c in components
        if not c.factory.startswith("Controller.")
    )
    return hashlib.sha256(json.dumps(devices).encode()).hexdigest()[:16]


@dataclass
class _Track:
    offset: float
    raw: float
    ts: float
    logged: bool = False


class CounterContinuity:
    """Energy per period is a counter difference, so every way a counter can move that is not
    energy must be kept out of the recorded value: a restart at 0, a wrap, a replaced device,
    another site on the same data directory, a jump faster than any device's power. Each of
    these re-bases the counter (the recorded value continues where it was); only increases that
    a device's power could explain are recorded as energy."""

    def __init__(
        self,
        store: HistoryStore,
        fingerprint: str | None = None,
        data_dir: Path | None = None,
        max_power_w: float = MAX_PLAUSIBLE_POWER_W,
    ) -> None:
        self.store = store
        self.max_power_w = max_power_w
        self._tracks: dict[str, _Track] = {}
        # Counters recorded by other devices say nothing about ours: never continue from them.
        self.other_devices = _remember_fingerprint(data_dir, fingerprint)

    def adjust(self, address: str, value: float, ts: float) -> float:
        track = self._tracks.get(address)
        if track is None:
            track = self._tracks[address] = self._first(address, value, ts)
        elif not self._plausible(value - track.raw, ts - track.ts):
            recorded = track.raw + track.offset
            track.offset = recorded - value
            level = logging.DEBUG if track.logged else logging.INFO
            log.log(
                level,
                "%s moved from %s to %s in %.0f s, which no device's power explains: "
                "recorded as continuing at %s (further moves of this counter are logged at DEBUG)",
                address,
                track.raw,
                value,
                ts - track.ts,
                recorded,
            )
            track.logged = True
        track.raw, track.ts = value, ts
        return value + track.offset

    def _first(self, address: str, value: float, ts: float) -> _Track:
        """The first value of this run: continue from the store unless it is plausibly later."""
        stored = self.store.last_counter(address, ts)
        if stored is None:
            return _Track(0.0, value, ts)
        stored_value, stored_ts = stored
        if not self.other_devices and self._plausible(value - stored_value, ts - stored_ts):
            return _Track(0.0, value, ts)  # counted on while the edge was away: real energy
        if value != stored_value:
            log.info(
                "%s starts at %s: recorded as continuing from %s", address, value, stored_value
            )
        return _Track(stored_value - value, value, ts)

    def _plausible(self, delta_wh: float, seconds: float) -> bool:
        return 0.0 <= delta_wh <= self.max_power_w * max(seconds, 1.0) / 3600.0


def _remember_fingerprint(data_dir: Path | None, fingerprint: str | None) -> bool:
    """Store this site's device fingerprint; True when the data directory knew other devices."""
    if data_dir is None or fingerprint is None:
        return False
    path = data_dir / STATE_FILE
    try:
        known = json.loads(path.read_text(encoding="utf-8")).get("devices")
    except (OSError, ValueError, AttributeError):
        known = None
    if known == fingerprint:
        return False
    try:
        write_atomically(path, json.dumps({"devices": fingerprint}))
    except OSError as error:
        log.warning("cannot write %s (%s): counters re-based again at the next start", path, error)
    # A data directory without the file (older edges, or a fresh one) has only ever seen one
    # site as far as we can know: treat it as ours.
    return known is not None
