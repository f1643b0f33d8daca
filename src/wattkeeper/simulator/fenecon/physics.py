"""The physics behind the simulated FENECON Home: battery cells and BMS, and the inverter's
reaction to its EMS mode and to the BMS data the EMS relays.

No I/O here; time comes from an injected clock. The battery energy is integrated with the
demo's `integrate` and its BMS current limits fade near full/empty with the demo's `derate`.

What the inverter does with the registers (as modelled here, after GoodWe's documentation
as quoted by OpenEMS):

* 47511/47512: AUTO balances the house (discharge what the load takes beyond PV, charge the
  surplus); CHARGE_BAT / DISCHARGE_BAT move the battery by 47512 W; BATTERY_STANDBY and
  STOPPED hold it at 0; other modes are treated as standby.
* 47900-47916 (BMS data written by the EMS): the battery moves only within the relayed
  charge/discharge currents and status bits; if no relay write arrived for `bms_timeout`
  seconds, the inverter treats the BMS as lost and holds the battery at 0 W (the
  inverter-side fallback when the edge goes silent).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum

from wattkeeper.drivers.simulated.physics import derate, integrate
from wattkeeper.protocols.fenecon_home import BATTERY_52, HardwareType
from wattkeeper.protocols.goodwe.modes import EmsPowerMode
from wattkeeper.protocols.goodwe.tables import STATUS_STOP_CHARGE, STATUS_STOP_DISCHARGE
from wattkeeper.simulator.faults import MonotonicClock
from wattkeeper.simulator.grid import Household


class HomeFault(Enum):
    """Faults of the FENECON Home simulator, switchable at run time."""

    DISCONNECT = "disconnect"  # the port is closed: nothing answers
    SLOW = "slow"  # every answer comes `slow_delay` seconds late
    IGNORE_SETPOINTS = "ignore-setpoints"  # 47511/47512 writes acknowledged, no effect
    BMS_ALARM = "bms-alarm"  # the BMS raises an over-temperature alarm and limits current
    BATTERY_SILENT = "battery-silent"  # the battery (unit 1) stops answering


CELL_MAX_LIMIT_MV = 3550  # what the simulated BMS reports in 524
CELL_MIN_LIMIT_MV = 2900  # ... and in 525
NOMINAL_CURRENT_A = 25.0
ALARM_CURRENT_A = 5.0


def cell_voltage(soc: float) -> float:
    """An LFP-like open-circuit cell voltage (V): flat in the middle, knees at the ends."""
    volts = 3.20 + 0.0015 * (soc - 50.0)
    if soc > 95.0:
        volts += (soc - 95.0) * 0.04
    if soc < 5.0:
        volts -= (5.0 - soc) * 0.05
    return volts


@dataclass
class HomeBattery:
    """A FENECON Home tower: `modules` modules of `kind` in series, and its BMS."""

    clock: MonotonicClock
    modules: int = 5
    kind: HardwareType = BATTERY_52
    initial_soc: float = 50.0
    alarm: bool = False
    power_w: float = 0.0  # + discharge, − charge (what flows now)
    energy_wh: float = field(init=False)
    _last: float = field(init=False)
    _cells: list[int] = field(init=False, default_factory=list)
    _cells_key: tuple[float, int] | None = field(init=False, default=None)

    def __post_init__(self) -> None:
        self.energy_wh = self.capacity_wh * self.initial_soc / 100.0
        self._last = self.clock.monotonic()

    @property
    def capacity_wh(self) -> int:
        return self.modules * self.kind.capacity_wh

    @property
    def cells(self) -> int:
        return self.modules * self.kind.cells

    @property
    def soc(self) -> float:
        return 100.0 * self.energy_wh / self.capacity_wh

    def cell_voltages(self) -> list[int]:
        """mV of every cell; a small fixed spread around the open-circuit voltage."""
        key = (self.energy_wh, self.cells)
        if self._cells_key != key:  # asked many times per request: computed once per state
            base = cell_voltage(self.soc) * 1000.0
            self._cells = [round(base + ((i * 7) % 11) - 5) for i in range(self.cells)]
            self._cells_key = key
        return self._cells

    @property
    def voltage(self) -> float:
        return sum(self.cell_voltages()) / 1000.0

    @property
    def current(self) -> float:
        return self.power_w / self.voltage if self.voltage > 0 else 0.0

    def temperatures(self) -> tuple[float, float]:
        return (24.0, 52.0) if self.alarm else (22.0, 25.0)

    def current_limits(self) -> tuple[float, float]:
        """(charge, discharge) A the BMS allows now (518/519)."""
        nominal = ALARM_CURRENT_A if self.alarm else NOMINAL_CURRENT_A
        charge, discharge = derate(self.soc)
        cells = self.cell_voltages()
        if max(cells) >= CELL_MAX_LIMIT_MV:
            charge = 0.0
        if min(cells) <= CELL_MIN_LIMIT_MV:
            discharge = 0.0
        return nominal * charge, nominal * discharge

    def advance(self, requested_w: float) -> None:
        """Integrate up to now at the present power, then take `requested_w` within the BMS
        limits (the BMS would open its relay beyond them)."""
        now = self.clock.monotonic()
        dt = max(now - self._last, 0.0)
        self._last = now
        if dt > 0:
            self.energy_wh = integrate(self.energy_wh, self.capacity_wh, self.power_w, dt).energy_wh
        charge_a, discharge_a = self.current_limits()
        volts = self.voltage
        self.power_w = min(max(requested_w, -charge_a * volts), discharge_a * volts)


@dataclass
class Relayed:
    """What the EMS wrote into 47900-47916, and when."""

    charge_max_current: float = 0.0
    discharge_max_current: float = 0.0
    status: int = 0
    soc: float = 0.0
    at: float | None = None


class HybridInverter:
    """The GoodWe side: EMS mode/power, PV strings, the house and the grid meter."""

    def __init__(
        self,
        clock: MonotonicClock,
        battery: HomeBattery,
        home: Household,
        *,
        rated_w: int = 10_000,
        bms_timeout: float = 10.0,
    ) -> None:
        self.clock = clock
        self.battery = battery
        self.home = home
        self.rated_w = rated_w
        self.bms_timeout = bms_timeout
        self.ems_mode = int(EmsPowerMode.AUTO)
        self.ems_power = 0
        self.ems_writes = 0
        self.relayed = Relayed()
        self.pv_w = 0.0
        self.ac_w = 0.0  # inverter AC output: + feeding the house/grid
        self.grid_w = 0.0  # at the grid connection: + import
        self.pv_wh = 3_000_000.0
        self.import_wh = 500_000.0
        self.export_wh = 200_000.0
        self.charge_wh = 1_000_000.0
        self.discharge_wh = 1_000_000.0
        self._last = clock.monotonic()

    def bms_lost(self, now: float) -> bool:
        at = self.relayed.at
        return at is None or now - at > self.bms_timeout

    def requested_battery_power(self) -> float:
        """What the EMS mode asks of the battery (+ discharge), before any limit."""
        mode = self.ems_mode
        if mode == EmsPowerMode.AUTO:
            return self.home.load() - self.pv_w
        if mode == EmsPowerMode.CHARGE_BAT:
            return -float(self.ems_power)
        if mode == EmsPowerMode.DISCHARGE_BAT:
            return float(self.ems_power)
        return 0.0

    def advance(self) -> None:
        now = self.clock.monotonic()
        dt = max(now - self._last, 0.0)
        self._last = now
        self._count(dt)
        self.pv_w = min(self.home.pv(), float(self.rated_w))
        requested = self.requested_battery_power()
        volts = self.battery.voltage
        relay = self.relayed
        if self.bms_lost(now):
            low = high = 0.0
        else:
            low = 0.0 if relay.status & STATUS_STOP_CHARGE else -relay.charge_max_current * volts
            high = (
                0.0 if relay.status & STATUS_STOP_DISCHARGE else relay.discharge_max_current * volts
            )
        requested = min(max(requested, low, -self.rated_w), high, self.rated_w)
        self.battery.advance(requested)
        self.ac_w = min(self.pv_w + self.battery.power_w, float(self.rated_w))
        self.grid_w = self.home.load() - self.ac_w

    def _count(self, dt: float) -> None:
        hours = dt / 3600.0
        self.pv_wh += self.pv_w * hours
        if self.grid_w >= 0:
            self.import_wh += self.grid_w * hours
        else:
            self.export_wh -= self.grid_w * hours
        power = self.battery.power_w
        if power >= 0:
            self.discharge_wh += power * hours
        else:
            self.charge_wh -= power * hours
