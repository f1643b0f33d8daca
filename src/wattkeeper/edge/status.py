"""The live status of `wattkeeper run`: one updating line on a terminal, log lines otherwise."""

from __future__ import annotations

import logging
import sys
from typing import TextIO

from wattkeeper.core.channel import ChannelDoc
from wattkeeper.core.events import CycleDone
from wattkeeper.core.manager import ComponentManager
from wattkeeper.natures.sum import (
    CONSUMPTION_ACTIVE_POWER,
    ESS_ACTIVE_POWER,
    ESS_SOC,
    GRID_ACTIVE_POWER,
    PRODUCTION_ACTIVE_POWER,
    SUM_ID,
)

log = logging.getLogger("wattkeeper.edge.status")


def status_line(manager: ComponentManager) -> str:
    site = manager.get(SUM_ID)

    def get(key: ChannelDoc) -> str:
        value = site.value(key)
        return "--" if value is None else f"{value}"

    return (
        f"SoC {get(ESS_SOC)} %  PV {get(PRODUCTION_ACTIVE_POWER)} W  "
        f"load {get(CONSUMPTION_ACTIVE_POWER)} W  grid {get(GRID_ACTIVE_POWER)} W  "
        f"battery {get(ESS_ACTIVE_POWER)} W"
    )


class StatusDisplay:
    """Rewrites one line on a terminal each cycle; logs every `log_every` cycles otherwise."""

    def __init__(self, manager: ComponentManager, out: TextIO = sys.stderr, log_every: int = 10):
        self.manager = manager
        self.out = out
        self.tty = out.isatty()
        self.log_every = log_every

    def __call__(self, event: CycleDone) -> None:
        line = status_line(self.manager)
        if self.tty:
            self.out.write(f"\r\x1b[2K{line}")
            self.out.flush()
        elif event.number % self.log_every == 1:
            log.info("%s", line)

    def close(self) -> None:
        if self.tty:
            self.out.write("\n")
            self.out.flush()
