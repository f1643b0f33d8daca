"""Run an ASGI app under uvicorn in a background thread, e.g. the licence service in tests."""

from __future__ import annotations

import socket
import threading
import time
from types import TracebackType

import uvicorn
from starlette.types import ASGIApp

_START_TIMEOUT_S = 10.0


class BackgroundServer:
    """Context manager: serve ``app`` on ``host``:``port`` (0 = a free port) until exit.

    ``__enter__`` binds the socket itself, so ``port``/``url`` are the real ones even for
    port 0, and returns once uvicorn reports it is serving. ``__exit__`` stops and joins it.
    """

    def __init__(self, app: ASGIApp, host: str = "127.0.0.1", port: int = 0) -> None:
        self.host = host
        self.port = port
        self._server = uvicorn.Server(uvicorn.Config(app, log_level="warning"))
        self._socket: socket.socket | None = None
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        """Base URL, e.g. ``http://127.0.0.1:54321``."""
        return f"http://{self.host}:{self.port}"

    def __enter__(self) -> BackgroundServer:
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((self.host, self.port))
        self._socket = sock
        self.port = sock.getsockname()[1]
        self._thread = threading.Thread(
            target=self._server.run, kwargs={"sockets": [sock]}, daemon=True
        )
        self._thread.start()
        try:
            self._wait_started(self._thread)
        except BaseException:
            self.__exit__(None, None, None)
            raise
        return self

    def _wait_started(self, thread: threading.Thread) -> None:
        deadline = time.monotonic() + _START_TIMEOUT_S
        while not self._server.started:
            # join() doubles as a short pause and notices a thread that died during startup.
            thread.join(0.01)
            if not thread.is_alive():
                raise RuntimeError("server thread exited during startup")
            if time.monotonic() > deadline:
                raise RuntimeError(f"server did not start within {_START_TIMEOUT_S} s")

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self._server.should_exit = True
        if self._thread is not None:
            self._thread.join(timeout=_START_TIMEOUT_S)
        if self._socket is not None:
            self._socket.close()
