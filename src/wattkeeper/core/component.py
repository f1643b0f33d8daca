"""The Component base class: an id, a factory id, typed channels and health state."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from typing import Any

from wattkeeper.core.channel import Channel, ChannelDoc, ChannelKey, Value
from wattkeeper.core.errors import ChannelNotFound
from wattkeeper.core.state import STATE, Level, StateDoc

log = logging.getLogger(__name__)


class Component:
    """A device, controller or virtual aggregate, addressed by its id (`ess0`, `_sum`)."""

    factory_id: str = ""
    #: Lower runs earlier in the process-image phase (the reacting grid meter runs last).
    image_order: int = 0
    #: False: the component reads its config only when it starts (e.g. a device connection),
    #: so a changed config rebuilds it instead of calling `update_config`.
    live_config: bool = True
    #: The OpenEMS nature this class adds (`SymmetricEss`, ...); see `nature_ids()`.
    nature_id: str = ""

    def __init__(self, component_id: str, alias: str = "", config: Any = None) -> None:
        self.id = component_id
        self.alias = alias or component_id
        self.config = config
        self.channels: dict[str, Channel] = {}
        self._states: dict[str, StateDoc] = {}
        self._state_reasons: dict[str, str] = {}
        self.declare(STATE)
        self.channels[STATE.name].set_now(int(Level.OK))  # State is never null: 0..3

    @classmethod
    def nature_ids(cls) -> list[str]:
        """Every OpenEMS nature this component implements, base natures first."""
        found = ["OpenemsComponent"]
        for klass in reversed(cls.__mro__):
            nature = klass.__dict__.get("nature_id", "")
            if nature and nature not in found:
                found.append(nature)
        return found

    # -- channels ---------------------------------------------------------------------------
    def declare(self, *docs: ChannelDoc) -> None:
        for doc in docs:
            self.channels[doc.name] = Channel(self.id, doc)

    def declare_all(self, docs: Iterable[ChannelDoc]) -> None:
        self.declare(*docs)

    # A channel is addressed by its declaration (the nature's handle constant, e.g. `SOC`), so
    # a misspelt channel is an undefined name that ruff and mypy find; a string id still works
    # for the paths that address channels by name from the network.
    def channel(self, key: ChannelKey) -> Channel:
        name = key if isinstance(key, str) else key.name
        try:
            return self.channels[name]
        except KeyError:
            raise ChannelNotFound(f"{self.id}/{name}") from None

    # value/set run ~150 times a cycle: a handle takes the straight path (no isinstance test);
    # a string id, which has no `.name`, takes the exception path.
    def value(self, key: ChannelKey) -> Value:
        """The process-image value of a channel of this component."""
        try:
            return self.channels[key.name].value  # type: ignore[union-attr]
        except AttributeError:
            return self.channels[key].value  # type: ignore[index]

    def set(self, key: ChannelKey, value: Value) -> None:
        """Set a channel's next value (visible with the next process image)."""
        try:
            self.channels[key.name].next = value  # type: ignore[union-attr]
        except AttributeError:
            self.channels[key].next = value  # type: ignore[index]

    # -- health -----------------------------------------------------------------------------
    def declare_state(self, *docs: StateDoc) -> None:
        for doc in docs:
            self._states[doc.name] = doc
            self.declare(doc.channel_doc())
            self.channels[doc.name].set_now(0)
        self._update_state()

    def raise_state(self, doc: StateDoc, reason: str = "") -> None:
        """Activate a condition; logs once on the transition, not every cycle."""
        if doc.name not in self._states:
            self.declare_state(doc)
        if doc.name not in self._state_reasons:
            log.warning("%s: %s%s", self.id, doc.text, f": {reason}" if reason else "")
        self._state_reasons[doc.name] = reason or doc.text
        self.channels[doc.name].set_now(1)
        self._update_state()

    def clear_state(self, doc: StateDoc) -> None:
        if doc.name in self._state_reasons:
            del self._state_reasons[doc.name]
            log.info("%s: recovered (%s)", self.id, doc.text)
            self.channels[doc.name].set_now(0)
            self._update_state()

    def has_state(self, doc: StateDoc) -> bool:
        return doc.name in self._state_reasons

    @property
    def state_level(self) -> Level:
        levels = [self._states[name].level for name in self._state_reasons]
        return max(levels, default=Level.OK)

    @property
    def state_reasons(self) -> list[str]:
        return list(self._state_reasons.values())

    def _update_state(self) -> None:
        self.channels[STATE.name].set_now(int(self.state_level))

    # -- lifecycle hooks (overridden where needed) -------------------------------------------
    def before_process_image(self, now: float) -> None:
        """Move the latest device readings into next values; `now` is monotonic seconds."""

    async def start(self) -> None:
        """Open connections; called once the component is registered."""

    async def stop(self) -> None:
        """Close connections; called when the component is removed or the edge stops."""

    def update_config(self, config: Any) -> None:
        """Take a new configuration at run time; components read `self.config` live."""
        self.config = config

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.id}>"
