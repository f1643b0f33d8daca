"""Every factory this edge can build, by id (the registry's single source)."""

from __future__ import annotations

from wattkeeper.api import backend_uplink
from wattkeeper.config.registry import Factory, Registry
from wattkeeper.controllers import (
    api_modbus,
    api_rest,
    balancing,
    emergency_reserve,
    fix_active_power,
)
from wattkeeper.controllers.time_of_use import controller as time_of_use
from wattkeeper.drivers import ess_cluster, modbus_line, sunspec
from wattkeeper.drivers.described import ess as described_ess
from wattkeeper.drivers.described import views as described_views
from wattkeeper.drivers.fenecon import battery as fenecon_battery
from wattkeeper.drivers.goodwe import ess as goodwe_ess
from wattkeeper.drivers.goodwe import views as goodwe_views
from wattkeeper.drivers.simulated import battery, hybrid, meters

FACTORIES: list[Factory] = [
    battery.FACTORY,
    hybrid.HYBRID_FACTORY,
    hybrid.CHARGER_FACTORY,
    meters.PV_FACTORY,
    meters.LOAD_FACTORY,
    meters.GRID_FACTORY,
    ess_cluster.FACTORY,
    balancing.FACTORY,
    emergency_reserve.FACTORY,
    fix_active_power.FACTORY,
    time_of_use.FACTORY,
    api_rest.READ_WRITE,
    api_rest.READ_ONLY,
    api_modbus.READ_WRITE,
    api_modbus.READ_ONLY,
    *sunspec.FACTORIES,
    modbus_line.SERIAL_FACTORY,
    modbus_line.TCP_FACTORY,
    fenecon_battery.FACTORY,
    goodwe_ess.FACTORY,
    goodwe_views.CHARGER_FACTORY,
    goodwe_views.METER_FACTORY,
    described_ess.FACTORY,
    described_views.METER_FACTORY,
    described_views.CHARGER_FACTORY,
    backend_uplink.FACTORY,
]


def default_registry() -> Registry:
    return Registry(FACTORIES)
