"""`SunSpec.Ess`: a storage inverter with SunSpec models 1, 101-103/111-113 and 124, or the
DER models 701-704 (with 124 for the state of charge).

Control path (`controlModel`): "auto" (default) takes the DER path when discovery finds
704 and 701, else the 124 path (which needs an inverter model 10x/11x); "124" and "704"
force one path (the device must offer its models, else `CommunicationFailed`).

124 path:

Readings (every poll):

=====================  ====================================================================
Channel                SunSpec source
=====================  ====================================================================
Soc                    124 ChaState (% of capacity), rounded
ActivePower            inverter W; an AC-coupled storage inverter delivers W > 0 when it
                       discharges, so the sign is already + discharge / − charge
ReactivePower          inverter VAr
Capacity               property `capacity` (Wh) if given, else estimated from 124 StorAval
                       (Ah above the reserve) × InBatV ÷ (ChaState − MinRsvPct)
MaxApparentPower       124 VAChaMax (else WChaMax)
AllowedChargePower     −WChaMax, or 0 when ChaSt is OFF/FULL or the inverter is in FAULT
AllowedDischargePower  +WChaMax, or 0 when ChaSt is OFF/EMPTY, Soc ≤ MinRsvPct, or FAULT
Active*Energy          integrated by the driver from ActivePower (start at 0)
=====================  ====================================================================

Setpoint (each cycle, from `write_power`): P as a percentage p of WChaMax, written as
OutWRte = p and InWRte = −p (window −InWRte..OutWRte pinned to p), InOutWRte_WinTms = 0,
InOutWRte_RvrtTms = `revertTimeout`, then StorCtl_Mod = 3 (both limits in force). The
edge writes every cycle and releases control (StorCtl_Mod = 0) when it stops; the device's
revert timer is only a safety net for a dead edge, never relied on.

Faults: no fresh poll → every reading None, AllowedCharge/Discharge 0 (the solver gives the
device 0 W), state `CommunicationFailed`. What the device reports after a write is compared
with what was asked: `SetpointIgnored` (WARNING) when the control registers do not read back
for 3 polls, or the power stays far from the feasible setpoint for 5 polls; a revert timer
that does not read back raises `RevertTimerInactive` (WARNING).

DER path (701-704). Sign: IEEE 1547 / SunSpec count 701 W and 704 WSet positive when the
DER injects (exports: a battery discharges) and negative when it absorbs (charges), which
is our + discharge / − charge convention unchanged.

=====================  ====================================================================
ActivePower            701 W
ReactivePower          701 Var
InverterState          701 InvSt (same enumeration as St of 10x)
MaxChargePower         702 WChaRteMax, else WChaRteMaxRtg, else WMax, else 124 WChaMax
(discharge limit)      702 WDisChaRteMax, else WDisChaRteMaxRtg, else WMax, else 124 WChaMax
MaxApparentPower       702 VAMax, else VAMaxRtg, else the larger of the two limits
AllowedCharge/Dis...   −charge / +discharge limit, 0 as on the 124 path (124 ChaSt, Soc,
                       InvSt) and also 0 while 703 ES = 0 (not permitted to enter service)
Soc, Capacity, ...     124 as above
=====================  ====================================================================

Setpoint: WSetRvrtTms = `revertTimeout`, then WSetEna = 1, WSetMod = 2 (W), WSet = P
clamped to the limits (scaled by WSet_SF), every cycle; release on stop: WSetEna = 0.
Verification as on the 124 path: WSetEna/WSetMod/WSet must read back, 701 W must follow,
WSetRvrtTms must read back.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

from pydantic import AliasChoices, Field

from wattkeeper.config.registry import BuildContext, Factory
from wattkeeper.core.channel import ChannelDoc, ChannelType, Unit
from wattkeeper.core.clock import Clock
from wattkeeper.core.errors import DeviceError
from wattkeeper.core.state import COMMUNICATION_FAILED, Level, StateDoc
from wattkeeper.drivers.sunspec.common import (
    Requirement,
    Role,
    SunSpecConfig,
    SunSpecLink,
    Values,
    number,
    rounded,
)
from wattkeeper.natures.ess import ManagedSymmetricEss
from wattkeeper.protocols.registers import CodecError
from wattkeeper.protocols.sunspec.discovery import ModelBlock
from wattkeeper.protocols.sunspec.models import (
    DER_CTL_AC,
    INVERTER_MODELS,
    STORAGE,
    STORCTL_CHARGE,
    STORCTL_DISCHARGE,
    WSET_MOD_WATTS,
)

log = logging.getLogger(__name__)

SETPOINT_IGNORED = StateDoc(
    "SetpointIgnored", Level.WARNING, "The device does not follow its setpoint"
)
REVERT_TIMER_INACTIVE = StateDoc(
    "RevertTimerInactive",
    Level.WARNING,
    "The device does not keep the revert timer: a lost edge leaves its last setpoint active",
)

_CHA_ST_TEXT = (
    "SunSpec 124 ChaSt: 1:Off, 2:Empty, 3:Discharging, 4:Charging, 5:Full, 6:Holding, 7:Testing"
)
EXTRA_CHANNELS = (
    ChannelDoc("ChargeStatus", ChannelType.INTEGER, text=_CHA_ST_TEXT),
    ChannelDoc("InverterState", ChannelType.INTEGER, text="SunSpec St: 1:Off ... 7:Fault"),
    ChannelDoc("BatteryVoltage", ChannelType.FLOAT, Unit.VOLT, text="124 InBatV"),
    ChannelDoc("MinReservePercent", ChannelType.FLOAT, Unit.PERCENT, text="124 MinRsvPct"),
    ChannelDoc(
        "MaxChargePower", ChannelType.INTEGER, Unit.WATT, text="124 WChaMax / 702 WChaRteMax"
    ),
)

CHA_OFF, CHA_EMPTY, CHA_FULL = 1, 2, 5
ST_OFF, ST_FAULT = 1, 7
READBACK_GRACE = 3  # polls a written value may take to show
POWER_GRACE = 5  # polls the power may take to follow
RATE_TOLERANCE = 0.5  # percentage points
CONTROL_MODE = STORCTL_CHARGE | STORCTL_DISCHARGE


class SunSpecEssConfig(SunSpecConfig):
    revert_timeout: int = Field(
        60,
        ge=0,
        le=65_535,
        validation_alias=AliasChoices("revertTimeout", "revert_timeout"),
        serialization_alias="revertTimeout",
        description="Device-side revert timer written with every setpoint, in s (0: none)",
    )
    capacity: int | None = Field(None, gt=0, description="Usable capacity in Wh")
    control_model: Literal["auto", "124", "704"] = Field(
        "auto",
        validation_alias=AliasChoices("controlModel", "control_model"),
        serialization_alias="controlModel",
        description='Setpoint via model 124 or 704 (DER); "auto": 704 when present',
    )
    read_only: bool = Field(
        False,
        validation_alias=AliasChoices("readOnly", "read_only"),
        serialization_alias="readOnly",
        description="Only read: never write a setpoint",
    )


@dataclass
class _Expectation:
    """A setpoint as written, to compare with what the device reports afterwards."""

    active: int
    rate: float  # 124: % of WChaMax; 704: WSet in W
    revert: int
    der: bool = False
    after_poll: int | None = None  # set when the write is acknowledged


INVERTER_ROLE = Role("inverter", INVERTER_MODELS)
STORAGE_ROLE = Role("storage", (124,))
DER_ROLES = (
    Role("der_measure", (701,)),
    Role("der_capacity", (702,), required=False),
    Role("der_service", (703,), required=False),
    Role("der_control", (704,)),
)


def _optional(role: Role) -> Role:
    return Role(role.name, role.model_ids, required=False)


def roles_for(control_model: str) -> tuple[list[Role], Requirement | None]:
    """The models to discover for a control path, and the check of what was found."""
    if control_model == "124":
        return [INVERTER_ROLE, STORAGE_ROLE], None
    if control_model == "704":
        return [STORAGE_ROLE, *DER_ROLES], None

    def usable(blocks: Mapping[str, ModelBlock]) -> str | None:
        if "der_control" in blocks and "der_measure" in blocks:
            return None
        if "inverter" in blocks:
            return None
        wanted = "/".join(map(str, INVERTER_MODELS))
        return f"SunSpec model {wanted} (or DER 701 + 704) not found"

    roles = [_optional(INVERTER_ROLE), STORAGE_ROLE, *(_optional(r) for r in DER_ROLES)]
    return roles, usable


class SunSpecEss(ManagedSymmetricEss):
    config: SunSpecEssConfig
    live_config = False  # host, port and unit id are bound into the connection at start

    def __init__(
        self, component_id: str, alias: str, config: SunSpecEssConfig, clock: Clock
    ) -> None:
        super().__init__(component_id, alias, config)
        self.declare_all(EXTRA_CHANNELS)
        self.declare_state(COMMUNICATION_FAILED, SETPOINT_IGNORED, REVERT_TIMER_INACTIVE)
        self.clock = clock
        roles, requirement = roles_for(config.control_model)
        self.link = SunSpecLink(component_id, config, clock, roles, requirement)
        self._fresh = False
        self._capacity_estimate: int | None = None
        self._energy_poll = -1
        self._energy_at: float | None = None
        self._last_power: float | None = None
        self._charged_wh = 0.0
        self._discharged_wh = 0.0
        self._expect: _Expectation | None = None
        self._controlling = False  # a setpoint was written: release control on stop
        self._verified_poll = -1
        self._readback_misses = 0
        self._power_misses = 0
        self._publish_none()

    # -- lifecycle --------------------------------------------------------------------------
    async def start(self) -> None:
        await self.link.start()

    @property
    def der(self) -> bool:
        """Whether the DER path (701/704) is in use: 704 and 701 were discovered (and the
        configuration allows them)."""
        blocks = self.link.session.blocks
        return "der_control" in blocks and "der_measure" in blocks

    async def stop(self) -> None:
        """Stop polling; hand control back to the device (StorCtl_Mod = 0, or 704 WSetEna = 0)
        if still connected."""
        release: list[tuple[int, list[int]]] = []
        if self.der:
            address = self.link.address("der_control", DER_CTL_AC.point("WSetEna").offset)
        else:
            address = self.link.address("storage", STORAGE.point("StorCtl_Mod").offset)
        if address is not None and self._controlling:
            release.append((address, [0]))
        await self.link.stop(release)

    async def flush(self, timeout: float = 5.0) -> None:
        """Wait until queued writes reached the device (tests and benchmarks)."""
        await self.link.bridge.flush(timeout)

    # -- readings ---------------------------------------------------------------------------
    def before_process_image(self, now: float) -> None:
        self._fresh = self.link.check(self, now)
        if not self._fresh:
            self._publish_none()
            self._last_power = None
            self._expect = None
            self._readback_misses = self._power_misses = 0
            return
        storage = self.link.values("storage")
        inverter = self._measurement(storage)
        self._publish(now, inverter, storage)
        self._verify(inverter, storage)

    def _measurement(self, storage: Values) -> Values:
        """The inverter readings under the 10x names (W, VAr, St, and the limits as WChaMax
        for charge and WDisChaMax for discharge, VAChaMax; ES from 703) from the path in use."""
        if not self.der:
            inverter = dict(self.link.values("inverter"))
            inverter["WChaMax"] = inverter["WDisChaMax"] = storage.get("WChaMax")
            inverter["VAChaMax"] = storage.get("VAChaMax")
            return inverter
        measure = self.link.values("der_measure")
        capacity = self.link.values("der_capacity")

        def first(*names: str) -> float | None:
            for name in names:
                value = number(capacity, name)
                if value is not None:
                    return value
            return number(storage, "WChaMax")

        charge = first("WChaRteMax", "WChaRteMaxRtg", "WMax")
        discharge = first("WDisChaRteMax", "WDisChaRteMaxRtg", "WMax")
        va = number(capacity, "VAMax")
        va = va if va is not None else number(capacity, "VAMaxRtg")
        if va is None and (charge is not None or discharge is not None):
            va = max(charge or 0.0, discharge or 0.0)
        return {
            "W": measure.get("W"),
            "VAr": measure.get("Var"),
            "St": measure.get("InvSt"),
            "ES": self.link.values("der_service").get("ES"),
            "WChaMax": charge,
            "WDisChaMax": discharge,
            "VAChaMax": va,
        }

    def _publish_none(self) -> None:
        for name in (
            "Soc",
            "Capacity",
            "GridMode",
            "ActivePower",
            "ReactivePower",
            "MaxApparentPower",
            "ActiveChargeEnergy",
            "ActiveDischargeEnergy",
            *(doc.name for doc in EXTRA_CHANNELS),
        ):
            self.set(name, None)
        self.set("AllowedChargePower", 0)
        self.set("AllowedDischargePower", 0)

    def _publish(self, now: float, inverter: Values, storage: Values) -> None:
        soc = number(storage, "ChaState")
        power = number(inverter, "W")
        wcha = number(inverter, "WChaMax")
        wdis = number(inverter, "WDisChaMax")
        reserve = number(storage, "MinRsvPct")
        cha_st = storage.get("ChaSt")
        state = inverter.get("St")
        self.set("Soc", rounded(soc))
        self.set("ActivePower", rounded(power))
        self.set("ReactivePower", rounded(number(inverter, "VAr")))
        self.set("GridMode", 1)
        va = number(inverter, "VAChaMax")
        self.set("MaxApparentPower", rounded(va if va is not None else wcha))
        self.set("Capacity", self._capacity(soc, reserve, storage))
        self.set("ChargeStatus", cha_st if isinstance(cha_st, int) else None)
        self.set("InverterState", state if isinstance(state, int) else None)
        self.set("BatteryVoltage", number(storage, "InBatV"))
        self.set("MinReservePercent", reserve)
        self.set("MaxChargePower", rounded(wcha))
        # 703 ES = 0: the DER may not enter service, so no power either way
        usable = soc is not None and state not in (ST_OFF, ST_FAULT) and inverter.get("ES") != 0
        can_charge = usable and cha_st not in (CHA_OFF, CHA_FULL)
        can_discharge = (
            usable
            and cha_st not in (CHA_OFF, CHA_EMPTY)
            and (reserve is None or soc is None or soc > reserve)
        )
        self.set("AllowedChargePower", -round(wcha) if can_charge and wcha else 0)
        self.set("AllowedDischargePower", round(wdis) if can_discharge and wdis else 0)
        self._count_energy(now, power)

    def _capacity(self, soc: float | None, reserve: float | None, storage: Values) -> int | None:
        if self.config.capacity is not None:
            return self.config.capacity
        available_ah = number(storage, "StorAval")
        volts = number(storage, "InBatV")
        if None not in (soc, available_ah, volts):
            above = (soc or 0.0) - (reserve or 0.0)
            if above >= 5.0:
                estimate = (available_ah or 0.0) * (volts or 0.0) * 100.0 / above
                self._capacity_estimate = int(round(estimate, -2))
        return self._capacity_estimate

    def _count_energy(self, now: float, power: float | None) -> None:
        """Integrate the measured power per poll into the charge/discharge counters."""
        poll = self.link.session.poll_index
        if poll != self._energy_poll:
            if self._energy_at is not None and self._last_power is not None:
                wh = self._last_power * (now - self._energy_at) / 3600.0
                if wh >= 0:
                    self._discharged_wh += wh
                else:
                    self._charged_wh -= wh
            self._energy_poll = poll
            self._energy_at = now
            self._last_power = power
        self.set("ActiveChargeEnergy", round(self._charged_wh))
        self.set("ActiveDischargeEnergy", round(self._discharged_wh))

    # -- setpoint ---------------------------------------------------------------------------
    def write_power(self, active: int, reactive: int) -> None:
        """Queue the setpoint; the bridge's task writes it at once. Never blocks."""
        if self.config.read_only or not self._fresh:
            return
        if self.der:
            self._write_der(active)
            return
        storage = self.link.values("storage")
        wcha = number(storage, "WChaMax")
        rates = self.link.address("storage", STORAGE.point("OutWRte").offset)
        mode = self.link.address("storage", STORAGE.point("StorCtl_Mod").offset)
        if not wcha or rates is None or mode is None:
            return
        rate = max(-100.0, min(100.0, 100.0 * active / wcha))
        revert = self.config.revert_timeout
        try:
            words: list[int] = []
            for name, value in (
                ("OutWRte", rate),
                ("InWRte", -rate),
                ("InOutWRte_WinTms", 0),
                ("InOutWRte_RvrtTms", revert),
            ):
                words += STORAGE.encode(name, value, storage)[1]
        except CodecError as error:
            self.raise_state(SETPOINT_IGNORED, f"cannot encode setpoint: {error}")
            return
        expectation = _Expectation(active, round(rate, 2), revert)
        self._expect = expectation

        def done(error: DeviceError | None) -> None:
            if error is None:
                expectation.after_poll = self.link.session.poll_index
            elif self._expect is expectation:
                self._expect = None

        self._controlling = True
        self.link.bridge.queue_write(rates, words)
        self.link.bridge.queue_write(mode, [CONTROL_MODE], done)

    def _write_der(self, active: int) -> None:
        """704: WSetRvrtTms, then WSetEna = 1, WSetMod = W, WSet = P (+ discharge)."""
        storage = self.link.values("storage")
        control = self.link.values("der_control")
        limits = self._measurement(storage)
        charge, discharge = number(limits, "WChaMax"), number(limits, "WDisChaMax")
        enable = self.link.address("der_control", DER_CTL_AC.point("WSetEna").offset)
        timer = self.link.address("der_control", DER_CTL_AC.point("WSetRvrtTms").offset)
        if charge is None or discharge is None or enable is None or timer is None:
            return
        wanted = max(-charge, min(discharge, float(active)))
        revert = self.config.revert_timeout
        try:
            timer_words = DER_CTL_AC.encode("WSetRvrtTms", revert, control)[1]
            words = [1, WSET_MOD_WATTS, *DER_CTL_AC.encode("WSet", wanted, control)[1]]
        except CodecError as error:
            self.raise_state(SETPOINT_IGNORED, f"cannot encode setpoint: {error}")
            return
        expectation = _Expectation(active, wanted, revert, der=True)
        self._expect = expectation

        def done(error: DeviceError | None) -> None:
            if error is None:
                expectation.after_poll = self.link.session.poll_index
            elif self._expect is expectation:
                self._expect = None

        self._controlling = True
        self.link.bridge.queue_write(timer, timer_words)
        self.link.bridge.queue_write(enable, words, done)

    # -- verification -----------------------------------------------------------------------
    def _verify(self, inverter: Values, storage: Values) -> None:
        expect = self._expect
        poll = self.link.session.poll_index
        if expect is None or expect.after_poll is None or poll <= expect.after_poll:
            return
        if poll == self._verified_poll:
            return
        self._verified_poll = poll
        if expect.der:
            readback_ok, wrote, reports, revert = self._readback_der(expect)
        else:
            readback_ok, wrote, reports, revert = self._readback_124(expect, storage)
        self._readback_misses = 0 if readback_ok else self._readback_misses + 1
        self._power_misses = (
            self._power_misses + 1 if self._power_off(expect, inverter, storage) else 0
        )
        if self._readback_misses >= READBACK_GRACE:
            self.raise_state(
                SETPOINT_IGNORED,
                f"wrote {wrote}, device reports {reports}",
            )
        elif self._power_misses >= POWER_GRACE:
            self.raise_state(
                SETPOINT_IGNORED,
                f"asked {expect.active} W, device delivers {inverter.get('W')} W",
            )
        elif self._readback_misses == 0 and self._power_misses == 0:
            self.clear_state(SETPOINT_IGNORED)
        if readback_ok and expect.revert > 0 and revert != expect.revert:
            self.raise_state(
                REVERT_TIMER_INACTIVE, f"wrote {expect.revert} s, device reports {revert}"
            )
        elif readback_ok:
            self.clear_state(REVERT_TIMER_INACTIVE)

    @staticmethod
    def _readback_124(expect: _Expectation, storage: Values) -> tuple[bool, str, str, object]:
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

    def _readback_der(self, expect: _Expectation) -> tuple[bool, str, str, object]:
        control = self.link.values("der_control")
        enabled, mode, wset = (
            control.get("WSetEna"),
            control.get("WSetMod"),
            number(control, "WSet"),
        )
        sf = control.get("WSet_SF")
        tolerance = max(1.0, 10.0**sf) if isinstance(sf, int) else 1.0
        ok = (
            enabled == 1
            and mode == WSET_MOD_WATTS
            and wset is not None
            and abs(wset - expect.rate) <= tolerance
        )
        wrote = f"WSetEna=1 WSetMod=2 WSet={expect.rate}"
        return ok, wrote, f"{enabled}, {mode}, {wset}", control.get("WSetRvrtTms")

    @staticmethod
    def _power_off(expect: _Expectation, inverter: Values, storage: Values) -> bool:
        """Whether the measured power is far from what the device could and should do.

        Near empty/full a battery derates on its own, so the check only runs at 10..90 %.
        """
        power = number(inverter, "W")
        soc = number(storage, "ChaState")
        wcha = number(inverter, "WChaMax")
        wdis = number(inverter, "WDisChaMax")
        if power is None or soc is None or not wcha or not wdis or not 10.0 <= soc <= 90.0:
            return False
        wanted = max(-wcha, min(wdis, float(expect.active)))
        return abs(power - wanted) > max(200.0, 0.1 * max(wcha, wdis))


def build(component_id: str, alias: str, config: Any, ctx: BuildContext) -> SunSpecEss:
    return SunSpecEss(component_id, alias, config, ctx.clock)


FACTORY = Factory(
    "SunSpec.Ess", SunSpecEssConfig, build, "SunSpec storage inverter (124, or DER 701-704)"
)
