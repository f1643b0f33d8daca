"""The App Center's property forms: the base, the REST, Modbus and energy apps' properties."""

from __future__ import annotations

from typing import Any

from pydantic import AliasChoices, BaseModel, ConfigDict, Field, field_validator

from wattkeeper.config.addresses import check_networks


class AppProperties(BaseModel):
    """An app's properties under OpenEMS's names (`API_TIMEOUT`); our older names still work."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True, frozen=True)

    @classmethod
    def canonical(cls, properties: dict[str, Any]) -> dict[str, Any]:
        """The same properties under their OpenEMS names, so that a merge cannot keep both."""
        names: dict[str, str] = {}
        for name, info in cls.model_fields.items():
            canonical = info.serialization_alias or name
            choices = info.validation_alias
            others = choices.choices if isinstance(choices, AliasChoices) else []
            for other in (name, *others):
                if isinstance(other, str):
                    names[other] = canonical
        return {names.get(key, key): value for key, value in properties.items()}


def app_field(default: Any, name: str, *aliases: str, title: str, **constraints: Any) -> Any:
    """An app property: shown and stored as `name` (OpenEMS's upper-case property names),
    accepted under `aliases` too (the component's own property names)."""
    return Field(
        default,
        title=title,
        validation_alias=AliasChoices(name, *aliases),
        serialization_alias=name,
        **constraints,
    )


COMPONENT_ID = r"^[A-Za-z_][A-Za-z0-9_]{0,63}$"


def _api_timeout(description: str) -> Any:
    """The write apps' timeout after which self-consumption takes over again (seed: 60 s)."""
    return app_field(
        60,
        "API_TIMEOUT",
        "apiTimeout",
        title="API timeout",
        ge=0,
        le=86_400,
        description=description,
    )


class ReadOnlyProperties(AppProperties):
    controller_id: str = app_field(
        "ctrlApiRest0",
        "CONTROLLER_ID",
        title="Controller id",
        pattern=COMPONENT_ID,
        description="Id of the REST/JSON controller",
    )


class ReadWriteProperties(ReadOnlyProperties):
    api_timeout: int = _api_timeout("Seconds; 0: never")


def _component_ids(default: list[str]) -> Any:
    return app_field(
        default,
        "COMPONENT_IDS",
        "component.ids",
        title="Components",
        min_length=1,
        max_length=32,
        description="Components served, in this order: each is a register block from 200 on",
    )


def _as_list(value: Any) -> Any:
    """A form's text field sends "a, b": the same as ["a", "b"]."""
    if isinstance(value, str):
        return [part.strip() for part in value.split(",") if part.strip()]
    return value


class ModbusProperties(AppProperties):
    controller_id: str = app_field(
        "ctrlApiModbusTcp0",
        "CONTROLLER_ID",
        title="Controller id",
        pattern=COMPONENT_ID,
        description="Id of the Modbus/TCP controller",
    )
    port: int = app_field(
        502,
        "PORT",
        "port",
        title="Port",
        ge=0,
        le=65_535,
        description="TCP port (502 is Modbus's; below 1024 needs root or cap_net_bind_service; "
        "0: any free port)",
    )
    max_concurrent_connections: int = app_field(
        5,
        "MAX_CONCURRENT_CONNECTIONS",
        "maxConcurrentConnections",
        title="Connection limit",
        ge=1,
        le=64,
        description="Clients connected at once; one more is refused",
    )
    allowed_clients: list[str] = app_field(
        [],
        "ALLOWED_CLIENTS",
        "allowedClients",
        title="Allowed client addresses",
        max_length=64,
        description="IP addresses or networks (192.168.0.0/24), comma-separated; empty: any",
    )

    @field_validator("allowed_clients", "component_ids", mode="before", check_fields=False)
    @classmethod
    def _lists(cls, value: Any) -> Any:
        return _as_list(value)

    @field_validator("allowed_clients")
    @classmethod
    def _networks(cls, value: list[str]) -> list[str]:
        return check_networks(value)


class SelfConsumptionProperties(AppProperties):
    ess_id: str = app_field(
        "ess0",
        "ESS_ID",
        "ess.id",
        title="Battery",
        pattern=COMPONENT_ID,
    )
    meter_id: str = app_field(
        "meter0",
        "METER_ID",
        "meter.id",
        title="Grid meter",
        pattern=COMPONENT_ID,
    )
    target_grid_setpoint: int = app_field(
        0,
        "TARGET_GRID_SETPOINT",
        "targetGridSetpoint",
        title="Target grid power",
        description="Watts",
    )


class ReserveProperties(AppProperties):
    ess_id: str = app_field(
        "ess0",
        "ESS_ID",
        "ess.id",
        title="Battery",
        pattern=COMPONENT_ID,
    )
    reserve_soc: int = app_field(
        20,
        "RESERVE_SOC",
        "reserveSoc",
        title="Reserve state of charge",
        ge=0,
        le=100,
        description="Percent",
    )


class ModbusReadOnlyProperties(ModbusProperties):
    component_ids: list[str] = _component_ids(["_sum"])


class ModbusReadWriteProperties(ModbusProperties):
    component_ids: list[str] = _component_ids(["_sum", "ess0"])
    api_timeout: int = _api_timeout("Seconds a written setpoint is held; 0: never")
