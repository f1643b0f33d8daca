"""SunSpec devices over Modbus/TCP: `SunSpec.Ess` (storage inverter) and `SunSpec.Meter`."""

from wattkeeper.drivers.sunspec.ess import FACTORY as ESS_FACTORY
from wattkeeper.drivers.sunspec.meter import FACTORY as METER_FACTORY

FACTORIES = (ESS_FACTORY, METER_FACTORY)

__all__ = ["ESS_FACTORY", "FACTORIES", "METER_FACTORY"]
