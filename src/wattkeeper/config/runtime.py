"""Creating, updating and deleting components at run time, persisted across restarts."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from wattkeeper.config import property_channels
from wattkeeper.config.overrides import Overrides, OverrideStore
from wattkeeper.config.registry import BuildContext, Registry
from wattkeeper.config.site import ComponentEntry, SiteConfig
from wattkeeper.core.component import Component
from wattkeeper.core.errors import ComponentNotFound, ConfigError

log = logging.getLogger(__name__)

ChangeListener = Callable[[], None]


class Configurator:
    """The one place that turns component entries into running components."""

    def __init__(
        self, registry: Registry, ctx: BuildContext, site: SiteConfig, store: OverrideStore
    ) -> None:
        self.registry = registry
        self.ctx = ctx
        self.site = site
        self.store = store
        self.overrides: Overrides = store.load()
        self._entries: dict[str, ComponentEntry] = {}
        self.listeners: list[ChangeListener] = []

    def build_all(self) -> None:
        """Build every enabled component; a bad entry is an error naming its key."""
        for entry in self.overrides.apply(self.site):
            self._entries[entry.id] = entry
            if entry.enabled:
                self._build(entry)

    def entries(self) -> list[ComponentEntry]:
        return list(self._entries.values())

    def entry(self, component_id: str) -> ComponentEntry:
        try:
            return self._entries[component_id]
        except KeyError:
            raise ComponentNotFound(component_id) from None

    def _build(self, entry: ComponentEntry) -> Component:
        config = self.registry.validate(entry.id, entry.factory, entry.properties)
        component = self.registry.build(entry.id, entry.factory, entry.alias, config, self.ctx)
        publish_config_properties(component, entry, config)
        self.ctx.manager.add(component)
        return component

    async def create(self, entry: ComponentEntry) -> Component:
        if entry.id in self._entries or entry.id in self.ctx.manager:
            raise ConfigError(f"component id '{entry.id}' is already in use")
        self.store.state.check_writable()
        component = self._build(entry)
        try:
            await component.start()
        except Exception:
            self.ctx.manager.remove(entry.id)
            raise
        self._entries[entry.id] = entry
        if entry.id in self.overrides.deleted:
            self.overrides.deleted.remove(entry.id)
        self.overrides.created[entry.id] = entry
        self.overrides.updated.pop(entry.id, None)
        self._save()
        return component

    async def update(self, component_id: str, properties: dict[str, Any]) -> None:
        """Validate the merged properties first; nothing changes if they are invalid."""
        entry = self.entry(component_id)
        merged = {**entry.properties, **properties}
        config = self.registry.validate(component_id, entry.factory, merged)
        self.store.state.check_writable()
        component = self.ctx.manager.find(component_id)
        updated = entry.model_copy(update={"properties": merged})
        if component is not None and component.live_config:
            component.update_config(config)
            if publish_config_properties(component, updated, component.config):
                self.ctx.manager.reindex()
        elif component is not None:
            await self._rebuild(component, updated)
        self._entries[component_id] = updated
        patch = self.overrides.updated.setdefault(component_id, {})
        patch.update(properties)
        self._save()

    async def _rebuild(self, old: Component, entry: ComponentEntry) -> None:
        """Replace a component that reads its config only at start by a freshly built one."""
        self.ctx.manager.remove(old.id)
        await old.stop()
        try:
            fresh = self._build(entry)
        except Exception:
            self.ctx.manager.add(old)  # validated before, so this is unexpected: keep the old one
            await old.start()
            raise
        await fresh.start()
        log.info("%s rebuilt with its new configuration", entry.id)

    async def delete(self, component_id: str) -> None:
        self.entry(component_id)
        self.store.state.check_writable()
        component = self.ctx.manager.find(component_id)
        if component is not None:
            self.ctx.manager.remove(component_id)
            await component.stop()
        del self._entries[component_id]
        self.overrides.updated.pop(component_id, None)
        if self.overrides.created.pop(component_id, None) is None:
            self.overrides.deleted.append(component_id)
        self._save()

    def _save(self) -> None:
        self.store.save(self.overrides)
        for listener in list(self.listeners):
            listener()


def publish_config_properties(component: Component, entry: ComponentEntry, config: Any) -> bool:
    properties = property_channels.config_properties(
        entry.id, entry.alias or component.alias, entry.enabled, config
    )
    return property_channels.publish(component, properties)
