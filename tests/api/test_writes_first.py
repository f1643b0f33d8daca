"""A write's handler starts in the callback that received it, ahead of the reads queued before it
(issue 20: a POST's way to the battery does not wait behind reads); `start_now` keeps the
behaviour of an ordinary task otherwise: results, errors, cancellation, timeouts, context."""

from __future__ import annotations

import asyncio
import base64
import contextlib
import contextvars
import socket
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from tests.api.conftest import demo_with_write_access
from wattkeeper.api.eager import start_now
from wattkeeper.core.stand_aside import CHECKPOINT
from wattkeeper.drivers.simulated.battery import SimulatedBattery
from wattkeeper.edge.app import Edge
from wattkeeper.testing.eventually import eventually
from wattkeeper.testing.fake_clock import FakeClock

VAR: contextvars.ContextVar[str] = contextvars.ContextVar("VAR", default="outside")


# -- start_now ------------------------------------------------------------------------------------
async def test_the_first_step_runs_before_start_now_returns() -> None:
    loop = asyncio.get_running_loop()
    steps: list[str] = []
    future: asyncio.Future[int] = loop.create_future()

    async def handler() -> int:
        steps.append(f"first, in {asyncio.current_task() is not None and 'a task'}")
        got = await future
        steps.append("second")
        return got * 2

    started: list[asyncio.Task[int]] = []
    loop.call_soon(lambda: started.append(start_now(loop, handler())))
    await asyncio.sleep(0)
    assert steps == ["first, in a task"]  # before any other callback ran
    future.set_result(21)
    assert await started[0] == 42
    assert steps == ["first, in a task", "second"]


async def test_errors_and_ends_reach_whoever_awaits() -> None:
    loop = asyncio.get_running_loop()

    async def ends_at_once() -> str:
        return "done"

    async def fails_later(future: asyncio.Future[None]) -> None:
        await future
        raise ValueError("later")

    async def fails_at_once() -> None:
        raise KeyError("at once")

    async def catches(future: asyncio.Future[None]) -> str:
        try:
            await future
        except LookupError as error:
            return f"caught {error!r}"
        return "nothing"

    results: dict[str, asyncio.Task[object]] = {}
    waiting: asyncio.Future[None] = loop.create_future()
    failing: asyncio.Future[None] = loop.create_future()

    def from_a_callback() -> None:
        results["ends"] = start_now(loop, ends_at_once())
        results["later"] = start_now(loop, fails_later(waiting))
        results["once"] = start_now(loop, fails_at_once())
        results["catches"] = start_now(loop, catches(failing))

    loop.call_soon(from_a_callback)
    await asyncio.sleep(0)
    assert await results["ends"] == "done"
    with pytest.raises(KeyError):
        await results["once"]
    waiting.set_result(None)
    with pytest.raises(ValueError, match="later"):
        await results["later"]
    failing.set_exception(IndexError("inner"))  # the coroutine takes the future's error itself
    assert await results["catches"] == "caught IndexError('inner')"


@pytest.mark.parametrize("passes", [0, 3], ids=["before the task's first step", "in the task"])
async def test_cancelling_reaches_the_coroutine_where_it_waits(passes: int) -> None:
    loop = asyncio.get_running_loop()
    seen: list[str] = []
    never: asyncio.Future[None] = loop.create_future()

    async def waits() -> None:
        try:
            await never
        except asyncio.CancelledError:
            seen.append("cancelled inside")
            raise

    started: list[asyncio.Task[None]] = []
    loop.call_soon(lambda: started.append(start_now(loop, waits())))
    for _ in range(1 + passes):
        await asyncio.sleep(0)
    started[0].cancel()
    with pytest.raises(asyncio.CancelledError):
        await started[0]
    assert seen == ["cancelled inside"]
    assert never.cancelled()


async def test_a_timeout_entered_in_the_first_step_expires_in_the_task() -> None:
    loop = asyncio.get_running_loop()

    async def slow_body() -> str:
        try:
            async with asyncio.timeout(0.01):  # as read_body bounds a slow body
                await asyncio.sleep(10)
        except TimeoutError:
            return "timed out"
        return "no"

    started: list[asyncio.Task[str]] = []
    loop.call_soon(lambda: started.append(start_now(loop, slow_body())))
    await asyncio.sleep(0)
    assert await asyncio.wait_for(started[0], 5) == "timed out"


async def test_context_set_inside_stays_inside() -> None:
    loop = asyncio.get_running_loop()

    async def sets() -> str:
        VAR.set("inside")
        await asyncio.sleep(0)
        return VAR.get()

    started: list[asyncio.Task[str]] = []
    loop.call_soon(lambda: started.append(start_now(loop, sets())))
    await asyncio.sleep(0)
    assert await started[0] == "inside"
    assert VAR.get() == "outside"


