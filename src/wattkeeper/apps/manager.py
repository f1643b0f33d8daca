"""Installing, updating and removing apps: licence first, then components, all or nothing."""

from __future__ import annotations

import asyncio
import logging
import uuid
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from wattkeeper.apps.catalog import CATALOG, AppSpec
from wattkeeper.apps.instances import AppInstance, InstanceStore
from wattkeeper.config.registry import property_problems
from wattkeeper.config.runtime import Configurator
from wattkeeper.core.errors import WattkeeperError
from wattkeeper.licensing import LicenceWallet, TrustedKeys

log = logging.getLogger(__name__)


class AppError(WattkeeperError):
    """An App Center request that cannot be carried out; the message says why."""

    def __init__(self, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.status = status


class AppManager:
    def __init__(
        self,
        configurator: Configurator,
        data_dir: Path,
        edge_id: str,
        trusted: TrustedKeys | None = None,
        service_url: str | None = None,
    ) -> None:
        self.configurator = configurator
        self.edge_id = edge_id
        self.service_url = service_url
        self.wallet = LicenceWallet(data_dir, trusted)
        # the same state file as the components: an app and its components change together
        self.store = InstanceStore(configurator.store.state)
        self.instances: list[AppInstance] = self.store.load()
        self._lock = asyncio.Lock()

    # -- start-up ----------------------------------------------------------------------------
    async def initialise(self) -> None:
        """First start: adopt apps whose components the site already has; install the defaults."""
        if self.store.exists():
            return
        with self.store.state.transaction():
            await self._adopt_and_install_defaults()

    async def _adopt_and_install_defaults(self) -> None:
        present = {e.id: e.factory for e in self.configurator.entries()}
        for spec in CATALOG.values():
            expected = spec.components(spec.properties())
            if all(present.get(e.id) == e.factory for e in expected):
                self._add_instance(spec, spec.properties(), spec.name, [e.id for e in expected])
        for spec in CATALOG.values():
            taken = any(cid in present for cid in spec.component_ids())
            if spec.installed_by_default and not self._installed(spec.app_id) and not taken:
                await self._create(spec, spec.properties(), spec.name)
        self.store.save(self.instances)

    # -- queries -----------------------------------------------------------------------------
    def specs(self) -> list[AppSpec]:
        return list(CATALOG.values())

    def spec(self, app_id: str) -> AppSpec:
        return self._spec(app_id)

    def instances_of(self, app_id: str) -> list[AppInstance]:
        return [i for i in self.instances if i.app_id == app_id]

    def has_licence(self, spec: AppSpec) -> bool:
        """A free app, or a licensed one with a verified licence for this edge."""
        return (not spec.licensed) or self.wallet.has_valid_licence(spec.app_id, self.edge_id)

    def included_in(self, spec: AppSpec) -> str | None:
        """The installed app that includes this one (write access includes read access)."""
        return next(
            (
                other.app_id
                for other in CATALOG.values()
                if spec.app_id in other.replaces and self._installed(other.app_id)
            ),
            None,
        )

    def instance(self, instance_id: str) -> AppInstance:
        for instance in self.instances:
            if instance.instance_id == instance_id:
                return instance
        raise AppError(f"No app instance [{instance_id}]", 404)

    # -- changes -----------------------------------------------------------------------------
    async def install(
        self,
        app_id: str,
        key: str | None = None,
        alias: str = "",
        properties: dict[str, Any] | None = None,
    ) -> AppInstance:
        async with self._lock:
            spec = self._spec(app_id)
            if self._installed(app_id):
                raise AppError(f"App [{app_id}] is already installed", 409)
            props = self._validate(spec, properties or {})
            self.store.state.check_writable()
            if spec.licensed:
                await self._ensure_licence(spec, key)
            with self.store.state.transaction():
                return await self._install(spec, props, alias)

    async def _install(self, spec: AppSpec, props: Any, alias: str) -> AppInstance:
        removed = [i for i in self.instances if i.app_id in spec.replaces]
        for instance in removed:
            await self._delete_components(instance)
            self.instances.remove(instance)
        try:
            created = await self._create(spec, props, alias or spec.name)
        except Exception:
            for instance in removed:  # put back what the failed install replaced
                await self._recreate(instance)
            raise
        created.replaced = removed
        self.store.save(self.instances)
        log.info("app %s installed", spec.app_id)
        return created

    async def update(
        self, instance_id: str, alias: str | None, properties: dict[str, Any]
    ) -> AppInstance:
        async with self._lock:
            instance = self.instance(instance_id)
            spec = self._spec(instance.app_id)
            canonical = spec.properties.canonical
            props = self._validate(
                spec, {**canonical(instance.properties), **canonical(properties)}
            )
            if [e.id for e in spec.components(props)] != instance.component_ids:
                raise AppError(
                    f"App [{spec.app_id}]: its component ids "
                    f"({', '.join(instance.component_ids)}) cannot change once installed"
                )
            self.store.state.check_writable()
            with self.store.state.transaction():
                return await self._update(instance, spec, props, alias)

    async def _update(
        self, instance: AppInstance, spec: AppSpec, props: Any, alias: str | None
    ) -> AppInstance:
        for entry in spec.components(props):
            await self.configurator.update(entry.id, entry.properties)
        instance.properties = props.model_dump(by_alias=True, mode="json")
        if alias is not None:
            instance.alias = alias
        self.store.save(self.instances)
        return instance

    async def remove(self, instance_id: str) -> None:
        async with self._lock:
            instance = self.instance(instance_id)
            spec = self._spec(instance.app_id)
            self.store.state.check_writable()
            with self.store.state.transaction():
                await self._remove(instance, spec)

    async def _remove(self, instance: AppInstance, spec: AppSpec) -> None:
        await self._delete_components(instance)
        index = self.instances.index(instance)
        self.instances.remove(instance)
        before = {i.instance_id for i in self.instances}
        try:
            await self._restore(instance, spec)
        except Exception:  # refused whole: what was restored goes, the removed app stays
            for restored in [i for i in self.instances if i.instance_id not in before]:
                await self._delete_components(restored)
                self.instances.remove(restored)
            await self._recreate_components(instance)
            self.instances.insert(index, instance)
            raise
        self.store.save(self.instances)
        log.info("app %s removed", instance.app_id)

    # -- helpers -----------------------------------------------------------------------------
    def _spec(self, app_id: str) -> AppSpec:
        spec = CATALOG.get(app_id)
        if spec is None:
            raise AppError(f"Unknown app [{app_id}] (known: {', '.join(CATALOG)})", 404)
        return spec

    def _installed(self, app_id: str) -> bool:
        return any(i.app_id == app_id for i in self.instances)

    @staticmethod
    def _validate(spec: AppSpec, properties: dict[str, Any]) -> Any:
        try:
            return spec.properties.model_validate(properties)
        except ValidationError as error:
            raise AppError(f"App [{spec.app_id}]: " + property_problems(error)) from None

    async def _ensure_licence(self, spec: AppSpec, key: str | None) -> None:
        if key:
            await asyncio.to_thread(
                self.wallet.redeem, key, spec.app_id, self.edge_id, self.service_url
            )
            return
        if not await asyncio.to_thread(self.wallet.has_valid_licence, spec.app_id, self.edge_id):
            raise AppError(
                f"App [{spec.app_id}] needs a 16-digit licence key (XXXX-XXXX-XXXX-XXXX)"
            )

    async def _create(self, spec: AppSpec, props: Any, alias: str) -> AppInstance:
        entries = spec.components(props)
        created: list[str] = []
        try:
            for entry in entries:
                await self.configurator.create(entry)
                created.append(entry.id)
        except Exception:
            for component_id in reversed(created):
                await self.configurator.delete(component_id)
            raise
        return self._add_instance(spec, props, alias, created)

    async def _restore(self, instance: AppInstance, spec: AppSpec) -> None:
        """Put back what the removed app replaced, with its own properties; else the app's
        default replacement (the REST read access every edge has)."""
        for replaced in instance.replaced:
            if not self._installed(replaced.app_id):
                await self._recreate(replaced)
        if spec.restore_on_remove and not self._installed(spec.restore_on_remove):
            restore = CATALOG[spec.restore_on_remove]
            await self._create(restore, restore.properties(), restore.name)

    async def _recreate_components(self, instance: AppInstance) -> None:
        spec = self._spec(instance.app_id)
        for entry in spec.components(self._validate(spec, instance.properties)):
            await self.configurator.create(entry)

    async def _recreate(self, instance: AppInstance) -> None:
        spec = self._spec(instance.app_id)
        await self._create(spec, self._validate(spec, instance.properties), instance.alias)

    def _add_instance(
        self, spec: AppSpec, props: Any, alias: str, component_ids: list[str]
    ) -> AppInstance:
        instance = AppInstance(
            instance_id=str(uuid.uuid4()),
            app_id=spec.app_id,
            alias=alias,
            properties=props.model_dump(by_alias=True, mode="json"),
            component_ids=component_ids,
        )
        self.instances.append(instance)
        return instance

    async def _delete_components(self, instance: AppInstance) -> None:
        present = {e.id for e in self.configurator.entries()}
        for component_id in instance.component_ids:
            if component_id in present:
                await self.configurator.delete(component_id)
