"""`SunSpec.Ess`: a storage inverter with SunSpec models 1, 101-103/111-113 and 124, or the
DER models 701-704 with 713 (or 124) for the state of charge, and 714 for DC readings.

Control path (`controlModel`): "auto" (default) takes the DER path when discovery finds
704 and 701, else the 124 path (which needs an inverter model 10x/11x); "124" and "704"
force one path (the device must offer its models, else `CommunicationFailed`). How each
path writes a setpoint and checks it: `control.py`; what is read, under which names:
`readings.py`. Which register feeds which channel: `docs/devices.md` (the tables there are
the reference; keep them in step with `_publish`).

Faults: no fresh poll → every reading None, AllowedCharge/Discharge 0 (the solver gives the
device 0 W), state `CommunicationFailed`. What the device reports after a write is compared
with what was asked: `SetpointIgnored` (WARNING) when the control registers do not read back
for 3 polls, or the power stays far from the feasible setpoint for 5 polls; a revert timer
that does not read back raises `RevertTimerInactive` (WARNING). Energy counters: on the
DER path 701 TotWhAbs / TotWhInj; on the 124 path (no battery counters there) integrated by
the driver from ActivePower (they start at 0; history keeps them continuous).
"""

from __future__ import annotations

import logging
from typing import Any, Literal

from pydantic import AliasChoices, Field

from wattkeeper.config.registry import BuildContext, Factory
from wattkeeper.core.channel import ChannelDoc, ChannelType, Unit
from wattkeeper.core.clock import Clock
from wattkeeper.core.errors import DeviceError
from wattkeeper.core.state import COMMUNICATION_FAILED, Level, StateDoc
from wattkeeper.drivers.sunspec.common import (
    SunSpecConfig,
    SunSpecLink,
    Values,
    number,
    rounded,
)
from wattkeeper.drivers.sunspec.control import (
    CONTROL_MODE,
    Expectation,
    encode_124,
    encode_der,
    power_off,
    readback_124,
    readback_der,
    roles_for,
)
from wattkeeper.drivers.sunspec.readings import battery_view, inverter_view
from wattkeeper.natures import ess as ess_ch
from wattkeeper.natures.ess import ManagedSymmetricEss
from wattkeeper.power.stage import Power
from wattkeeper.protocols.registers import CodecError

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
    ChannelDoc("AvailableEnergy", ChannelType.INTEGER, Unit.WATT_HOURS, text="713 WHAvail"),
    ChannelDoc(
        "DcDischargePower", ChannelType.INTEGER, Unit.WATT, text="714 DCW of the battery ports"
    ),
    ChannelDoc("DcChargeEnergy", ChannelType.LONG, Unit.CUMULATED_WATT_HOURS, text="714 DCWhAbs"),
    ChannelDoc(
        "DcDischargeEnergy", ChannelType.LONG, Unit.CUMULATED_WATT_HOURS, text="714 DCWhInj"
    ),
)

CHA_OFF, CHA_EMPTY, CHA_FULL = 1, 2, 5
ST_OFF, ST_FAULT = 1, 7
READBACK_GRACE = 3  # polls a written value may take to show
POWER_GRACE = 5  # polls the power may take to follow


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
    release_when_idle: bool = Field(
        False,
        validation_alias=AliasChoices("releaseWhenIdle", "release_when_idle"),
        serialization_alias="releaseWhenIdle",
        description="While no controller sets this battery's power, hand it back to the "
        "device's own mode (StorCtl_Mod = 0 / WSetEna = 0) instead of holding 0 W",
    )


