"""From a solved ESS setpoint to GoodWe's EMS registers (47511 mode, 47512 power).

P is the AC power of the hybrid inverter (+ output), PV the DC power of its strings; the
battery then moves by P − PV (+ discharge). As OpenEMS' ApplyPowerHandler does it:

* SMART: AUTO (self-use, the inverter balances its own meter) when the setpoint is exactly
  what balancing to zero asks (P = grid + ess); otherwise REMOTE.
* REMOTE: P < 0 → (CHARGE_BAT, PV − P); P ≥ 0 and PV ≥ P → (CHARGE_BAT, PV − P);
  otherwise → (DISCHARGE_BAT, P − PV).
* A battery that may neither charge nor discharge (BMS silent or in alarm) → (BATTERY_STANDBY, 0).

47512 is unsigned 16-bit: the power is clamped to 0..65534 W.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

from wattkeeper.protocols.goodwe.modes import EmsPowerMode

MAX_SET = 0xFFFE


class ControlMode(Enum):
    SMART = "SMART"
    REMOTE = "REMOTE"
    INTERNAL = "INTERNAL"  # the inverter runs on its own (AUTO), the EMS only relays the BMS


@dataclass(frozen=True)
class EmsCommand:
    mode: EmsPowerMode
    power: int

    def registers(self) -> list[int]:
        return [int(self.mode), self.power]

    def battery_power(self) -> float | None:
        """What the battery should do (+ discharge); None for AUTO (the inverter decides)."""
        if self.mode is EmsPowerMode.CHARGE_BAT:
            return -float(self.power)
        if self.mode is EmsPowerMode.DISCHARGE_BAT:
            return float(self.power)
        if self.mode in (EmsPowerMode.BATTERY_STANDBY, EmsPowerMode.STOPPED):
            return 0.0
        return None


def _clamp(value: float) -> int:
    return min(max(round(value), 0), MAX_SET)


def ems_command(
    setpoint: int,
    pv: float,
    *,
    mode: ControlMode = ControlMode.SMART,
    balance_target: float | None = None,
    battery_usable: bool = True,
) -> EmsCommand:
    """The (mode, power) pair for an AC setpoint; `balance_target` is grid + ess of this
    cycle (None: unknown, so never AUTO)."""
    if not battery_usable:
        return EmsCommand(EmsPowerMode.BATTERY_STANDBY, 0)
    if mode is ControlMode.INTERNAL:
        return EmsCommand(EmsPowerMode.AUTO, 0)
    if (
        mode is ControlMode.SMART
        and balance_target is not None
        and round(balance_target) == setpoint
    ):
        return EmsCommand(EmsPowerMode.AUTO, 0)
    pv = max(pv, 0.0)
    if setpoint < 0 or pv >= setpoint:
        return EmsCommand(EmsPowerMode.CHARGE_BAT, _clamp(pv - setpoint))
    return EmsCommand(EmsPowerMode.DISCHARGE_BAT, _clamp(setpoint - pv))
