"""The apps this edge offers, and the components each one installs."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from wattkeeper.apps.integrations import (
    BackendProperties,
    MqttProperties,
    TimeOfUseProperties,
    mqtt_components,
    time_of_use_components,
)
from wattkeeper.apps.properties import (
    AppProperties,
    ModbusReadOnlyProperties,
    ModbusReadWriteProperties,
    ReadOnlyProperties,
    ReadWriteProperties,
    ReserveProperties,
    SelfConsumptionProperties,
)
from wattkeeper.config.site import ComponentEntry

REST_READ_ONLY = "App.Api.RestJson.ReadOnly"
REST_READ_WRITE = "App.Api.RestJson.ReadWrite"
MODBUS_READ_ONLY = "App.Api.ModbusTcp.ReadOnly"
MODBUS_READ_WRITE = "App.Api.ModbusTcp.ReadWrite"
SELF_CONSUMPTION = "App.Ess.SelfConsumptionOptimization"
EMERGENCY_RESERVE = "App.Ess.EmergencyCapacityReserve"
MQTT = "App.Api.Mqtt"
TIME_OF_USE = "App.TimeOfUseTariff.Optimiser"
BACKEND = "App.Api.Backend"


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


def _modbus(props: Any, factory: str, alias: str, **properties: Any) -> list[ComponentEntry]:
    common = {
        "port": props.port,
        "component.ids": list(props.component_ids),
        "maxConcurrentConnections": props.max_concurrent_connections,
        "allowedClients": list(props.allowed_clients),
    }
    entry = ComponentEntry(
        id=props.controller_id, factory=factory, alias=alias, properties={**common, **properties}
    )
    return [entry]


_NO_LOGIN = (
    " Modbus has no login: anyone who reaches the port can use it, so limit it to the "
    "addresses of your clients (allowed client addresses) or to a trusted network."
)


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
            MODBUS_READ_ONLY,
            "Modbus/TCP read access",
            "Read the battery, grid and PV values over Modbus/TCP (port 502) in OpenEMS's "
            "register layout, e.g. for evcc's openems-modbus template." + _NO_LOGIN,
            licensed=False,
            properties=ModbusReadOnlyProperties,
            components=lambda p: _modbus(
                p, "Controller.Api.ModbusTcp.ReadOnly", "Modbus/TCP API (read only)"
            ),
            categories=("API",),
        ),
        AppSpec(
            MODBUS_READ_WRITE,
            "Modbus/TCP write access",
            "Read over Modbus/TCP and command the battery by writing ess0/SetActivePowerEquals "
            "(register 706, float32). A setpoint is held until the API timeout runs out. "
            "Needs a licence key." + _NO_LOGIN,
            licensed=True,
            properties=ModbusReadWriteProperties,
            components=lambda p: _modbus(
                p,
                "Controller.Api.ModbusTcp.ReadWrite",
                "Modbus/TCP API",
                apiTimeout=p.api_timeout,
            ),
            replaces=(MODBUS_READ_ONLY,),
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
            MQTT,
            "MQTT API",
            "Publish every channel to an MQTT broker (OpenEMS's edge/<id>/channel/... topics), "
            "announce the system to Home Assistant, and take setpoints on …/set topics through "
            "the same write access and timeout as REST.",
            licensed=False,
            properties=MqttProperties,
            components=mqtt_components,
            categories=("API",),
        ),
        AppSpec(
            TIME_OF_USE,
            "Time-of-use tariff",
            "Plan the battery against electricity prices (a fixed night rate, or aWATTar, "
            "ENTSO-E or Tibber day-ahead prices) and the forecasts, exactly, every quarter hour.",
            licensed=False,
            properties=TimeOfUseProperties,
            components=time_of_use_components,
            categories=("Optimisation",),
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
