"""The component manager: finds components and channels by id (patterns: api/patterns.py)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TypeVar

from wattkeeper.core.channel import GENERATION, Channel
from wattkeeper.core.component import Component
from wattkeeper.core.errors import ChannelNotFound, ComponentNotFound, WattkeeperError

T = TypeVar("T", bound=Component)


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
        # list() first: one atomic copy, so a component added meanwhile (by another thread
        # than the cycle's, edge/cycle_thread.py) cannot break the iteration
        return [c for c in list(self._components.values()) if isinstance(c, kind)]

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

    # -- the process image --------------------------------------------------------------------
    def freeze_process_image(self, now: float) -> None:
        for component in self._image_order:
            component.before_process_image(now)
        for channel in self._channels:
            channel.value = channel.next
        GENERATION.value += 1
