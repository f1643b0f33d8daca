"""One outbound websocket to a backend: data out of the outbox, the backend's requests in.

Everything the edge reports goes through the disk outbox, so a dead socket, a killed backend
node or a long outage loses nothing the bound keeps. Our backend confirms what it has stored
(`dataStored {count}`, an addition to OpenEMS's protocol); the edge forgets a message only then.
A backend that never confirms (OpenEMS's own) gets each message once, as OpenEMS's edge does."""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import time
from collections import deque
from collections.abc import Awaitable, Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

import websockets
from websockets.asyncio.client import ClientConnection, connect

from wattkeeper.uplink.outbox import AGGREGATED, RAW, Outbox
from wattkeeper.uplink.sampler import Sampler, Value

log = logging.getLogger(__name__)

MAX_MESSAGE = 4 * 1024 * 1024  # a backend's request is small; anything larger is refused
HELLO_S = 2.0  # how long the edge waits for our backend's greeting before it assumes OpenEMS's
SEND_BATCH = 200
MAX_REQUESTS = 16  # backend requests handled at once; more are answered with an error

#: (user {id, name, role}, JSON-RPC request) → result; raises RequestError for an error answer
RequestHandler = Callable[[Mapping[str, Any], Mapping[str, Any]], Awaitable[Any]]


