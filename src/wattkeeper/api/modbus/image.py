"""The Modbus/TCP API's register map: OpenEMS's layout laid out over the listed components.

Register 0 is the marker, 1… the `_meta` block (199 long), then one block per listed component
in the configured order: its id (string16), the block length at +16, and from +20 one nature
table after another (hash, length, records). Channel values are read from the last finished
cycle's snapshot, taken once per request, so one read never mixes two cycles even while the
cycle runs in its own thread; nothing here waits or does I/O.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from wattkeeper.core.channel import AccessMode
from wattkeeper.core.component import Component
from wattkeeper.core.errors import ComponentNotFound
from wattkeeper.core.manager import ComponentManager
from wattkeeper.core.snapshot import Snapshot, SnapshotSource
from wattkeeper.natures.meta import META_ID
from wattkeeper.natures.modbus_slave import META, NatureTable, Record, tables_for
from wattkeeper.protocols.openems_modbus import (
    OPENEMS_MARKER,
    ModbusType,
    RecordValue,
    encode,
    java_string_hash,
)

META_START = 1
FIRST_COMPONENT = 200
HEADER = 20  # a component block's id and length; its nature tables start here
_RESERVED = [0xFFFF]


class IllegalAddress(Exception):
    """A request that cuts a record in two, or a write to a register that takes none."""


@dataclass(frozen=True, slots=True)
class Slot:
    """A record placed at an address, for one component."""

    address: int
    record: Record
    component_id: str
    name: str
    access: AccessMode
    size: int = 0  # registers, kept here: read on every request
    channel: str = ""  # `ess0/GridActivePower` for a channel record, kept: read on every request

    def __post_init__(self) -> None:
        object.__setattr__(self, "size", self.record.kind.words)
        object.__setattr__(self, "channel", self.address_of_channel)

    @property
    def address_of_channel(self) -> str:
        """`ess0/SetActivePowerEquals` for a channel record."""
        doc = self.record.doc
        return f"{self.component_id}/{doc.name}" if doc else ""


def _fixed(address: int, kind: ModbusType, name: str, value: RecordValue) -> Slot:
    return Slot(address, Record(0, kind, name=name, constant=value), "", name, AccessMode.READ_ONLY)


class ProcessImage:
    """Address → slot for `component_ids` as an API with or without write access sees them."""

    def __init__(
        self,
        manager: ComponentManager,
        component_ids: list[str],
        writable: bool,
        snapshots: SnapshotSource | None = None,
    ):
        self._manager = manager
        #: where channel values come from; None: the channels as they are (tests, tools)
        self._snapshots = snapshots
        self.writable = writable
        self.missing: list[str] = []
        self.slots: dict[int, Slot] = {}
        self._owner: dict[int, Slot] = {}  # every register a record covers → its slot
        self._components: dict[str, Component] = {}
        self._put(_fixed(0, ModbusType.UINT16, 'Hash of "OpenEMS"', OPENEMS_MARKER))
        self._lay_out_meta()
        start = FIRST_COMPONENT
        for component_id in component_ids:
            try:
                component = manager.get(component_id)
            except ComponentNotFound:
                self.missing.append(component_id)  # OpenEMS leaves it out as well
                continue
            start = self._lay_out(start, component)

    # -- layout --------------------------------------------------------------------------------
    def _put(self, slot: Slot) -> None:
        self.slots[slot.address] = slot
        for word in range(slot.address, slot.address + slot.size):
            self._owner[word] = slot

    def _records(self, base: int, table: NatureTable, component: Component) -> None:
        for record in table.records:
            access = AccessMode.READ_ONLY
            name = record.name
            if record.doc is not None:
                name = f"{component.id}/{record.doc.name}"
                access = record.doc.access
                if not self.writable and access is AccessMode.WRITE_ONLY:
                    # OpenEMS's read-only API shows a write-only channel as reserved
                    record, name = Record(record.offset, record.kind), "Reserved"
                elif not self.writable:
                    access = AccessMode.READ_ONLY
            self._put(Slot(base + record.offset, record, component.id, name, access))

    def _lay_out_meta(self) -> None:
        try:
            meta = self._manager.get(META_ID)
        except ComponentNotFound:
            return
        self._components[meta.id] = meta
        length = f'Length of block "{META_ID}"'
        self._put(_fixed(META_START, ModbusType.UINT16, length, META.length))
        self._records(META_START + 1, META, meta)

    def _lay_out(self, start: int, component: Component) -> int:
        self._components[component.id] = component
        tables = tables_for(component)
        length = sum(table.length for table in tables)
        self._put(_fixed(start, ModbusType.STRING16, "Component-ID", component.id))
        name = f'Length of block "{component.id}"'
        self._put(_fixed(start + 16, ModbusType.UINT16, name, length))
        base = start + HEADER
        for table in tables:
            nature = table.nature
            hashed = java_string_hash(nature)
            self._put(_fixed(base, ModbusType.UINT16, f'Hash of "{nature}"', hashed))
            name = f'Length of block "{nature}"'
            self._put(_fixed(base + 1, ModbusType.UINT16, name, table.length))
            self._records(base + 2, table, component)
            base += table.length
        # the 20-register header is not counted: the next block starts `length` after this one
        return start + length

    # -- reading -------------------------------------------------------------------------------
    def value(self, slot: Slot, snapshot: Snapshot | None = None) -> RecordValue:
        record = slot.record
        component = self._components.get(slot.component_id)
        if record.doc is not None and component is not None:
            if slot.access is AccessMode.WRITE_ONLY:
                return None  # a setpoint is written, never read back
            if snapshot is not None:
                return snapshot.value(slot.channel)
            channel = component.channels.get(record.doc.name)
            return None if channel is None else channel.value
        if record.compute is not None and component is not None:
            return record.compute(component)
        return record.constant

    def read(self, address: int, count: int) -> list[int]:
        """`count` registers from `address`; 0xFFFF where no record starts. Raises IllegalAddress
        when the read ends inside a record (OpenEMS refuses those too)."""
        snapshot = None if self._snapshots is None else self._snapshots.current()
        words: list[int] = []
        end = address + count
        current = address
        while current < end:
            slot = self.slots.get(current)
            if slot is None:
                words += _RESERVED
                current += 1
                continue
            size = slot.size
            if current + size > end:
                raise IllegalAddress(
                    f"the record at {current} ({slot.record.kind.label}) does not fit "
                    f"in a read that ends at {end - 1}"
                )
            words += encode(slot.record.kind, self.value(slot, snapshot))
            current += size
        return words

    def owner(self, address: int) -> Slot | None:
        return self._owner.get(address)

    # -- JSON-RPC `getModbusProtocol` ------------------------------------------------------------
    def protocol(self) -> list[dict[str, Any]]:
        """OpenEMS's table: ref, name, value, unit, type, access, in address order."""
        rows = []
        for address in sorted(self.slots):
            slot = self.slots[address]
            record = slot.record
            if record.doc is not None:
                described = record.doc.text
            elif record.constant is not None:
                described = f'"{record.constant}"'  # OpenEMS quotes a constant's value
            else:
                described = ""
            rows.append(
                {
                    "ref": address,
                    "name": slot.name,
                    "value": described,
                    "unit": record.unit,
                    "type": record.kind.label,
                    "access": slot.access.value,
                }
            )
        return rows
