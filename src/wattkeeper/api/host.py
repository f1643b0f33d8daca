"""`_host`: the machine the edge runs on, and its `componentJsonApi` (update state, network)."""

from __future__ import annotations

import platform
import shutil
import socket
from pathlib import Path
from typing import Any

from wattkeeper import __version__
from wattkeeper.api.auth import require
from wattkeeper.api.context import RpcCall
from wattkeeper.api.errors import bad_request
from wattkeeper.api.users import Role
from wattkeeper.core.channel import ChannelDoc, ChannelType, Unit
from wattkeeper.core.component import Component
from wattkeeper.core.state import Level, StateDoc

HOST_ID = "_host"
DISK_IS_FULL = StateDoc("DiskIsFull", Level.INFO, "The data directory's disk is (nearly) full")
#: Below this much free space the disk counts as full (history and audit need room to grow).
DISK_FULL_BYTES = 100 * 1024 * 1024
_DISK_CHECK_EVERY_S = 60.0


def os_version() -> str:
    """`PRETTY_NAME` of /etc/os-release (what OpenEMS shows), else the platform string."""
    try:
        info = platform.freedesktop_os_release()
    except OSError:
        return platform.platform()
    return info.get("PRETTY_NAME") or platform.platform()


HOSTNAME = ChannelDoc("Hostname", ChannelType.STRING, text="Network name of this machine")
OS_VERSION = ChannelDoc("OsVersion", ChannelType.STRING, text="Operating system")
UPTIME = ChannelDoc("Uptime", ChannelType.LONG, Unit.SECONDS, text="Seconds since the edge started")


class HostComponent(Component):
    """Hostname and OS once at start; uptime and free disk space refreshed as it runs."""

    nature_id = "Host"

    def __init__(self, data_dir: Path | None = None) -> None:
        super().__init__(HOST_ID, "Host")
        self.declare(HOSTNAME, OS_VERSION, UPTIME)
        self.declare_state(DISK_IS_FULL)
        self.channel(HOSTNAME).set_now(socket.gethostname())
        self.channel(OS_VERSION).set_now(os_version())
        self._data_dir = data_dir
        self._started: float | None = None
        self._disk_checked: float | None = None

    def before_process_image(self, now: float) -> None:
        if self._started is None:
            self._started = now
        self.set(UPTIME, round(now - self._started))
        if self._data_dir is not None and (
            self._disk_checked is None or now - self._disk_checked >= _DISK_CHECK_EVERY_S
        ):
            self._disk_checked = now
            self.check_disk(shutil.disk_usage(self._data_dir).free)

    def check_disk(self, free_bytes: int) -> None:
        if free_bytes < DISK_FULL_BYTES:
            self.raise_state(DISK_IS_FULL, f"{free_bytes // 1024 // 1024} MiB free")
        else:
            self.clear_state(DISK_IS_FULL)


class HostApi:
    """`componentJsonApi` for `_host`: OpenEMS's `getSystemUpdateState` and `getNetworkInfo`.

    wattkeeper is updated with the Python package manager, not by the edge: there is no OEM
    update server to ask, so the edge knows only its own version (`unknown` without one)."""

    async def __call__(self, call: RpcCall) -> Any:
        require(call.user, Role.OWNER, f"{HOST_ID}: {call.method}")
        if call.method == "getSystemUpdateState":
            return system_update_state()
        if call.method == "getNetworkInfo":
            return network_info()
        raise bad_request(f"Component [{HOST_ID}] has no JSON API method [{call.method}]")


def system_update_state(version: str = __version__) -> dict[str, Any]:
    if not version:
        return {"unknown": {}}
    return {"updated": {"version": version}}


def network_info() -> dict[str, Any]:
    """OpenEMS's shape: each interface with its IPv4 addresses, and the IPv4 routing table."""
    import psutil  # only here: keeps it out of the edge's start-up

    interfaces = []
    for name, addresses in sorted(psutil.net_if_addrs().items()):
        ips = [
            {"label": name, "address": a.address, "subnetmask": _prefix(a.netmask)}
            for a in addresses
            if a.family == socket.AF_INET
        ]
        interfaces.append({"hardwareInterface": name, "ips": ips})
    return {"networkInterfaces": interfaces, "routes": routes()}


def _prefix(netmask: str | None) -> int:
    if not netmask:
        return 32
    return sum(bin(int(part)).count("1") for part in netmask.split("."))


def routes(table: Path = Path("/proc/net/route")) -> list[dict[str, Any]]:
    """The kernel's IPv4 routes (Linux); none where the table cannot be read."""
    try:
        lines = table.read_text().splitlines()[1:]
    except OSError:
        return []
    found = []
    for line in lines:
        fields = line.split()
        if len(fields) < 8:
            continue
        device, destination, metric, mask = fields[0], fields[1], fields[6], fields[7]
        network = socket.inet_ntoa(int(destination, 16).to_bytes(4, "little"))
        prefix = bin(int(mask, 16)).count("1")
        found.append(
            {
                "dst": "default" if prefix == 0 else f"{network}/{prefix}",
                "dev": device,
                "protocol": "kernel",
                "scope": "link",
                "metric": int(metric),
            }
        )
    return found
