"""The apps this edge offers, and the components each one installs."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from pydantic import AliasChoices, BaseModel, ConfigDict, Field

from wattkeeper.config.site import ComponentEntry

REST_READ_ONLY = "App.Api.RestJson.ReadOnly"
REST_READ_WRITE = "App.Api.RestJson.ReadWrite"
SELF_CONSUMPTION = "App.Ess.SelfConsumptionOptimization"
EMERGENCY_RESERVE = "App.Ess.EmergencyCapacityReserve"
BACKEND = "App.Api.Backend"


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


_COMPONENT_ID = r"^[A-Za-z_][A-Za-z0-9_]{0,63}$"


class ReadOnlyProperties(AppProperties):
    controller_id: str = Field(
        "ctrlApiRest0",
        title="Controller id",
        pattern=_COMPONENT_ID,
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


class SelfConsumptionProperties(AppProperties):
    ess_id: str = Field(
        "ess0",
        title="Battery",
        pattern=_COMPONENT_ID,
        validation_alias=AliasChoices("ESS_ID", "ess.id"),
        serialization_alias="ESS_ID",
    )
    meter_id: str = Field(
        "meter0",
        title="Grid meter",
        pattern=_COMPONENT_ID,
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
        pattern=_COMPONENT_ID,
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


class BackendProperties(AppProperties):
    apikey: str = Field(
        "",
        title="API key",
        max_length=200,
        description="The key the backend knows this edge by",
        validation_alias=AliasChoices("API_KEY", "apikey"),
        serialization_alias="API_KEY",
    )
    uri: str = Field(
        "ws://127.0.0.1:8081/edge",
        title="Backend URL",
        max_length=2000,
        description="ws:// or wss://; several separated by commas are tried in turn",
        validation_alias=AliasChoices("URI", "uri"),
        serialization_alias="URI",
    )


@dataclass(frozen=True)
class AppSpec:
    app_id: str
    name: str
    description: str
    licensed: bool
    properties: type[AppProperties]
    components: Callable[[Any], list[ComponentEntry]]
    replaces: tuple[str, ...] = ()
    restore_on_remove: str | None = None
    installed_by_default: bool = False
    categories: tuple[str, ...] = field(default=())

    def component_ids(self) -> list[str]:
        return [entry.id for entry in self.components(self.properties())]


def _rest(props: Any, factory: str, alias: str, **properties: Any) -> list[ComponentEntry]:
    return [
        ComponentEntry(id=props.controller_id, factory=factory, alias=alias, properties=properties)
    ]


CATALOG: dict[str, AppSpec] = {
    spec.app_id: spec
    for spec in (
        AppSpec(
            REST_READ_ONLY,
            "REST/JSON read access",
            "Read every channel over the local REST/JSON API (/rest/channel/...).",
            licensed=False,
            properties=ReadOnlyProperties,
            components=lambda p: _rest(
                p, "Controller.Api.Rest.ReadOnly", "REST/JSON API (read only)"
            ),
            installed_by_default=True,
            categories=("API",),
        ),
        AppSpec(
            REST_READ_WRITE,
            "REST/JSON write access",
            "Read channels and command the battery (POST /rest/channel/ess0/SetActivePowerEquals). "
            "A setpoint is held until the API timeout runs out. Needs a licence key.",
            licensed=True,
            properties=ReadWriteProperties,
            components=lambda p: _rest(
                p, "Controller.Api.Rest.ReadWrite", "REST/JSON API", apiTimeout=p.api_timeout
            ),
            replaces=(REST_READ_ONLY,),
            restore_on_remove=REST_READ_ONLY,
            categories=("API",),
        ),
        AppSpec(
            SELF_CONSUMPTION,
            "Self-consumption optimisation",
            "Charge the battery with surplus PV and discharge it to cover the household, "
            "keeping the grid at a target.",
            licensed=False,
            properties=SelfConsumptionProperties,
            components=lambda p: [
                ComponentEntry(
                    id="ctrlBalancing0",
                    factory="Controller.Symmetric.Balancing",
                    alias="Self-consumption optimisation",
                    properties={
                        "ess.id": p.ess_id,
                        "meter.id": p.meter_id,
                        "targetGridSetpoint": p.target_grid_setpoint,
                    },
                )
            ],
            categories=("Optimisation",),
        ),
        AppSpec(
            EMERGENCY_RESERVE,
            "Emergency capacity reserve",
            "Never discharge the battery below a reserve state of charge.",
            licensed=False,
            properties=ReserveProperties,
            components=lambda p: [
                ComponentEntry(
                    id="ctrlEmergencyCapacityReserve0",
                    factory="Controller.Ess.EmergencyCapacityReserve",
                    alias="Emergency reserve",
                    properties={"ess.id": p.ess_id, "reserveSoc": p.reserve_soc},
                )
            ],
            categories=("Safety",),
        ),
        AppSpec(
            BACKEND,
            "Online monitoring (backend)",
            "Report to a fleet backend and let its users reach this edge; data waits on disk "
            "while the backend cannot be reached.",
            licensed=False,
            properties=BackendProperties,
            components=lambda p: [
                ComponentEntry(
                    id="ctrlBackend0",
                    factory="Controller.Api.Backend",
                    alias="Online monitoring",
                    properties={"apikey": p.apikey, "uri": p.uri},
                )
            ],
            categories=("API",),
        ),
    )
}
