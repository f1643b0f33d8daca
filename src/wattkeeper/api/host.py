"""`_host`: the machine the edge runs on (integrations look for `_host/Hostname`)."""

from __future__ import annotations

import socket

from wattkeeper.core.channel import ChannelDoc, ChannelType, Unit
from wattkeeper.core.component import Component

HOST_ID = "_host"


class HostComponent(Component):
    """Hostname once at start; uptime of the edge process refreshed with every process image."""

    def __init__(self) -> None:
        super().__init__(HOST_ID, "Host")
        self.declare(
            ChannelDoc("Hostname", ChannelType.STRING, text="Network name of this machine"),
            ChannelDoc(
                "Uptime", ChannelType.LONG, Unit.SECONDS, text="Seconds since the edge started"
            ),
        )
        self.channel("Hostname").set_now(socket.gethostname())
        self._started: float | None = None

    def before_process_image(self, now: float) -> None:
        if self._started is None:
            self._started = now
        self.set("Uptime", round(now - self._started))
