"""OpenEMS's MQTT topic names (`edge/<id>/channel/<component>/<channel>`) and our own beside
them: the availability topic, `…/set` commands and their replies."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Topics:
    base: str  # "[<prefix>/]edge/<clientId>"

    @classmethod
    def of(cls, prefix: str, client_id: str) -> Topics:
        return cls(f"{prefix}/edge/{client_id}" if prefix else f"edge/{client_id}")

    def channel(self, address: str) -> str:
        return f"{self.base}/channel/{address}"

    @property
    def last_update(self) -> str:
        return f"{self.base}/channel/lastUpdate"

    @property
    def edge_config(self) -> str:
        # OpenEMS's TOPIC_EDGE_CONFIG is "edgeConfig/": the trailing slash is part of the name
        return f"{self.base}/edgeConfig/"

    @property
    def status(self) -> str:
        """ "online" while connected; the broker publishes "offline" (our will) when we vanish."""
        return f"{self.base}/status"

    @property
    def commands(self) -> str:
        """What the edge subscribes to: `…/channel/<component>/<channel>/set`."""
        return f"{self.base}/channel/+/+/set"

    def command(self, address: str) -> str:
        return f"{self.channel(address)}/set"

    def reply(self, address: str) -> str:
        # one level below …/set, so the edge's own subscription never receives it
        return f"{self.command(address)}/reply"

    def address_of_command(self, topic: str) -> str | None:
        """`ess0/SetActivePowerEquals` for its `…/set` topic; None for anything else."""
        head = f"{self.base}/channel/"
        if not topic.startswith(head) or not topic.endswith("/set"):
            return None
        parts = topic[len(head) : -len("/set")].split("/")
        if len(parts) != 2 or not all(parts):
            return None
        return "/".join(parts)