async def test_inside_a_task_it_is_an_ordinary_task() -> None:
    ran: list[int] = []

    async def note() -> None:
        ran.append(1)

    task = start_now(asyncio.get_running_loop(), note())
    assert ran == []  # a task is running (this test): no step is taken inside it
    await task
    assert ran == [1]


# -- on a real socket -----------------------------------------------------------------------------
def _request(method: str, path: str, password: str, body: bytes = b"") -> bytes:
    token = base64.b64encode(f"x:{password}".encode()).decode()
    head = f"{method} {path} HTTP/1.1\r\nHost: edge\r\nAuthorization: Basic {token}\r\n"
    if body:
        head += f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n"
    return head.encode() + b"\r\n" + body


@contextlib.asynccontextmanager
async def _nine_clients(
    tmp_path: Path,
) -> AsyncIterator[tuple[Edge, list[str], list[socket.socket]]]:
    """The demo home serving on loopback, its cycle on a fake clock and not running; every read
    it answers and every setpoint at its battery noted in order; nine connected clients, the
    owner's password already checked (a hash, in a worker thread; from then on a lookup)."""
    site = demo_with_write_access()
    site.edge.ports, site.edge.host = [0], "127.0.0.1"
    clock = FakeClock()
    edge = Edge(site, tmp_path / "data", clock)
    await edge.start()
    edge.cycle.run_once()
    clock.advance(1)  # past the apply spacing: a write is applied at once
    servers = await edge.start_servers()
    order: list[str] = []
    battery = edge.manager.get("ess0")
    assert isinstance(battery, SimulatedBattery)
    write_power, read = battery.write_power, edge.api.reads.read

    def written(active: int, reactive: int) -> None:
        order.append(f"battery {active}")
        write_power(active, reactive)

    def answered(role: object, address: str) -> object:
        order.append("read")
        return read(role, address)  # type: ignore[arg-type]

    battery.write_power = written  # type: ignore[method-assign]
    edge.api.reads.read = answered  # type: ignore[method-assign]
    port = servers.bound[0]
    sockets = [socket.create_connection(("127.0.0.1", port)) for _ in range(9)]
    try:
        await eventually(lambda: len(servers.guard) == 9, timeout=5)  # all accepted
        sockets[0].sendall(_request("GET", "/rest/channel/_sum/EssSoc", "owner"))
        await eventually(lambda: order == ["read"], timeout=5)
        assert sockets[0].recv(4096).startswith(b"HTTP/1.1 200 ")
        order.clear()
        yield edge, order, sockets
        for client in sockets:
            client.settimeout(5)
            assert client.recv(4096).startswith(b"HTTP/1.1 200 ")
    finally:
        for client in sockets:
            client.close()
        await edge.stop_servers(servers)
        await edge.stop()


async def test_a_write_reaches_the_battery_before_reads_that_arrived_with_it(
    tmp_path: Path,
) -> None:
    """Eight reads and a write arrive in one pass of the event loop, the write last: the battery
    has its setpoint before any of the reads is answered."""
    async with _nine_clients(tmp_path) as (_, order, sockets):
        for reader in sockets[:8]:
            reader.sendall(_request("GET", "/rest/channel/_sum/EssSoc", "owner"))
        write = b'{"value": 3210}'
        post = _request("POST", "/rest/channel/ess0/SetActivePowerEquals", "owner", write)
        sockets[8].sendall(post)
        # nothing has run on the loop since: all nine arrive in its next pass
        await eventually(lambda: order.count("read") == 8 and "battery 3210" in order, timeout=5)
        assert order.index("battery 3210") < order.index("read"), order


async def test_the_first_read_to_arrive_stands_aside_for_the_cycle_a_write_does_not(
    tmp_path: Path,
) -> None:
    """The cycle's thread asked the network thread to stand aside (ADR 0206): a write that
    arrives meanwhile is applied without waiting for that; the next read to arrive takes the
    request before anything is answered, however many came with it, and takes it once."""
    async with _nine_clients(tmp_path) as (_, order, sockets):

        def stand_aside() -> None:
            order.append("stood aside")

        CHECKPOINT.ask(stand_aside)
        try:
            write = b'{"value": 3210}'
            post = _request("POST", "/rest/channel/ess0/SetActivePowerEquals", "owner", write)
            sockets[8].sendall(post)
            await eventually(lambda: order == ["battery 3210"], timeout=5)
            for reader in sockets[:8]:
                reader.sendall(_request("GET", "/rest/channel/_sum/EssSoc", "owner"))
            await eventually(lambda: order.count("read") == 8, timeout=5)
        finally:
            CHECKPOINT.withdraw(stand_aside)
        assert order == ["battery 3210", "stood aside"] + ["read"] * 8
