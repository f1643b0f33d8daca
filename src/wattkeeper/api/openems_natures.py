"""OpenEMS's Java interface name for each nature, for `natureIds` in `getEdgeConfig`.

OpenEMS's UI finds everything by nature: the grid meter, the batteries, the history service
(`getComponentsImplementingNature("io.openems.edge.timedata.api.Timedata")`). Each of our
component classes names the natures it adds (`Component.nature_ids()`, short names as in the
reference); this one table turns them into the interface names the UI compares against.
"""

from __future__ import annotations

import typing
from collections.abc import Callable, Iterable
from typing import Any

_EDGE = "io.openems.edge."

#: Nature (short name) → the Java interface OpenEMS's UI looks for.
INTERFACES: dict[str, str] = {
    "OpenemsComponent": _EDGE + "common.component.OpenemsComponent",
    "Sum": _EDGE + "common.sum.Sum",
    "Meta": _EDGE + "common.meta.Meta",
    "Host": _EDGE + "common.host.Host",
    "Cycle": _EDGE + "common.cycle.Cycle",
    "JsonApi": _EDGE + "common.jsonapi.JsonApi",
    "SymmetricEss": _EDGE + "ess.api.SymmetricEss",
    "ManagedSymmetricEss": _EDGE + "ess.api.ManagedSymmetricEss",
    "HybridEss": _EDGE + "ess.api.HybridEss",
    "AsymmetricEss": _EDGE + "ess.api.AsymmetricEss",
    "ManagedAsymmetricEss": _EDGE + "ess.api.ManagedAsymmetricEss",
    "MetaEss": _EDGE + "ess.api.MetaEss",
    "EssDcCharger": _EDGE + "ess.dccharger.api.EssDcCharger",
    "ElectricityMeter": _EDGE + "meter.api.ElectricityMeter",
    "Controller": _EDGE + "controller.api.Controller",
    "RestApi": _EDGE + "controller.api.rest.RestApi",
    "ControllerApiRestReadOnly": _EDGE + "controller.api.rest.readonly.ControllerApiRestReadOnly",
    "ControllerApiRestReadWrite": _EDGE
    + "controller.api.rest.readwrite.ControllerApiRestReadWrite",
    "ModbusComponent": _EDGE + "bridge.modbus.api.ModbusComponent",
    "ModbusApi": _EDGE + "controller.api.modbus.ModbusApi",
    "ControllerApiModbusTcpReadOnly": _EDGE
    + "controller.api.modbus.readonly.tcp.ControllerApiModbusTcpReadOnly",
    "ControllerApiModbusTcpReadWrite": _EDGE
    + "controller.api.modbus.readwrite.tcp.ControllerApiModbusTcpReadWrite",
    "Timedata": _EDGE + "timedata.api.Timedata",
    "AppManager": _EDGE + "core.appmanager.AppManager",
}


#: Natures outside the channel reference (no channels of their own), by our class name.
BEYOND_REFERENCE: dict[str, str] = {
    "TimedataComponent": "Timedata",
    "AppManagerComponent": "AppManager",
    "EssCluster": "MetaEss",
}


def nature_ids(classes: Iterable[type]) -> list[str]:
    """The OpenEMS interfaces of these component classes, OpenemsComponent first, each once."""
    found: dict[str, None] = {}
    for cls in classes:
        declared: Callable[[], list[str]] | None = getattr(cls, "nature_ids", None)
        natures = declared() if declared else []
        natures += [
            BEYOND_REFERENCE[c.__name__] for c in cls.__mro__ if c.__name__ in BEYOND_REFERENCE
        ]
        for nature in natures:
            # a nature without a known interface stays out rather than be sent half-named
            if nature in INTERFACES:
                found[INTERFACES[nature]] = None
    return list(found)


def built_class(build: Callable[..., Any]) -> type | None:
    """The class a factory's builder is annotated to return, if it says so."""
    try:
        hints = typing.get_type_hints(build)
    except Exception:  # a lambda or an unresolvable hint: nothing to learn from it
        return None
    result = hints.get("return")
    return result if isinstance(result, type) else None