class RequestError(Exception):
    def __init__(self, code: int, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


class EdgeLink:
    """Keeps one websocket to the first backend of `uris` that answers, and reconnects."""

    def __init__(
        self,
        uris: Sequence[str],
        apikey: str,
        outbox_path: Path | str,
        handler: RequestHandler,
        random: Callable[[], float],
        *,
        is_counter: Callable[[str], bool] = lambda address: False,
        max_rows: int = 100_000,
        reconnect_s: float = 1.0,
        max_reconnect_s: float = 30.0,
        hello_s: float = HELLO_S,
    ) -> None:
        if not uris:
            raise ValueError("a backend URI is needed")
        self.uris = list(uris)
        self.apikey = apikey
        self.handler = handler
        self.sampler = Sampler(random, is_counter)
        self.outbox = Outbox(outbox_path, max_rows)
        self._random = random
        self.reconnect_s = reconnect_s
        self.max_reconnect_s = max_reconnect_s
        self.hello_s = hello_s
        self.connected_to: str | None = None
        self.connections = 0
        self.sent = 0
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._requests: set[asyncio.Task[None]] = set()
        self._ws: ClientConnection | None = None
        self._flushing = 0
        #: seconds from sending a message to the backend's confirmation that it is stored
        self.ack_latencies: deque[float] = deque(maxlen=100_000)

    # -- the cycle's side: never waits ------------------------------------------------------------
    def sample(self, ts: float, values: Mapping[str, Value]) -> None:
        self.sampler.sample(ts, values)
        self._wake.set()

    # -- lifecycle --------------------------------------------------------------------------------
    def start(self) -> None:
        if self._task is None:
            self._task = asyncio.get_running_loop().create_task(self.run(), name="uplink")

    async def stop(self) -> None:
        task, self._task = self._task, None
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        await self._flush()
        self.outbox.close()

    async def run(self) -> None:
        failures = 0
        index = 0
        while True:
            uri = self.uris[index % len(self.uris)]
            try:
                async with connect(
                    uri,
                    additional_headers={"apikey": self.apikey},
                    max_size=MAX_MESSAGE,
                    open_timeout=10,
                    ping_interval=10,
                    ping_timeout=10,
                ) as ws:
                    failures = 0
                    await self._session(ws, uri)
            except asyncio.CancelledError:
                raise
            except (OSError, TimeoutError, websockets.WebSocketException) as error:
                log.info("backend %s: %s", uri, error)
            finally:
                self.connected_to = None
                self._ws = None
            await self._flush()  # the cycle's values keep going to disk while offline
            failures += 1
            index += 1  # the next backend of the list (behind a balancer: the same URI)
            wait = min(self.max_reconnect_s, self.reconnect_s * 2 ** min(failures - 1, 10))
            await asyncio.sleep(wait * (0.5 + self._random() / 2))

    async def _session(self, ws: ClientConnection, uri: str) -> None:
        acking = await self._hello(ws)

        self._ws = ws
        self.connected_to = uri
        self.connections += 1
        log.info("connected to backend %s", uri)
        inflight: list[tuple[int, float]] = []  # (outbox id, when sent)
        acked = [0]

        backlog = self.outbox.last_id()
        reader = asyncio.create_task(self._read(ws, inflight, acked, acking))
        try:
            cursor = 0
            while not reader.done():
                await self._flush()
                rows = self.outbox.after(cursor, SEND_BATCH)
                for row_id, kind, payload in rows:
                    method = "resendData" if kind == AGGREGATED and row_id <= backlog else kind
                    # in flight before it is sent: the confirmation may come before send returns
                    inflight.append((row_id, time.monotonic()))
                    cursor = row_id
                    await ws.send(f'{{"jsonrpc":"2.0","method":"{method}","params":{payload}}}')
                    self.sent += 1
                if not acking:
                    # nobody will confirm: sent is delivered
                    self.outbox.remove([row_id for row_id, _ in inflight])
                    inflight.clear()
                if len(rows) == SEND_BATCH:
                    continue
                self._wake.clear()
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._wake.wait(), 1.0)
            reader.result()
        finally:
            reader.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await reader

    async def _hello(self, ws: ClientConnection) -> bool:
        """Our backend greets with `dataStored {count: 0}`; OpenEMS's says nothing."""
        try:
            first = await asyncio.wait_for(ws.recv(), self.hello_s)
        except TimeoutError:
            return False
        message = _parse(first)
        return message is not None and message.get("method") == "dataStored"

    async def _read(
        self,
        ws: ClientConnection,
        inflight: list[tuple[int, float]],
        acked: list[int],
        acking: bool,
    ) -> None:
        async for raw in ws:
            message = _parse(raw)
            if message is None:
                continue
            method = message.get("method")
            if method == "dataStored" and acking:
                count = message.get("params", {}).get("count")
                if isinstance(count, int) and acked[0] < count:
                    done = inflight[: count - acked[0]]
                    del inflight[: len(done)]
                    acked[0] = count
                    now = time.monotonic()
                    self.ack_latencies.extend(now - sent for _, sent in done)
                    await asyncio.to_thread(self.outbox.remove, [row_id for row_id, _ in done])
            elif isinstance(method, str) and "id" in message:
                if len(self._requests) >= MAX_REQUESTS:
                    await _answer(ws, message["id"], error=RequestError(-32000, "edge busy"))
                    continue
                task = asyncio.create_task(self._request(ws, message))
                self._requests.add(task)
                task.add_done_callback(self._requests.discard)

    async def _request(self, ws: ClientConnection, message: dict[str, Any]) -> None:
        request_id = message["id"]
        params = message.get("params")
        try:
            if message["method"] != "authenticatedRpc" or not isinstance(params, dict):
                raise RequestError(-32601, f"Unknown JSON-RPC method [{message['method']}]")
            user, payload = params.get("user"), params.get("payload")
            if not isinstance(user, dict) or not isinstance(payload, dict):
                raise RequestError(-32602, "authenticatedRpc needs a user and a payload")
            result = await self.handler(user, payload)
        except RequestError as error:
            await _answer(ws, request_id, error=error)
            return
        except Exception:  # a fault in one request must not end the link
            log.exception("backend request %s failed", message.get("method"))
            await _answer(ws, request_id, error=RequestError(-32603, "internal error"))
            return
        await _answer(ws, request_id, result=result)

    def pending(self) -> int:
        """Messages made but not yet confirmed by the backend (0: all delivered)."""
        return self.sampler.waiting() + self._flushing + len(self.outbox)

    async def _flush(self) -> None:
        """The sampler's due messages into the outbox: raw values of several cycles as one."""
        due = self.sampler.take()
        if not due:
            return
        self._flushing += 1
        try:
            await self._store(due)
        finally:
            self._flushing -= 1

    async def _store(self, due: list[tuple[str, dict[str, Any]]]) -> None:
        raw: dict[str, Any] = {}
        rows: list[tuple[str, str]] = []
        for method, params in due:
            if method == RAW:
                raw.update(params)
            else:
                rows.append((AGGREGATED, json.dumps(params)))
        if raw:
            rows.insert(0, (RAW, json.dumps(raw)))
        await asyncio.to_thread(self.outbox.add, rows)


async def _answer(
    ws: ClientConnection, request_id: Any, result: Any = None, error: RequestError | None = None
) -> None:
    body: dict[str, Any] = {"jsonrpc": "2.0", "id": request_id}
    if error is not None:
        body["error"] = {"code": error.code, "message": error.message}
    else:
        body["result"] = {} if result is None else result
    with contextlib.suppress(websockets.WebSocketException):
        await ws.send(json.dumps(body))


def _parse(raw: str | bytes) -> dict[str, Any] | None:
    try:
        message = json.loads(raw)
    except ValueError:
        return None
    return message if isinstance(message, dict) else None
