"""The apps this edge offers, and the components each one installs."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from wattkeeper.config.site import ComponentEntry

REST_READ_ONLY = "App.Api.RestJson.ReadOnly"
REST_READ_WRITE = "App.Api.RestJson.ReadWrite"
SELF_CONSUMPTION = "App.Ess.SelfConsumptionOptimization"
EMERGENCY_RESERVE = "App.Ess.EmergencyCapacityReserve"


class AppProperties(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True, frozen=True)


class NoProperties(AppProperties):
    pass


class ReadWriteProperties(AppProperties):
    api_timeout: int = Field(
        60, alias="apiTimeout", ge=0, le=86_400, description="Seconds; 0: never"
    )


class SelfConsumptionProperties(AppProperties):
    ess_id: str = Field("ess0", alias="ess.id")
    meter_id: str = Field("meter0", alias="meter.id")
    target_grid_setpoint: int = Field(0, alias="targetGridSetpoint")


class ReserveProperties(AppProperties):
    ess_id: str = Field("ess0", alias="ess.id")
    reserve_soc: int = Field(20, alias="reserveSoc", ge=0, le=100)


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


def _dump(props: AppProperties) -> dict[str, Any]:
    return props.model_dump(by_alias=True, mode="json")


CATALOG: dict[str, AppSpec] = {
    spec.app_id: spec
    for spec in (
        AppSpec(
            REST_READ_ONLY,
            "REST/JSON read access",
            "Read every channel over the local REST/JSON API (/rest/channel/...).",
            licensed=False,
            properties=NoProperties,
            components=lambda p: [
                ComponentEntry(
                    id="ctrlApiRest0",
                    factory="Controller.Api.Rest.ReadOnly",
                    alias="REST/JSON API (read only)",
                )
            ],
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
            components=lambda p: [
                ComponentEntry(
                    id="ctrlApiRest0",
                    factory="Controller.Api.Rest.ReadWrite",
                    alias="REST/JSON API",
                    properties=_dump(p),
                )
            ],
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
                    properties=_dump(p),
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
                    properties=_dump(p),
                )
            ],
            categories=("Safety",),
        ),
    )
}
