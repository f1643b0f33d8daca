"""Which OpenEMS natures (Java interface names) a component class implements, for `natureIds`.

OpenEMS's UI finds everything by nature: the grid meter, the batteries, the history service
(`getComponentsImplementingNature("io.openems.edge.timedata.api.Timedata")`). Our natures are
Python classes, so one table maps a class (by name, found anywhere in the component's MRO) to
the interfaces it stands for. Names rather than imported classes keep this table free of
driver imports, and let a nature added elsewhere (HybridEss, EssDcCharger, ...) take effect
as soon as its class exists under that name.
"""

from __future__ import annotations

import typing
from collections.abc import Callable, Iterable
from typing import Any

_EDGE = "io.openems.edge."
OPENEMS_COMPONENT = _EDGE + "common.component.OpenemsComponent"
TIMEDATA = _EDGE + "timedata.api.Timedata"
JSON_API = _EDGE + "common.jsonapi.JsonApi"
MODBUS_COMPONENT = _EDGE + "bridge.modbus.api.ModbusComponent"
_REST = _EDGE + "controller.api.rest."

#: Our class name → the OpenEMS interfaces it implements (its bases contribute theirs too).
INHERITED: dict[str, tuple[str, ...]] = {
    "Component": (OPENEMS_COMPONENT,),
    "SymmetricEss": (_EDGE + "ess.api.SymmetricEss",),
    "ManagedSymmetricEss": (_EDGE + "ess.api.ManagedSymmetricEss",),
    "HybridEss": (_EDGE + "ess.api.HybridEss",),
    "AsymmetricEss": (_EDGE + "ess.api.AsymmetricEss",),
    "ManagedAsymmetricEss": (_EDGE + "ess.api.ManagedAsymmetricEss",),
    "EssCluster": (_EDGE + "ess.api.MetaEss",),
    "EssDcCharger": (_EDGE + "ess.dccharger.api.EssDcCharger",),
    "Meter": (_EDGE + "meter.api.ElectricityMeter",),
    "ElectricityMeter": (_EDGE + "meter.api.ElectricityMeter",),
    "Controller": (_EDGE + "controller.api.Controller",),
    "RestApiController": (_REST + "RestApi", JSON_API),
    "RestApiWorker": (_REST + "readwrite.ControllerApiRestReadWrite",),
    "Sum": (_EDGE + "common.sum.Sum",),
    "HostComponent": (_EDGE + "common.host.Host", JSON_API),
    "CycleComponent": (_EDGE + "common.cycle.Cycle",),
    "MetaComponent": (_EDGE + "common.meta.Meta",),
    "TimedataComponent": (TIMEDATA,),
    "AppManagerComponent": (_EDGE + "core.appmanager.AppManager", JSON_API),
    # components that talk Modbus/TCP to their device through our bridge
    "SunSpecEss": (MODBUS_COMPONENT,),
    "SunSpecMeter": (MODBUS_COMPONENT,),
    "RegisterMapMeter": (MODBUS_COMPONENT,),
}

#: Interfaces of exactly this class, not of its subclasses (the read-write REST controller
#: is a subclass of the read-only one in our code, but not a ControllerApiRestReadOnly).
EXACT: dict[str, tuple[str, ...]] = {
    "RestApiController": (_REST + "readonly.ControllerApiRestReadOnly",),
}


def nature_ids(classes: Iterable[type]) -> list[str]:
    """The OpenEMS interfaces of these classes, OpenemsComponent first, each once."""
    found: dict[str, None] = {}
    for cls in classes:
        for base in reversed(cls.__mro__):
            for name in INHERITED.get(base.__name__, ()):
                found[name] = None
        for name in EXACT.get(cls.__name__, ()):
            found[name] = None
    return list(found)


def built_class(build: Callable[..., Any]) -> type | None:
    """The class a factory's builder is annotated to return, if it says so."""
    try:
        hints = typing.get_type_hints(build)
    except Exception:  # a lambda or an unresolvable hint: nothing to learn from it
        return None
    result = hints.get("return")
    return result if isinstance(result, type) else None
