"""Dummy natures: a managed battery and a meter whose readings a test sets, no simulator behind."""

from __future__ import annotations

from wattkeeper.core.channel import Value
from wattkeeper.natures import ess as ess_ch
from wattkeeper.natures import meter as meter_ch
from wattkeeper.natures.ess import ManagedSymmetricEss
from wattkeeper.natures.meter import Meter, MeterType


class DummyManagedEss(ManagedSymmetricEss):
    """A battery that reports what the test says and records every setpoint it is given.

    `reacting=True` makes the next reading of ActivePower the last setpoint (an ideal inverter);
    otherwise ActivePower stays what the test set. Readings become visible with the next
    process image, as a device's would."""

    def __init__(
        self,
        component_id: str = "ess0",
        *,
        soc: int | None = 50,
        capacity: int = 10_000,
        active_power: int | None = 0,
        allowed_charge: int | None = -5000,
        allowed_discharge: int | None = 5000,
        max_apparent: int = 5000,
        reacting: bool = False,
    ) -> None:
        super().__init__(component_id, "Dummy battery")
        self.reacting = reacting
        #: (active, reactive) setpoints in the order the solver applied them
        self.applied: list[tuple[int, int]] = []
        self.update(
            Soc=soc,
            Capacity=capacity,
            ActivePower=active_power,
            AllowedChargePower=allowed_charge,
            AllowedDischargePower=allowed_discharge,
            MaxApparentPower=max_apparent,
        )

    def update(self, **readings: Value) -> None:
        """Set readings by channel name (`Soc=15`); visible from the next cycle on."""
        for name, value in readings.items():
            self.set(name, value)

    @property
    def setpoint(self) -> int | None:
        """The active power setpoint of the last cycle (None: never applied)."""
        return self.applied[-1][0] if self.applied else None

    def write_power(self, active: int, reactive: int) -> None:
        self.applied.append((active, reactive))
        if self.reacting:
            self.set(ess_ch.ACTIVE_POWER, active)


class DummyMeter(Meter):
    """A meter whose ActivePower the test sets (grid: + buy, - feed-in)."""

    def __init__(
        self,
        component_id: str = "meter0",
        *,
        active_power: int | None = 0,
        meter_type: MeterType = MeterType.GRID,
    ) -> None:
        super().__init__(component_id, "Dummy meter")
        self.meter_type = meter_type
        self.set(meter_ch.ACTIVE_POWER, active_power)
