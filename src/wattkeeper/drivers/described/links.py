"""The connections of a described device: one bridge per Modbus unit it names (a Victron GX
answers the system at unit 100 and the Multi at unit 227 on one port), with the freshness
rules of `DeviceLink` applied to all of them together."""

from __future__ import annotations

from collections.abc import Sequence

from pydantic import AliasChoices, Field, field_validator

from wattkeeper.core.clock import Clock
from wattkeeper.core.component import Component
from wattkeeper.core.state import COMMUNICATION_FAILED
from wattkeeper.drivers.described.session import UnitSession
from wattkeeper.drivers.modbus_device import DeviceLink, ModbusConfig
from wattkeeper.protocols.described.codec import DeviceCodec, Write
from wattkeeper.protocols.described.model import Description, DescriptionError, load
from wattkeeper.protocols.registers import Decoded


class DescribedConfig(ModbusConfig):
    """A described device: which description, where it is, and unit ids that differ."""

    model: str = Field(description="Device kind, e.g. huawei-sun2000 (see docs/devices.md)")
    port: int = Field(0, ge=0, le=65535, description="0: the vendor's default port")
    unit_ids: dict[str, int] = Field(
        default_factory=dict,
        validation_alias=AliasChoices("unitIds", "unit_ids"),
        serialization_alias="unitIds",
        description="Unit id per role where it differs from the description (vebus = 228)",
    )
    read_only: bool = Field(
        False,
        validation_alias=AliasChoices("readOnly", "read_only"),
        serialization_alias="readOnly",
        description="Only read: never write a setpoint",
    )

    @field_validator("model")
    @classmethod
    def _known(cls, kind: str) -> str:
        try:
            load(kind)
        except DescriptionError as error:
            raise ValueError(str(error)) from None
        return kind

    def description(self) -> Description:
        return load(self.model)


class DeviceLinks:
    """One `DeviceLink` per unit role; fresh only while every unit is."""

    def __init__(self, name: str, config: DescribedConfig, clock: Clock) -> None:
        self.description = config.description()
        self.codec = DeviceCodec(self.description)
        unknown = set(config.unit_ids) - set(self.description.units)
        if unknown:
            raise ValueError(
                f"{name}: unitIds {sorted(unknown)} are not roles of {config.model} "
                f"({', '.join(self.description.units)})"
            )
        port = config.port or self.description.port
        self.sessions: dict[str, UnitSession] = {}
        self.links: dict[str, DeviceLink] = {}
        for role, default in self.description.units.items():
            unit = config.unit_ids.get(role, default)
            session = UnitSession(self.codec, role)
            per_unit = config.model_copy(update={"port": port, "unit_id": unit})
            self.sessions[role] = session
            self.links[role] = DeviceLink(f"{name} {role}", per_unit, clock, session)

    async def start(self) -> None:
        for link in self.links.values():
            await link.start()

    async def stop(self, final: Sequence[Write] = ()) -> None:
        for role, link in self.links.items():
            await link.stop([(w.address, list(w.words)) for w in final if w.unit == role])

    def values(self) -> dict[str, Decoded]:
        merged: dict[str, Decoded] = {}
        for session in self.sessions.values():
            merged.update(session.values)
        return merged

    @property
    def poll_index(self) -> int:
        return min(session.poll_index for session in self.sessions.values())

    def fresh(self, now: float) -> bool:
        return all(link.fresh(now) for link in self.links.values())

    def failure(self, now: float) -> str | None:
        reasons = [
            f"{role}: {reason}"
            for role, link in self.links.items()
            if (reason := link.failure(now)) is not None
        ]
        return "; ".join(reasons) or None

    def check(self, component: Component, now: float) -> bool:
        """Raise or clear `CommunicationFailed`; True if every unit's data is fresh."""
        reason = self.failure(now)
        fresh = self.fresh(now)
        if reason is not None:
            component.raise_state(COMMUNICATION_FAILED, reason)
        elif fresh:
            component.clear_state(COMMUNICATION_FAILED)
        return fresh

    def queue(self, writes: Sequence[Write]) -> None:
        for write in writes:
            self.links[write.unit].bridge.queue_write(write.address, list(write.words))

    async def flush(self, timeout: float = 5.0) -> None:
        for link in self.links.values():
            await link.bridge.flush(timeout)
