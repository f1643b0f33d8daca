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


COMPONENT_ID = r"^[A-Za-z_][A-Za-z0-9_]{0,63}$"


class ReadOnlyProperties(AppProperties):
    controller_id: str = Field(
        "ctrlApiRest0",
        title="Controller id",
        pattern=COMPONENT_ID,
        description="Id of the REST/JSON controller",
        validation_alias=AliasChoices("CONTROLLER_ID"),
        serialization_alias="CONTROLLER_ID",
    )


class ReadWriteProperties(ReadOnlyProperties):
    api_timeout: int = Field(
        60,
        title="API timeout",
        ge=0,
        le=86_400,
        description="Seconds; 0: never",
        validation_alias=AliasChoices("API_TIMEOUT", "apiTimeout"),
        serialization_alias="API_TIMEOUT",
    )


def _component_ids(default: list[str]) -> Any:
    return Field(
        default,
        title="Components",
        min_length=1,
        max_length=32,
        description="Components served, in this order: each is a register block from 200 on",
        validation_alias=AliasChoices("COMPONENT_IDS", "component.ids"),
        serialization_alias="COMPONENT_IDS",
    )


def _as_list(value: Any) -> Any:
    """A form's text field sends "a, b": the same as ["a", "b"]."""
    if isinstance(value, str):
        return [part.strip() for part in value.split(",") if part.strip()]
    return value


class ModbusProperties(AppProperties):
    controller_id: str = Field(
        "ctrlApiModbusTcp0",
        title="Controller id",
        pattern=COMPONENT_ID,
        description="Id of the Modbus/TCP controller",
        validation_alias=AliasChoices("CONTROLLER_ID"),
        serialization_alias="CONTROLLER_ID",
    )
    port: int = Field(
        502,
        title="Port",
        ge=0,
        le=65_535,
        description="TCP port (502 is Modbus's; below 1024 needs root or cap_net_bind_service; "
        "0: any free port)",
        validation_alias=AliasChoices("PORT", "port"),
        serialization_alias="PORT",
    )
    max_concurrent_connections: int = Field(
        5,
        title="Connection limit",
        ge=1,
        le=64,
        description="Clients connected at once; one more is refused",
        validation_alias=AliasChoices("MAX_CONCURRENT_CONNECTIONS", "maxConcurrentConnections"),
        serialization_alias="MAX_CONCURRENT_CONNECTIONS",
    )
    allowed_clients: list[str] = Field(
        [],
        title="Allowed client addresses",
        max_length=64,
        description="IP addresses or networks (192.168.0.0/24), comma-separated; empty: any",
        validation_alias=AliasChoices("ALLOWED_CLIENTS", "allowedClients"),
        serialization_alias="ALLOWED_CLIENTS",
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
    ess_id: str = Field(
        "ess0",
        title="Battery",
        pattern=COMPONENT_ID,
        validation_alias=AliasChoices("ESS_ID", "ess.id"),
        serialization_alias="ESS_ID",
    )
    meter_id: str = Field(
        "meter0",
        title="Grid meter",
        pattern=COMPONENT_ID,
        validation_alias=AliasChoices("METER_ID", "meter.id"),
        serialization_alias="METER_ID",
    )
    target_grid_setpoint: int = Field(
        0,
        title="Target grid power",
        description="Watts",
        validation_alias=AliasChoices("TARGET_GRID_SETPOINT", "targetGridSetpoint"),
        serialization_alias="TARGET_GRID_SETPOINT",
    )


class ReserveProperties(AppProperties):
    ess_id: str = Field(
        "ess0",
        title="Battery",
        pattern=COMPONENT_ID,
        validation_alias=AliasChoices("ESS_ID", "ess.id"),
        serialization_alias="ESS_ID",
    )
    reserve_soc: int = Field(
        20,
        title="Reserve state of charge",
        ge=0,
        le=100,
        description="Percent",
        validation_alias=AliasChoices("RESERVE_SOC", "reserveSoc"),
        serialization_alias="RESERVE_SOC",
    )


class ModbusReadOnlyProperties(ModbusProperties):
    component_ids: list[str] = _component_ids(["_sum"])


class ModbusReadWriteProperties(ModbusProperties):
    component_ids: list[str] = _component_ids(["_sum", "ess0"])
    api_timeout: int = Field(
        60,
        title="API timeout",
        ge=0,
        le=86_400,
        description="Seconds a written setpoint is held; 0: never",
        validation_alias=AliasChoices("API_TIMEOUT", "apiTimeout"),
        serialization_alias="API_TIMEOUT",
    )
