"""Component health: state channels with a level; `State` is the worst active level."""

from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum

from wattkeeper.core.channel import ChannelDoc, ChannelType, History


class Level(IntEnum):
    OK = 0
    INFO = 1
    WARNING = 2
    FAULT = 3


LEVEL_OPTIONS = tuple((level.name, int(level)) for level in Level)

STATE = ChannelDoc(
    "State",
    ChannelType.INTEGER,
    text="0:Ok, 1:Info, 2:Warning, 3:Fault",
    history=History.STATE,
    options=LEVEL_OPTIONS,
)


@dataclass(frozen=True, slots=True)
class StateDoc:
    """A named condition (a BOOLEAN channel) that, when active, raises `State` to `level`."""

    name: str
    level: Level
    text: str

    def channel_doc(self) -> ChannelDoc:
        return ChannelDoc(
            self.name,
            ChannelType.BOOLEAN,
            text=f"{self.level.name}: {self.text}",
            level=self.level.name,
        )


RUN_FAILED = StateDoc("RunFailed", Level.FAULT, "Running the controller failed")
COMMUNICATION_FAILED = StateDoc("CommunicationFailed", Level.FAULT, "The device does not answer")
