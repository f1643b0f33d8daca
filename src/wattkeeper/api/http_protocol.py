"""uvicorn's h11 protocol with bounded heads, a deadline for sending one, and connection limits.

h11 keeps a request head in one buffer and refuses it once it passes a set size, scanning each
byte once; httptools (uvicorn's default when installed) accumulates a header value without limit
(see ADR 0050). The head's status says what was too long: 414 for the request line, 431 for the
headers.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Coroutine
from http import HTTPStatus
from typing import Any

import h11
from uvicorn.protocols.http.h11_impl import H11Protocol

from wattkeeper.api.connections import ConnectionGuard
from wattkeeper.api.eager import start_now
from wattkeeper.api.errors import ApiError
from wattkeeper.core.stand_aside import CHECKPOINT

MAX_HEAD = 32 * 1024  # request line and headers together
HEAD_TIMEOUT = 10.0  # seconds to send a complete head, from connect or from its first byte


class _NoBadRequestNoise(logging.Filter):
    """uvicorn warns once per malformed request: an attacker could fill the log with it."""

    def filter(self, record: logging.LogRecord) -> bool:
        return record.getMessage() != "Invalid HTTP request received."


_LOG = logging.getLogger("uvicorn.error.wattkeeper")
_LOG.addFilter(_NoBadRequestNoise())


class _Connection(h11.Connection):
    """Remembers why h11 refused a head, so the answer can say it."""

    refused: h11.RemoteProtocolError | None = None

    def next_event(self) -> Any:
        try:
            return super().next_event()
        except h11.RemoteProtocolError as error:
            self.refused = error
            raise


#: requests whose handler starts in the callback that received them, ahead of queued reads
#: (a write's way to the battery must not wait behind reads, issue 20)
FIRST = frozenset({"POST"})
FIRST_BYTES = tuple(method.encode() + b" " for method in FIRST)


class _WritesFirst:
    """The protocol's event loop while it handles received bytes, except that the task of a
    request in FIRST is kept back, to be started at once when its body has been handled too."""

    def __init__(self, loop: asyncio.AbstractEventLoop, protocol: GuardedH11Protocol) -> None:
        self._loop = loop
        self._protocol = protocol
        self.kept: list[tuple[Coroutine[Any, Any, None], asyncio.Future[None]]] = []

    def __getattr__(self, name: str) -> Any:
        return getattr(self._loop, name)

    def create_task(self, coro: Coroutine[Any, Any, None], **kwargs: Any) -> Any:
        if self._protocol.scope.get("method") not in FIRST:
            return self._loop.create_task(coro, **kwargs)
        stand_in: asyncio.Future[None] = self._loop.create_future()
        self.kept.append((coro, stand_in))
        return stand_in  # uvicorn tracks this (server shutdown waits for it, or cancels it)


def _follow(task: asyncio.Task[None], stand_in: asyncio.Future[None]) -> None:
    def ended(_: asyncio.Task[None]) -> None:
        if stand_in.done():
            return
        if task.cancelled():
            stand_in.cancel()
        else:  # uvicorn's run_asgi logs and answers every error of the app itself
            stand_in.set_result(None)

    def cancelled(_: asyncio.Future[None]) -> None:
        if stand_in.cancelled():
            task.cancel()

    task.add_done_callback(ended)
    stand_in.add_done_callback(cancelled)


class GuardedH11Protocol(H11Protocol):
    def __init__(self, *args: Any, guard: ConnectionGuard, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.conn = _Connection(h11.SERVER, MAX_HEAD)
        self.logger = _LOG
        self.guard = guard
        self._head_deadline: asyncio.TimerHandle | None = None
        self._admitted = False
        self._first = False  # the bytes just received begin a request of FIRST

    def data_received(self, data: bytes) -> None:
        self._first = data.startswith(FIRST_BYTES)
        if not self._first:  # a write is never held back (ADR 0204), not even for the cycle
            CHECKPOINT()  # the cycle about to start goes before a read (ADR 0206)
        super().data_received(data)  # calls handle_events
        self._watch_head()

    def handle_events(self) -> None:
        if self._first:
            self._first = False
            self._handle_writes_first()
        else:
            super().handle_events()  # no request of FIRST begins here: nothing to keep back

    def _handle_writes_first(self) -> None:
        loop = self.loop
        first = _WritesFirst(loop, self)
        self.loop = first  # type: ignore[assignment]
        try:
            super().handle_events()
        finally:
            self.loop = loop
        for coro, stand_in in first.kept:  # its body (if it came with the head) handled too
            _follow(start_now(loop, coro), stand_in)

    def _watch_head(self) -> None:
        """A head has HEAD_TIMEOUT to be complete, from connect or from its first byte; between
        requests uvicorn's keep-alive timeout closes a silent connection. No timer is set or
        cancelled for a head that arrives whole, as nearly every head does."""
        if self.conn.their_state is not h11.IDLE:
            if self._head_deadline is not None:  # a request came: its head is complete
                self._head_deadline.cancel()
                self._head_deadline = None
        elif (
            self._head_deadline is None
            and self.conn.trailing_data[0]
            and not self.transport.is_closing()
        ):
            self._arm_head_deadline()

    # -- the guard's view ----------------------------------------------------------------------
    def remote(self) -> str:
        return self.client[0] if self.client else "unknown"

    def idle(self) -> bool:
        return self.conn.their_state is h11.IDLE and (
            self.cycle is None or self.cycle.response_complete
        )

    def drop(self) -> None:
        self._admitted = False
        self.transport.close()

    # -- connection life -----------------------------------------------------------------------
    def connection_made(self, transport: Any) -> None:
        super().connection_made(transport)
        if not self.guard.admit(self):
            transport.abort()  # every slot is busy answering a request
            return
        self._admitted = True
        self._arm_head_deadline()

    def connection_lost(self, exc: Exception | None) -> None:
        self._release()
        super().connection_lost(exc)

    def _release(self) -> None:
        if self._head_deadline is not None:
            self._head_deadline.cancel()
            self._head_deadline = None
        if self._admitted:
            self._admitted = False
            self.guard.release(self)

    def _arm_head_deadline(self) -> None:
        if self._head_deadline is not None:
            self._head_deadline.cancel()
        self._head_deadline = self.loop.call_later(HEAD_TIMEOUT, self._head_overdue)

    def _head_overdue(self) -> None:
        self._head_deadline = None
        if self.transport.get_protocol() is self and self.idle():
            self.transport.close()

    def handle_websocket_upgrade(self, event: h11.Request) -> None:
        # from here on the websocket endpoint counts this connection (api/websocket.py)
        self._release()
        super().handle_websocket_upgrade(event)

    def send_400_response(self, msg: str) -> None:
        refused = self.conn.refused if isinstance(self.conn, _Connection) else None
        status = refused.error_status_hint if refused is not None else 400
        if status == 431 and b"\n" not in self.conn.trailing_data[0]:
            status = 414
            msg = f"Request line longer than {MAX_HEAD} bytes"
        elif status == 431:
            msg = f"Request headers longer than {MAX_HEAD} bytes in all"
        elif refused is not None:
            msg = f"Malformed HTTP request: {refused}"
        body = ApiError(status, msg).json()  # the same JSON error body as every other answer
        headers = [
            (b"content-type", b"application/json"),
            (b"content-length", str(len(body)).encode()),
            (b"connection", b"close"),
        ]
        # h11 is in its error state now: the answer is written raw
        head = b"HTTP/1.1 %d %s\r\n" % (status, HTTPStatus(status).phrase.encode())
        head += b"".join(name + b": " + value + b"\r\n" for name, value in headers)
        self.transport.write(head + b"\r\n" + body)
        self.transport.close()
