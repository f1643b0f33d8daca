"""The two ways `SunSpec.Ess` commands a storage inverter, and how it checks the device obeyed.

124 path: P as a percentage p of WChaMax, written as OutWRte = p and InWRte = −p (the window
−InWRte..OutWRte pinned to p), InOutWRte_WinTms = 0, InOutWRte_RvrtTms = `revertTimeout`,
then StorCtl_Mod = 3 (both limits in force).

DER path (704): WSetRvrtTms = `revertTimeout`, then WSetEna = ENABLED, WSetMod = WATTS,
WSet = P clamped to the limits (scaled by WSet_SF); the symbol values come from the
official definition (WSetMod WATTS is 1). IEEE 1547 / SunSpec count 701 W and 704 WSet
positive when the DER injects (a battery discharges): our + discharge / − charge unchanged.
The DER path needs a state of charge: 713 SoC, else 124 ChaState.

Either way the edge writes every cycle and releases control when it stops; the device's
revert timer is only a safety net for a dead edge, never relied on. After a write, what the
device reports is compared with what was asked (`readback_*`, `power_off`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from wattkeeper.drivers.sunspec.common import Requirement, Role, Values, number
from wattkeeper.protocols.sunspec.discovery import ModelBlock
from wattkeeper.protocols.sunspec.models import (
    DER_CTL_AC,
    ENABLED,
    INVERTER_MODELS,
    STORAGE,
    STORCTL_CHARGE,
    STORCTL_DISCHARGE,
    WSET_MOD_WATTS,
)

RATE_TOLERANCE = 0.5  # percentage points
CONTROL_MODE = STORCTL_CHARGE | STORCTL_DISCHARGE

INVERTER_ROLE = Role("inverter", INVERTER_MODELS)
STORAGE_ROLE = Role("storage", (124,))
MPPT_ROLE = Role("mppt", (160,), required=False)
DER_ROLES = (
    Role("der_measure", (701,)),
    Role("der_capacity", (702,), required=False),
    Role("der_service", (703,), required=False),
    Role("der_control", (704,)),
    Role("der_storage", (713,), required=False),
    Role("der_dc", (714,), required=False),
)


@dataclass
class Expectation:
    """A setpoint as written, to compare with what the device reports afterwards."""

    active: int
    rate: float  # 124: % of WChaMax; 704: WSet in W
    revert: int
    der: bool = False
    after_poll: int | None = None  # set when the write is acknowledged


def _optional(role: Role) -> Role:
    return Role(role.name, role.model_ids, required=False)


def roles_for(control_model: str) -> tuple[list[Role], Requirement | None]:
    """The models to discover for a control path, and the check of what was found."""
    if control_model == "124":
        return [INVERTER_ROLE, STORAGE_ROLE, MPPT_ROLE], None
    if control_model == "704":
        return [_optional(STORAGE_ROLE), *DER_ROLES, MPPT_ROLE], _der_soc

    def usable(blocks: Mapping[str, ModelBlock]) -> str | None:
        if "der_control" in blocks and "der_measure" in blocks:
            return _der_soc(blocks)
        if "inverter" in blocks and "storage" in blocks:
            return None
        wanted = "/".join(map(str, INVERTER_MODELS))
        return f"SunSpec model {wanted} with 124 (or DER 701 + 704 with 713 or 124) not found"

    optional = (_optional(r) for r in (INVERTER_ROLE, STORAGE_ROLE, *DER_ROLES))
    return [*optional, MPPT_ROLE], usable


def _der_soc(blocks: Mapping[str, ModelBlock]) -> str | None:
    if "der_storage" in blocks or "storage" in blocks:
        return None
    return "SunSpec DER path needs a state of charge: model 713 or 124 not found"


def encode_124(active: int, wcha: float, revert: int, storage: Values) -> tuple[float, list[int]]:
    """(rate %, the words from OutWRte on); raises CodecError when a value does not fit."""
    rate = max(-100.0, min(100.0, 100.0 * active / wcha))
    words: list[int] = []
    for name, value in (
        ("OutWRte", rate),
        ("InWRte", -rate),
        ("InOutWRte_WinTms", 0),
        ("InOutWRte_RvrtTms", revert),
    ):
        words += STORAGE.encode(name, value, storage)[1]
    return rate, words


def encode_der(wanted: float, revert: int, control: Values) -> tuple[list[int], list[int]]:
    """(WSetRvrtTms words, the words from WSetEna on); raises CodecError when they do not fit."""
    timer_words = DER_CTL_AC.encode("WSetRvrtTms", revert, control)[1]
    words = [
        *DER_CTL_AC.encode("WSetEna", ENABLED)[1],
        *DER_CTL_AC.encode("WSetMod", WSET_MOD_WATTS)[1],
        *DER_CTL_AC.encode("WSet", wanted, control)[1],
    ]
    return timer_words, words


def readback_124(expect: Expectation, storage: Values) -> tuple[bool, str, str, object]:
    """(control registers read back?, what was written, what the device reports, revert timer)."""
    out_rte = number(storage, "OutWRte")
    in_rte = number(storage, "InWRte")
    mode = storage.get("StorCtl_Mod")
    ok = (
        out_rte is not None
        and in_rte is not None
        and abs(out_rte - expect.rate) <= RATE_TOLERANCE
        and abs(in_rte + expect.rate) <= RATE_TOLERANCE
        and isinstance(mode, int)
        and mode & CONTROL_MODE == CONTROL_MODE
    )
    wrote = f"OutWRte={expect.rate} InWRte={-expect.rate} StorCtl_Mod=3"
    return ok, wrote, f"{out_rte}, {in_rte}, {mode}", storage.get("InOutWRte_RvrtTms")


def readback_der(expect: Expectation, control: Values) -> tuple[bool, str, str, object]:
    """As `readback_124`, for WSetEna / WSetMod / WSet (tolerance: one WSet_SF step)."""
    enabled, mode, wset = control.get("WSetEna"), control.get("WSetMod"), number(control, "WSet")
    sf = control.get("WSet_SF")
    tolerance = max(1.0, 10.0**sf) if isinstance(sf, int) else 1.0
    ok = (
        enabled == ENABLED
        and mode == WSET_MOD_WATTS
        and wset is not None
        and abs(wset - expect.rate) <= tolerance
    )
    wrote = f"WSetEna={ENABLED} WSetMod={WSET_MOD_WATTS} WSet={expect.rate}"
    return ok, wrote, f"{enabled}, {mode}, {wset}", control.get("WSetRvrtTms")


def power_off(expect: Expectation, inverter: Values, battery: Values) -> bool:
    """Whether the measured power is far from what the device could and should do.

    Near empty/full a battery derates on its own, so the check only runs at 10..90 %.
    """
    power = number(inverter, "W")
    soc = number(battery, "Soc")
    wcha = number(inverter, "WChaMax")
    wdis = number(inverter, "WDisChaMax")
    if power is None or soc is None or not wcha or not wdis or not 10.0 <= soc <= 90.0:
        return False
    wanted = max(-wcha, min(wdis, float(expect.active)))
    return abs(power - wanted) > max(200.0, 0.1 * max(wcha, wdis))
