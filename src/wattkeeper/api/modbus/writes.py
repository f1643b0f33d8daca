"""Register writes to `Set*` records, turned into write requests for the Modbus API's gate.

A float32 setpoint may arrive in one write (function 16) or as two single registers (function 6,
high word first); words are collected per connection and record until the record is complete.
Every register and every value of a request is checked (the gate's `validate`) before the first
is written, so a request is refused whole or applied whole.
"""

from __future__ import annotations

from collections.abc import Callable

from pymodbus.constants import ExcCodes

from wattkeeper.api.modbus.image import ProcessImage, Slot
from wattkeeper.config.overrides import StorageError
from wattkeeper.core.errors import NotFoundError, WriteRejected
from wattkeeper.core.writes import WriteGate, WriteRequest
from wattkeeper.protocols.openems_modbus import decode

SOURCE = "modbus"
#: Modbus has no login: a client the allow-list lets in writes as the app's owner would
USER, ROLE = "modbus", "owner"


class Refused(Exception):
    """A request answered with a Modbus exception code; the message says why (logged)."""

    def __init__(self, message: str, code: int) -> None:
        super().__init__(message)
        self.code = code


class RegisterWriter:
    """Writes of one read-write Modbus/TCP API, through its controller's write gate."""

    def __init__(self, image: ProcessImage, gate: Callable[[], WriteGate | None]) -> None:
        self.image = image
        self._gate = gate
        #: words of records written partly so far, per connection and record address
        self._pending: dict[tuple[object, int], dict[int, int]] = {}

    def forget(self, connection: object) -> None:
        for key in [key for key in self._pending if key[0] is connection]:
            del self._pending[key]

    def write(self, connection: object, remote: str, address: int, values: list[int]) -> None:
        gate = self._gate()
        if gate is None:
            raise Refused("write access is not installed", ExcCodes.ILLEGAL_FUNCTION)
        words: dict[int, tuple[Slot, dict[int, int]]] = {}
        for index, word in enumerate(values):
            slot = self._writable(address + index)
            key = (connection, slot.address)
            _, got = words.setdefault(slot.address, (slot, dict(self._pending.get(key, {}))))
            got[address + index - slot.address] = word
        complete = []
        for slot, got in words.values():
            if len(got) < slot.record.kind.words:
                continue
            value = decode(slot.record.kind, [got[i] for i in range(len(got))])
            doc = slot.record.doc
            assert doc is not None  # _writable admits channel records only
            self._refused(gate.validate, slot.component_id, doc.name, value)
            complete.append((slot, value))
        for slot, got in words.values():
            key = (connection, slot.address)
            if len(got) < slot.record.kind.words:
                self._pending[key] = got
            else:
                self._pending.pop(key, None)
        for slot, value in complete:
            request = WriteRequest(slot.address_of_channel, value, USER, ROLE, remote, SOURCE)
            self._refused(gate.write, request)

    def _writable(self, address: int) -> Slot:
        slot = self.image.owner(address)
        if slot is None or slot.record.doc is None or not slot.access.writable:
            name = slot.name if slot is not None else "no record"
            message = f"register {address} ({name}) cannot be written"
            raise Refused(message, ExcCodes.ILLEGAL_ADDRESS)
        return slot

    @staticmethod
    def _refused(action: Callable[..., object], *args: object) -> None:
        """Run a gate call; its refusal becomes the Modbus exception that says it."""
        try:
            action(*args)
        except NotFoundError as error:
            raise Refused(str(error), ExcCodes.ILLEGAL_ADDRESS) from None
        except WriteRejected as error:
            raise Refused(str(error), ExcCodes.ILLEGAL_VALUE) from None
        except StorageError as error:  # the write cannot be audited: refused, nothing held
            raise Refused(f"not audited: {error}", ExcCodes.DEVICE_FAILURE) from None
