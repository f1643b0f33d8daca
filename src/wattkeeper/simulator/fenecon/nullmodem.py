"""A null-modem cable made of two pseudo-terminal pairs: what one end writes, the other reads.

Each side is a real tty device path (`edge_path`, `device_path`) that a serial client or
server opens like an RS-485 adapter; the event loop copies bytes between the two masters.
Used by the tests, the benchmark and `simulate-device --serial pty` (Linux/macOS).
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import tty


class NullModem:
    def __init__(self) -> None:
        self._fds: list[int] = []
        self._masters: tuple[int, int] | None = None
        self.edge_path = ""
        self.device_path = ""

    def _pair(self) -> tuple[int, str]:
        master, slave = os.openpty()
        tty.setraw(master)
        tty.setraw(slave)
        self._fds += [master, slave]
        return master, os.ttyname(slave)

    def open(self) -> NullModem:
        """Create both pairs and start copying (needs a running event loop)."""
        loop = asyncio.get_running_loop()
        a, self.edge_path = self._pair()
        b, self.device_path = self._pair()
        self._masters = (a, b)
        loop.add_reader(a, self._copy, a, b)
        loop.add_reader(b, self._copy, b, a)
        return self

    @staticmethod
    def _copy(source: int, target: int) -> None:
        try:
            data = os.read(source, 4096)
        except OSError:
            return  # the other side closed its end: nothing to carry
        with contextlib.suppress(OSError):
            os.write(target, data)

    def close(self) -> None:
        if self._masters is not None:
            loop = asyncio.get_running_loop()
            for fd in self._masters:
                loop.remove_reader(fd)
            self._masters = None
        for fd in self._fds:
            with contextlib.suppress(OSError):
                os.close(fd)
        self._fds = []