class SunSpecEss(ManagedSymmetricEss):
    config: SunSpecEssConfig
    live_config = False  # host, port and unit id are bound into the connection at start

    def __init__(
        self,
        component_id: str,
        alias: str,
        config: SunSpecEssConfig,
        clock: Clock,
        power: Power | None = None,
    ) -> None:
        super().__init__(component_id, alias, config)
        self.power = power  # who constrains this battery (releaseWhenIdle)
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
        self._expect: Expectation | None = None
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
            address = self.link.address("der_control", "WSetEna")
        else:
            address = self.link.address("storage", "StorCtl_Mod")
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
        inverter = inverter_view(self.link.values, self.der)
        battery = battery_view(self.link.values, self.der)
        self._publish(now, inverter, battery)
        self._verify(inverter, battery)

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
        self.set(ess_ch.ALLOWED_CHARGE_POWER, 0)
        self.set(ess_ch.ALLOWED_DISCHARGE_POWER, 0)

    def _publish(self, now: float, inverter: Values, battery: Values) -> None:
        soc = number(battery, "Soc")
        power = number(inverter, "W")
        wcha = number(inverter, "WChaMax")
        wdis = number(inverter, "WDisChaMax")
        reserve = number(battery, "MinRsvPct")
        cha_st = battery.get("ChaSt")
        state = inverter.get("St")
        self.set(ess_ch.SOC, rounded(soc))
        self.set(ess_ch.ACTIVE_POWER, rounded(power))
        self.set(ess_ch.REACTIVE_POWER, rounded(number(inverter, "VAr")))
        self.set(ess_ch.GRID_MODE, 1)
        va = number(inverter, "VAChaMax")
        self.set(ess_ch.MAX_APPARENT_POWER, rounded(va if va is not None else wcha))
        self.set(ess_ch.CAPACITY, self._capacity(soc, reserve, battery))
        self.set("ChargeStatus", cha_st if isinstance(cha_st, int) else None)
        self.set("InverterState", state if isinstance(state, int) else None)
        self.set("BatteryVoltage", number(battery, "InBatV"))
        self.set("MinReservePercent", reserve)
        self.set("MaxChargePower", rounded(wcha))
        self.set("AvailableEnergy", rounded(number(battery, "WHAvail")))
        self.set(ess_ch.DC_DISCHARGE_POWER, rounded(number(battery, "DcW")))
        self.set(ess_ch.DC_CHARGE_ENERGY, rounded(number(battery, "DcWhAbs")))
        self.set(ess_ch.DC_DISCHARGE_ENERGY, rounded(number(battery, "DcWhInj")))
        # 703 ES = 0: the DER may not enter service, so no power either way
        usable = soc is not None and state not in (ST_OFF, ST_FAULT) and inverter.get("ES") != 0
        # without 124 ChaSt (a 70x-only device) full and empty follow from the SoC
        full = cha_st in (CHA_OFF, CHA_FULL) or (cha_st is None and (soc or 0.0) >= 100.0)
        empty = cha_st in (CHA_OFF, CHA_EMPTY) or (cha_st is None and (soc or 0.0) <= 0.0)
        can_charge = usable and not full
        can_discharge = usable and not empty and (reserve is None or soc is None or soc > reserve)
        self.set(ess_ch.ALLOWED_CHARGE_POWER, -round(wcha) if can_charge and wcha else 0)
        self.set(ess_ch.ALLOWED_DISCHARGE_POWER, round(wdis) if can_discharge and wdis else 0)
        self._count_energy(now, power, inverter)

    def _capacity(self, soc: float | None, reserve: float | None, battery: Values) -> int | None:
        if self.config.capacity is not None:
            return self.config.capacity
        rating = number(battery, "WHRtg")
        if rating is not None:
            return round(rating)
        available_ah = number(battery, "StorAval")
        volts = number(battery, "InBatV")
        if None not in (soc, available_ah, volts):
            above = (soc or 0.0) - (reserve or 0.0)
            if above >= 5.0:
                estimate = (available_ah or 0.0) * (volts or 0.0) * 100.0 / above
                self._capacity_estimate = int(round(estimate, -2))
        return self._capacity_estimate

    def _count_energy(self, now: float, power: float | None, inverter: Values) -> None:
        """The device's AC energy totals (701), else the measured power integrated per poll."""
        injected, absorbed = number(inverter, "WhInj"), number(inverter, "WhAbs")
        if injected is not None and absorbed is not None:
            self.set(ess_ch.ACTIVE_CHARGE_ENERGY, round(absorbed))
            self.set(ess_ch.ACTIVE_DISCHARGE_ENERGY, round(injected))
            return
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
        self.set(ess_ch.ACTIVE_CHARGE_ENERGY, round(self._charged_wh))
        self.set(ess_ch.ACTIVE_DISCHARGE_ENERGY, round(self._discharged_wh))

    # -- setpoint ---------------------------------------------------------------------------
    def write_power(self, active: int, reactive: int) -> None:
        """Queue the setpoint; the bridge's task writes it at once. Never blocks."""
        if self.config.read_only or not self._fresh:
            return
        power = self.power
        idle = power is not None and not any(c.ess_id == self.id for c in power.constraints)
        if self.config.release_when_idle and idle:
            self._release()
            return
        if self.der:
            self._write_der(active)
            return
        storage = self.link.values("storage")
        wcha = number(storage, "WChaMax")
        rates = self.link.address("storage", "OutWRte")
        mode = self.link.address("storage", "StorCtl_Mod")
        if not wcha or rates is None or mode is None:
            return
        revert = self.config.revert_timeout
        try:
            rate, words = encode_124(active, wcha, revert, storage)
        except CodecError as error:
            self.raise_state(SETPOINT_IGNORED, f"cannot encode setpoint: {error}")
            return
        self._send(
            Expectation(active, round(rate, 2), revert), (rates, words), (mode, [CONTROL_MODE])
        )

    def _release(self) -> None:
        """Hand the battery back to the device's own mode, once (releaseWhenIdle)."""
        if not self._controlling:
            return
        if self.der:
            address = self.link.address("der_control", "WSetEna")
        else:
            address = self.link.address("storage", "StorCtl_Mod")
        if address is not None:
            self.link.bridge.queue_write(address, [0])
        self._controlling = False
        self._expect = None

    def _write_der(self, active: int) -> None:
        """704: WSetRvrtTms, then WSetEna = 1, WSetMod = W, WSet = P (+ discharge)."""
        control = self.link.values("der_control")
        limits = inverter_view(self.link.values, der=True)
        charge, discharge = number(limits, "WChaMax"), number(limits, "WDisChaMax")
        enable = self.link.address("der_control", "WSetEna")
        timer = self.link.address("der_control", "WSetRvrtTms")
        if charge is None or discharge is None or enable is None or timer is None:
            return
        wanted = max(-charge, min(discharge, float(active)))
        revert = self.config.revert_timeout
        try:
            timer_words, words = encode_der(wanted, revert, control)
        except CodecError as error:
            self.raise_state(SETPOINT_IGNORED, f"cannot encode setpoint: {error}")
            return
        self._send(
            Expectation(active, wanted, revert, der=True), (timer, timer_words), (enable, words)
        )

    def _send(
        self, expectation: Expectation, first: tuple[int, list[int]], last: tuple[int, list[int]]
    ) -> None:
        """Queue two writes; the expectation counts from the poll after the last is acknowledged."""
        self._expect = expectation

        def done(error: DeviceError | None) -> None:
            if error is None:
                expectation.after_poll = self.link.session.poll_index
            elif self._expect is expectation:
                self._expect = None

        self._controlling = True
        self.link.bridge.queue_write(*first)
        self.link.bridge.queue_write(last[0], last[1], done)

    # -- verification -----------------------------------------------------------------------
    def _verify(self, inverter: Values, battery: Values) -> None:
        expect = self._expect
        poll = self.link.session.poll_index
        if expect is None or expect.after_poll is None or poll <= expect.after_poll:
            return
        if poll == self._verified_poll:
            return
        self._verified_poll = poll
        if expect.der:
            readback = readback_der(expect, self.link.values("der_control"))
        else:
            readback = readback_124(expect, self.link.values("storage"))
        readback_ok, wrote, reports, revert = readback
        self._readback_misses = 0 if readback_ok else self._readback_misses + 1
        self._power_misses = self._power_misses + 1 if power_off(expect, inverter, battery) else 0
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


def build(component_id: str, alias: str, config: Any, ctx: BuildContext) -> SunSpecEss:
    return SunSpecEss(component_id, alias, config, ctx.clock, ctx.power)


FACTORY = Factory(
    "SunSpec.Ess",
    SunSpecEssConfig,
    build,
    "SunSpec storage inverter (124, or DER 701-704 with 713/714)",
)
