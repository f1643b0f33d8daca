"""SunSpec discovery as a sans-I/O state machine.

    discovery = Discovery()
    while (request := discovery.next_request()) is not None:
        discovery.feed(read(request.address, request.count))  # None if the read failed
    discovery.result  # -> SunSpecMap, or None with discovery.error saying why

It probes the well-known base addresses 40000, 0 and 50000 for the marker "SunS"
(0x5375 0x6E53), then walks the model chain: each model starts with its id and length L,
the next one follows L + 2 registers later, and id 0xFFFF ends the chain.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from wattkeeper.protocols.registers import ReadRange

MARKER = (0x5375, 0x6E53)  # "SunS"
BASES = (40000, 0, 50000)
END_ID = 0xFFFF
MAX_MODELS = 64  # a safety net against a chain that never ends


@dataclass(frozen=True, slots=True)
class ModelBlock:
    """A model found on the device: its id, first register (the id) and length L."""

    model_id: int
    address: int
    length: int

    @property
    def count(self) -> int:
        """Registers including the two header registers."""
        return self.length + 2


@dataclass(frozen=True)
class SunSpecMap:
    base: int
    models: tuple[ModelBlock, ...]

    def find(self, *model_ids: int) -> ModelBlock | None:
        """The first model present, in the order of preference given."""
        for model_id in model_ids:
            for model in self.models:
                if model.model_id == model_id:
                    return model
        return None

    @property
    def ids(self) -> list[int]:
        return [m.model_id for m in self.models]


@dataclass
class Discovery:
    bases: Sequence[int] = BASES
    _base_index: int = 0
    _base: int | None = None
    _cursor: int = 0
    _models: list[ModelBlock] = field(default_factory=list)
    _done: bool = False
    result: SunSpecMap | None = None
    error: str = ""

    def next_request(self) -> ReadRange | None:
        """The next read to do, or None when discovery has finished."""
        if self._done:
            return None
        if self._base is None:
            return ReadRange(self.bases[self._base_index], 2)
        return ReadRange(self._cursor, 2)

    def feed(self, words: Sequence[int] | None) -> None:
        """The answer to the last request; None when the device refused the read."""
        if self._done:
            raise RuntimeError("discovery has finished")
        if self._base is None:
            if words is not None and tuple(words[:2]) == MARKER:
                self._base = self.bases[self._base_index]
                self._cursor = self._base + 2
                return
            self._base_index += 1
            if self._base_index >= len(self.bases):
                self._finish(f"no SunSpec marker at {', '.join(map(str, self.bases))}")
            return
        if words is None or len(words) < 2 or words[0] == END_ID:
            # a chain may also end where the address space ends (no end marker)
            self._finish("")
            return
        model_id, length = words[0], words[1]
        self._models.append(ModelBlock(model_id, self._cursor, length))
        self._cursor += length + 2
        if len(self._models) >= MAX_MODELS:
            self._finish("")

    def _finish(self, error: str) -> None:
        self._done = True
        self.error = error
        if not error and self._base is not None:
            self.result = SunSpecMap(self._base, tuple(self._models))
