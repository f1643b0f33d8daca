"""The component manager: finds components and channels by id or by regular expression."""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import lru_cache
from typing import TypeVar

from wattkeeper.core.channel import GENERATION, Channel
from wattkeeper.core.component import Component
from wattkeeper.core.errors import ChannelNotFound, ComponentNotFound, WattkeeperError

T = TypeVar("T", bound=Component)

_PLAIN_ID = re.compile(r"[A-Za-z0-9_]+")


class InvalidPattern(WattkeeperError):
    """A channel address pattern is not a valid regular expression."""


@lru_cache(maxsize=256)
def _compile(pattern: str) -> re.Pattern[str]:
    try:
        return re.compile(pattern)
    except re.error as error:
        raise InvalidPattern(f"Invalid regular expression [{pattern}]: {error}") from None


class ComponentManager:
    """Holds every active component in registration order."""

    def __init__(self) -> None:
        self._components: dict[str, Component] = {}
        self._image_order: list[Component] = []
        self._channels: list[Channel] = []

    def add(self, component: Component) -> None:
        if component.id in self._components:
            raise WattkeeperError(f"Component [{component.id}] exists already")
        self._components[component.id] = component
        self._reindex()

    def remove(self, component_id: str) -> Component:
        component = self.get(component_id)
        del self._components[component_id]
        self._reindex()
        return component

    def reindex(self) -> None:
        """Call after a component declared channels after registration."""
        self._reindex()

    def _reindex(self) -> None:
        self._image_order = sorted(self._components.values(), key=lambda c: c.image_order)
        self._channels = [ch for c in self._components.values() for ch in c.channels.values()]

    def get(self, component_id: str) -> Component:
        try:
            return self._components[component_id]
        except KeyError:
            raise ComponentNotFound(component_id) from None

    def find(self, component_id: str) -> Component | None:
        return self._components.get(component_id)

    def get_as(self, component_id: str, kind: type[T]) -> T:
        component = self.get(component_id)
        if not isinstance(component, kind):
            raise ComponentNotFound(component_id)
        return component

    def of_type(self, kind: type[T]) -> list[T]:
        return [c for c in self._components.values() if isinstance(c, kind)]

    def __iter__(self) -> Iterator[Component]:
        return iter(list(self._components.values()))

    def __contains__(self, component_id: object) -> bool:
        return component_id in self._components

    def channel(self, address: str) -> Channel:
        component_id, _, name = address.partition("/")
        component = self._components.get(component_id)
        if component is None or name not in component.channels:
            raise ChannelNotFound(address)
        return component.channels[name]

    def all_channels(self) -> list[Channel]:
        return self._channels

    def match(self, component_pattern: str, channel_pattern: str) -> list[Channel]:
        """Channels whose component id and channel id fully match the two patterns."""
        if _PLAIN_ID.fullmatch(component_pattern):
            component = self._components.get(component_pattern)
            components = [] if component is None else [component]
        else:
            comp_re = _compile(component_pattern)
            components = [c for c in self._components.values() if comp_re.fullmatch(c.id)]
        if _PLAIN_ID.fullmatch(channel_pattern):
            return [
                c.channels[channel_pattern] for c in components if channel_pattern in c.channels
            ]
        chan_re = _compile(channel_pattern)
        if channel_pattern == ".*":
            return [ch for c in components for ch in c.channels.values()]
        return [ch for c in components for ch in c.channels.values() if chan_re.fullmatch(ch.name)]

    # -- the process image --------------------------------------------------------------------
    def freeze_process_image(self, now: float) -> None:
        for component in self._image_order:
            component.before_process_image(now)
        for channel in self._channels:
            channel.value = channel.next
        GENERATION.value += 1
