"""Factories by id: how a component is configured (a pydantic model) and built."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, ValidationError

from wattkeeper.core.channel import Value
from wattkeeper.core.clock import Clock
from wattkeeper.core.component import Component
from wattkeeper.core.errors import ConfigError
from wattkeeper.core.manager import ComponentManager
from wattkeeper.core.site_time import SiteTime
from wattkeeper.core.writes import AuditSink, WriteRequest
from wattkeeper.power.stage import Power


class ComponentConfig(BaseModel):
    """Base of every factory's properties: unknown keys are errors, OpenEMS names are aliases."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True, frozen=True)


#: `(from_ts, to_ts, addresses, resolution_s) -> {address: [value | None per slot]}` from the
#: edge's history store (power: mean, state: maximum); blocks on SQLite: a worker thread only
PastValues = Callable[[float, float, Sequence[str], float], Mapping[str, Sequence[float | None]]]


class BuildContext:
    """What a factory may use to build a component, typed; the composition root fills it in.

    Left out, the context is one for a lone component (a driver test): a power stage of its
    own, site time at the real speed, nothing to wake, no audit log and no history."""

    def __init__(
        self,
        clock: Clock,
        manager: ComponentManager,
        data_dir: Path,
        *,
        power: Power | None = None,
        site_time: SiteTime | None = None,
        wake: Callable[[], None] | None = None,
        audit: AuditSink | None = None,
        history: PastValues | None = None,
    ) -> None:
        self.clock = clock
        self.manager = manager
        self.data_dir = data_dir
        self.power = power or Power(manager)
        self.site_time = site_time or SiteTime(clock)
        self.wake: Callable[[], None] = wake or _nothing
        self.audit: AuditSink = audit or _forget
        self.history: PastValues = history or _no_history


def _nothing() -> None:
    return None


def _no_history(
    from_ts: float, to_ts: float, addresses: Sequence[str], resolution_s: float
) -> Mapping[str, Sequence[float | None]]:
    return {}


def _forget(when: float, request: WriteRequest, value: Value) -> None:
    return None


Builder = Callable[[str, str, Any, BuildContext], Component]


@dataclass(frozen=True)
class Factory:
    factory_id: str
    model: type[ComponentConfig]
    build: Builder
    title: str = ""


class Registry:
    def __init__(self, factories: Iterable[Factory] = ()) -> None:
        self._factories: dict[str, Factory] = {}
        for factory in factories:
            self.add(factory)

    def add(self, factory: Factory) -> None:
        self._factories[factory.factory_id] = factory

    def get(self, factory_id: str) -> Factory:
        try:
            return self._factories[factory_id]
        except KeyError:
            known = ", ".join(sorted(self._factories))
            raise ConfigError(f"unknown factory '{factory_id}' (known: {known})") from None

    def __iter__(self) -> Any:
        return iter(self._factories.values())

    def validate(self, component_id: str, factory_id: str, properties: Mapping[str, Any]) -> Any:
        """The typed config for these properties, or a ConfigError naming the bad key."""
        factory = self.get(factory_id)
        try:
            return factory.model.model_validate(dict(properties))
        except ValidationError as error:
            raise ConfigError(
                f"component '{component_id}' ({factory_id}): " + property_problems(error)
            ) from None

    def build(
        self, component_id: str, factory_id: str, alias: str, config: Any, ctx: BuildContext
    ) -> Component:
        component = self.get(factory_id).build(component_id, alias, config, ctx)
        component.factory_id = factory_id
        return component


def property_problems(error: ValidationError) -> str:
    """`property 'capacty': unknown property; property 'x': ...` from a pydantic error."""
    problems = []
    for item in error.errors():
        key = ".".join(str(p) for p in item["loc"]) or "(properties)"
        message = "unknown property" if item["type"] == "extra_forbidden" else item["msg"]
        problems.append(f"property '{key}': {message}")
    return "; ".join(problems)


def properties_of(config: BaseModel) -> dict[str, Any]:
    """A config as the JSON properties OpenEMS clients know (aliases such as `ess.id`)."""
    return config.model_dump(by_alias=True, mode="json")
