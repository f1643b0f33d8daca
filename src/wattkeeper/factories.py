"""Every factory this edge can build, by id (the registry's single source)."""

from __future__ import annotations

from wattkeeper.config.registry import Factory, Registry
from wattkeeper.controllers import api_rest, balancing, emergency_reserve, fix_active_power
from wattkeeper.drivers import ess_cluster, sunspec
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
    api_rest.READ_WRITE,
    api_rest.READ_ONLY,
    *sunspec.FACTORIES,
]


def default_registry() -> Registry:
    return Registry(FACTORIES)
