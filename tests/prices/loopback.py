"""A real HTTP server on a free loopback port that answers with the recorded price responses."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlparse

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "prices"

# a route answers (status, content type, body) for (query, headers, body)
Route = Callable[[dict[str, list[str]], dict[str, str], bytes], tuple[int, str, bytes]]


@dataclass
class Recorded:
    routes: dict[str, Route] = field(default_factory=dict)
    # answers every path not in routes (services that put parameters into the path)
    fallback: Route | None = None
    requests: list[tuple[str, str, dict[str, list[str]], dict[str, str], bytes]] = field(
        default_factory=list
    )
    # headers sent with every answer besides content type and length (e.g. rate limits)
    headers: dict[str, str] = field(default_factory=dict)


def fixture(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


@contextmanager
def serving(recorded: Recorded) -> Iterator[str]:
    """Serve `recorded.routes` by path; yields the base URL (http://127.0.0.1:port)."""

    class Handler(BaseHTTPRequestHandler):
        def _answer(self) -> None:
            url = urlparse(self.path)
            length = int(self.headers.get("content-length") or 0)
            body = self.rfile.read(length) if length else b""
            query = parse_qs(url.query)
            headers = {k.lower(): v for k, v in self.headers.items()}
            recorded.requests.append((self.command, url.path, query, headers, body))
            route = recorded.routes.get(url.path) or recorded.fallback
            status, kind, payload = (
                route(query, headers, body) if route else (404, "text/plain", b"no")
            )
            self.send_response(status)
            self.send_header("content-type", kind)
            self.send_header("content-length", str(len(payload)))
            for name, value in recorded.headers.items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(payload)

        do_GET = _answer
        do_POST = _answer

        def log_message(self, format: str, *args: object) -> None:
            return None

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(
        target=server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
    )
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


def json_body(document: object) -> bytes:
    return json.dumps(document).encode()
