"""The write gate with its lease, shared by every API controller that writes (REST, Modbus/TCP).

Accepted writes are held and re-applied every cycle. One timer per API controller: every
accepted write re-arms it; when it runs out, every held value is dropped together and
lower-priority controllers (self-consumption) take over again. Nothing is written back on expiry.
"""

from __future__ import annotations

import logging
from typing import Any

from wattkeeper.config.registry import BuildContext
from wattkeeper.core.channel import ChannelDoc, ChannelType, Unit, Value, coerce
from wattkeeper.core.clock import Clock
from wattkeeper.core.controller import Controller
from wattkeeper.core.errors import WriteRejected
from wattkeeper.core.manager import ComponentManager
from wattkeeper.core.writes import HeldWrite, WriteRequest
from wattkeeper.natures.ess import ManagedSymmetricEss
from wattkeeper.power.model import Pwr
from wattkeeper.power.setpoints import SETPOINT_CHANNELS, constraint_for
from wattkeeper.power.stage import Power

log = logging.getLogger(__name__)

API_WORKER_LOG = ChannelDoc("ApiWorkerLog", ChannelType.STRING, text="Held writes")
OVERRIDE_ACTIVE = ChannelDoc("OverrideActive", ChannelType.BOOLEAN, text="1 while writes are held")
OVERRIDE_REMAINING = ChannelDoc(
    "OverrideRemaining",
    ChannelType.INTEGER,
    Unit.SECONDS,
    text="Seconds until the held writes expire (null: none held or no timeout)",
)
ADJUSTMENTS = ChannelDoc(
    "Adjustments",
    ChannelType.STRING,
    text="Held writes not applied exactly as written: rounded to a whole number, "
    "or fitted to what the battery can do, and why (empty: all applied as written)",
)


class ApiWorker(Controller):
    """An API controller that is a write gate: holds accepted writes under one lease."""

    def __init__(self, cid: str, alias: str, config: Any, ctx: BuildContext) -> None:
        super().__init__(cid, alias, config)
        self._manager: ComponentManager = ctx.manager
        self._power: Power = ctx.power
        self._wake = ctx.wake  # an accepted write runs the next cycle at once
        self._audit = ctx.audit
        self._clock: Clock = ctx.clock
        self.held: dict[str, HeldWrite] = {}
        self._deadline: float | None = None  # monotonic; None: no expiry
        self.declare(API_WORKER_LOG, OVERRIDE_ACTIVE, OVERRIDE_REMAINING, ADJUSTMENTS)
        self._adjustments = ""
        self._publish()

    # -- the write gate: called by the APIs, between cycles ----------------------------------
    def write(self, request: WriteRequest) -> Value:
        """Validate completely, audit, hold under the lease and wake the cycle."""
        value = self.validate(request.component_id, request.channel_id, request.value)
        # audited before it is held: a write that cannot be audited is refused
        self._audit(self._clock.time(), request, value)
        # a fraction for an INTEGER channel is rounded: remembered, so that it can be said
        rounded = isinstance(request.value, float) and request.value != value
        self.hold(
            request.address,
            value,
            request.role,
            request.remote,
            request.value if rounded else None,
        )
        return value

    def held_writes(self) -> list[HeldWrite]:
        return list(self.held.values())

    def timeout_s(self) -> int:
        return int(self.config.api_timeout)

    def validate(self, component_id: str, channel_id: str, raw: Any) -> Value:
        """Check a write completely; raise WriteRejected saying why, with nothing applied."""
        target = self._manager.get(component_id)
        channel = target.channel(channel_id)
        if not channel.doc.access.writable:
            raise WriteRejected(f"Channel [{channel.address}] is read-only")
        if raw is None:
            return None  # releasing is always allowed
        kind = SETPOINT_CHANNELS.get(channel_id)
        if (
            kind is not None
            and kind[0] is Pwr.REACTIVE
            and isinstance(target, ManagedSymmetricEss)
            and not target.supports_reactive_power
        ):
            raise WriteRejected(
                f"{component_id} cannot control reactive power: [{channel.address}] cannot "
                "be used for this system (home batteries have no reactive-power control)"
            )
        reason = (
            target.control_refusal()
            if kind is not None and isinstance(target, ManagedSymmetricEss)
            else None
        )
        if reason:
            raise WriteRejected(
                f"[{channel.address}] is not applicable while {component_id} refuses "
                f"external control: {reason}"
            )
        return coerce(channel.doc, raw)

    def hold(
        self,
        address: str,
        value: Value,
        role: str = "",
        remote: str = "",
        requested: Any = None,
    ) -> None:
        """Hold an already validated value (None releases it) and re-arm the lease."""
        if value is None:
            self.held.pop(address, None)
        else:
            previous = self.held.get(address)
            since = (
                previous.since
                if previous is not None and previous.value == value
                else self._clock.time()
            )
            self.held[address] = HeldWrite(address, value, since, role, remote, requested)
        timeout = self.config.api_timeout
        self._deadline = self._clock.monotonic() + timeout if timeout > 0 else None
        self._publish()
        self._wake()

    def release_all(self, reason: str) -> None:
        if self.held:
            log.info("%s: released %d held write(s): %s", self.id, len(self.held), reason)
        self.held.clear()
        self._deadline = None
        self._publish()

    def remaining(self) -> float | None:
        if not self.held or self._deadline is None:
            return None
        return max(self._deadline - self._clock.monotonic(), 0.0)

    # -- the cycle ------------------------------------------------------------------------------
    def run(self) -> None:
        remaining = self.remaining()
        if remaining is not None and remaining <= 0:
            self.release_all(f"timeout of {self.config.api_timeout} s expired")
        self._adjustments = self._fitted_last_cycle()
        for write in list(self.held.values()):
            component_id, _, channel_id = write.address.partition("/")
            constraint = constraint_for(
                component_id, channel_id, float(write.value or 0), f"{self.id}: {write.address}"
            )
            if constraint is not None:
                self._power.add(constraint)
            else:
                self._manager.channel(write.address).write(write.value)
        self._publish()

    def _fitted_last_cycle(self) -> str:
        """The solver's adjustments of last cycle to writes that are still held (the solver runs
        after the controllers, so a write shows here from the cycle after it was first applied)."""
        notes = [
            f"{held.address}:{held.requested} rounded to {held.value}"
            for held in list(self.held.values())  # a copy: APIs hold writes meanwhile
            if held.requested is not None
        ]
        for adjustment in self._power.last_solution.adjustments:
            owner, _, address = adjustment.constraint.source.partition(": ")
            held = self.held.get(address)
            if owner != self.id or held is None or held.value != adjustment.constraint.value:
                continue
            notes.append(
                f"{address}:{held.value} fitted to {adjustment.applied:g} ({adjustment.reason})"
            )
        return ", ".join(notes)

    def _publish(self) -> None:
        log_text = ", ".join(f"{w.address}:{w.value}" for w in list(self.held.values()))
        remaining = self.remaining()
        self.channel(API_WORKER_LOG).set_now(log_text)
        self.channel(OVERRIDE_ACTIVE).set_now(1 if self.held else 0)
        self.channel(ADJUSTMENTS).set_now(self._adjustments if self.held else "")
        self.channel(OVERRIDE_REMAINING).set_now(
            None if remaining is None else int(-(-remaining // 1))
        )

    async def stop(self) -> None:
        # removal (App Center) and shutdown both end here: nothing may stay held
        self.release_all(f"{self.id} stopped")
