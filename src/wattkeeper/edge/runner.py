"""Running an edge until it is told to stop: cycle, servers, status and a clean shutdown."""

from __future__ import annotations

import asyncio
import contextlib
import ctypes
import gc
import logging
import signal
from pathlib import Path

from wattkeeper.config.site import SiteConfig
from wattkeeper.edge.app import Edge
from wattkeeper.edge.cycle_thread import CycleThread
from wattkeeper.edge.status import StatusDisplay

log = logging.getLogger("wattkeeper")


def new_event_loop() -> asyncio.AbstractEventLoop:
    """uvloop where available: less time in the loop leaves the cycle's timing undisturbed."""
    try:
        import uvloop
    except ImportError:
        return asyncio.new_event_loop()
    loop: asyncio.AbstractEventLoop = uvloop.new_event_loop()
    return loop


M_MMAP_THRESHOLD = -3  # glibc's mallopt parameter


def return_large_allocations() -> None:
    """Large native allocations (scrypt's 16 MB per password check) mmapped and handed back to
    the system when freed. Left to itself glibc raises its mmap threshold after the first such
    free, so each worker thread's arena kept 16 MB for good: +80 MB after four logins."""
    try:
        libc = ctypes.CDLL(None)
        libc.mallopt(M_MMAP_THRESHOLD, 1 << 20)
    except (OSError, AttributeError):  # not glibc: nothing to tune
        pass


def settle_heap() -> None:
    """Once everything is built: collect, then freeze what survived, so the collector never
    walks the edge's long-lived objects again (a full collection of them stalled the cycle)."""
    gc.collect()
    gc.freeze()


async def run_edge(
    site: SiteConfig, data_dir: Path, speed: float | None = None, ports: list[int] | None = None
) -> int:
    return_large_allocations()  # before the first password hash (the users file)
    edge = Edge(site, data_dir, speed=speed, ports=ports)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError):
            loop.add_signal_handler(sig, stop.set)
    await edge.start()
    display = StatusDisplay(edge.manager)
    unsubscribe = edge.cycle.events.subscribe(display)
    log.info("edge %s started with %d components", edge.edge_id, len(list(edge.manager)))
    # the cycle in its own thread: no request can delay it (ADR 0200)
    cycle = CycleThread(edge.cycle)
    cycle.start()
    try:
        servers = await edge.start_servers()
    except OSError as error:
        log.error("%s", error)
        await cycle.stop()
        await edge.stop()
        return 1
    settle_heap()
    defaults = edge.users.defaults_in_use()
    if defaults:
        log.warning(
            "default passwords in use for %s: change them with `wattkeeper passwd USER`",
            ", ".join(defaults),
        )
    try:
        await stop.wait()
    finally:
        unsubscribe()
        display.close()
        log.info("stopping")
        await edge.stop_servers(servers)
        await cycle.stop()  # the last cycle's listeners run before the history closes
        await edge.stop()
    return 0
