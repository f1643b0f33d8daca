"""`SunSpec.Ess`: a storage inverter with SunSpec models 1, 101-103/111-113 and 124.

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
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from pydantic import AliasChoices, Field

from wattkeeper.config.registry import BuildContext, Factory
from wattkeeper.core.channel import ChannelDoc, ChannelType, Unit
from wattkeeper.core.clock import Clock
from wattkeeper.core.errors import DeviceError
from wattkeeper.core.state import COMMUNICATION_FAILED, Level, StateDoc
from wattkeeper.drivers.sunspec.common import (
    Role,
    SunSpecConfig,
    SunSpecLink,
    Values,
    number,
    rounded,
)
from wattkeeper.natures.ess import ManagedSymmetricEss
from wattkeeper.protocols.registers import CodecError
from wattkeeper.protocols.sunspec.models import (
    INVERTER_MODELS,
    STORAGE,
    STORCTL_CHARGE,
    STORCTL_DISCHARGE,
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
    ChannelDoc("MaxChargePower", ChannelType.INTEGER, Unit.WATT, text="124 WChaMax"),
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
    rate: float
    revert: int
    after_poll: int | None = None  # set when the write is acknowledged


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
        self.link = SunSpecLink(
            component_id,
            config,
            clock,
            [Role("inverter", INVERTER_MODELS), Role("storage", (124,))],
        )
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

    async def stop(self) -> None:
        """Stop polling; hand control back to the device (StorCtl_Mod = 0) if still connected."""
        release: list[tuple[int, list[int]]] = []
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
        inverter = self.link.values("inverter")
        storage = self.link.values("storage")
        self._publish(now, inverter, storage)
        self._verify(inverter, storage)

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
        wcha = number(storage, "WChaMax")
        reserve = number(storage, "MinRsvPct")
        cha_st = storage.get("ChaSt")
        state = inverter.get("St")
        self.set("Soc", rounded(soc))
        self.set("ActivePower", rounded(power))
        self.set("ReactivePower", rounded(number(inverter, "VAr")))
        self.set("GridMode", 1)
        va = number(storage, "VAChaMax")
        self.set("MaxApparentPower", rounded(va if va is not None else wcha))
        self.set("Capacity", self._capacity(soc, reserve, storage))
        self.set("ChargeStatus", cha_st if isinstance(cha_st, int) else None)
        self.set("InverterState", state if isinstance(state, int) else None)
        self.set("BatteryVoltage", number(storage, "InBatV"))
        self.set("MinReservePercent", reserve)
        self.set("MaxChargePower", rounded(wcha))
        usable = wcha is not None and soc is not None and state not in (ST_OFF, ST_FAULT)
        can_charge = usable and cha_st not in (CHA_OFF, CHA_FULL)
        can_discharge = (
            usable
            and cha_st not in (CHA_OFF, CHA_EMPTY)
            and (reserve is None or soc is None or soc > reserve)
        )
        self.set("AllowedChargePower", -round(wcha) if can_charge and wcha else 0)
        self.set("AllowedDischargePower", round(wcha) if can_discharge and wcha else 0)
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

    # -- verification -----------------------------------------------------------------------
    def _verify(self, inverter: Values, storage: Values) -> None:
        expect = self._expect
        poll = self.link.session.poll_index
        if expect is None or expect.after_poll is None or poll <= expect.after_poll:
            return
        if poll == self._verified_poll:
            return
        self._verified_poll = poll
        out_rte = number(storage, "OutWRte")
        in_rte = number(storage, "InWRte")
        mode = storage.get("StorCtl_Mod")
        readback_ok = (
            out_rte is not None
            and in_rte is not None
            and abs(out_rte - expect.rate) <= RATE_TOLERANCE
            and abs(in_rte + expect.rate) <= RATE_TOLERANCE
            and isinstance(mode, int)
            and mode & CONTROL_MODE == CONTROL_MODE
        )
        self._readback_misses = 0 if readback_ok else self._readback_misses + 1
        self._power_misses = (
            self._power_misses + 1 if self._power_off(expect, inverter, storage) else 0
        )
        if self._readback_misses >= READBACK_GRACE:
            self.raise_state(
                SETPOINT_IGNORED,
                f"wrote OutWRte={expect.rate} InWRte={-expect.rate} StorCtl_Mod=3, "
                f"device reports {out_rte}, {in_rte}, {mode}",
            )
        elif self._power_misses >= POWER_GRACE:
            self.raise_state(
                SETPOINT_IGNORED,
                f"asked {expect.active} W, device delivers {inverter.get('W')} W",
            )
        elif self._readback_misses == 0 and self._power_misses == 0:
            self.clear_state(SETPOINT_IGNORED)
        revert = storage.get("InOutWRte_RvrtTms")
        if readback_ok and expect.revert > 0 and revert != expect.revert:
            self.raise_state(
                REVERT_TIMER_INACTIVE, f"wrote {expect.revert} s, device reports {revert}"
            )
        elif readback_ok:
            self.clear_state(REVERT_TIMER_INACTIVE)

    @staticmethod
    def _power_off(expect: _Expectation, inverter: Values, storage: Values) -> bool:
        """Whether the measured power is far from what the device could and should do.

        Near empty/full a battery derates on its own, so the check only runs at 10..90 %.
        """
        power = number(inverter, "W")
        soc = number(storage, "ChaState")
        wcha = number(storage, "WChaMax")
        if power is None or soc is None or not wcha or not 10.0 <= soc <= 90.0:
            return False
        wanted = max(-wcha, min(wcha, float(expect.active)))
        return abs(power - wanted) > max(200.0, 0.1 * wcha)


def build(component_id: str, alias: str, config: Any, ctx: BuildContext) -> SunSpecEss:
    return SunSpecEss(component_id, alias, config, ctx.clock)


FACTORY = Factory("SunSpec.Ess", SunSpecEssConfig, build, "SunSpec storage inverter (124)")
