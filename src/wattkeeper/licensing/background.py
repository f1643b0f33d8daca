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

    The socket is bound here, so ``port`` is known before the thread starts; ``__enter__``
    returns once uvicorn reports it is serving.
    """

    def __init__(self, app: ASGIApp, host: str = "127.0.0.1", port: int = 0) -> None:
        self._socket = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._socket.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._socket.bind((host, port))
        self.host, self.port = self._socket.getsockname()[:2]
        config = uvicorn.Config(app, log_level="warning", lifespan="off")
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(
            target=self._server.run, kwargs={"sockets": [self._socket]}, daemon=True
        )

    @property
    def url(self) -> str:
        """Base URL, e.g. ``http://127.0.0.1:54321``."""
        return f"http://{self.host}:{self.port}"

    def __enter__(self) -> BackgroundServer:
        self._thread.start()
        self._wait_started()
        return self

    def _wait_started(self) -> None:
        deadline = time.monotonic() + _START_TIMEOUT_S
        while not self._server.started:
            # join() doubles as a short pause and notices a thread that died during startup.
            self._thread.join(0.01)
            if not self._thread.is_alive():
                raise RuntimeError("server thread exited during startup")
            if time.monotonic() > deadline:
                self.__exit__(None, None, None)
                raise RuntimeError(f"server did not start within {_START_TIMEOUT_S} s")

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self._server.should_exit = True
        self._thread.join(timeout=_START_TIMEOUT_S)
        self._socket.close()
