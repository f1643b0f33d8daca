"""SunSpec devices over Modbus/TCP: `SunSpec.Ess` (storage inverter), `SunSpec.Meter`, and
`SunSpec.Charger` (a PV tracker of model 160, read through its `SunSpec.Ess`)."""

from wattkeeper.drivers.sunspec.charger import FACTORY as CHARGER_FACTORY
from wattkeeper.drivers.sunspec.ess import FACTORY as ESS_FACTORY
from wattkeeper.drivers.sunspec.meter import FACTORY as METER_FACTORY

FACTORIES = (ESS_FACTORY, METER_FACTORY, CHARGER_FACTORY)

__all__ = ["CHARGER_FACTORY", "ESS_FACTORY", "FACTORIES", "METER_FACTORY"]
