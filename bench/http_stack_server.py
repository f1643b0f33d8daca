"""A bare ASGI app on one of the candidate HTTP stacks, for bench_http_stack.py.

Usage: python bench/http_stack_server.py PORT httptools|h11|guarded
"""

from __future__ import annotations

import functools
import sys

import uvicorn

from wattkeeper.api.connections import ConnectionGuard
from wattkeeper.api.http_protocol import MAX_HEAD, GuardedH11Protocol

BODY = b'{"address":"_sum/EssSoc","type":"INTEGER","accessMode":"RO","unit":"%","value":50}'


async def app(scope, receive, send):  # type: ignore[no-untyped-def]
    headers = [(b"content-type", b"application/json"), (b"content-length", b"%d" % len(BODY))]
    await send({"type": "http.response.start", "status": 200, "headers": headers})
    await send({"type": "http.response.body", "body": BODY})


if __name__ == "__main__":
    stack = sys.argv[2]
    http = {
        "httptools": "httptools",
        "h11": "h11",
        "guarded": functools.partial(GuardedH11Protocol, guard=ConnectionGuard()),
    }[stack]
    uvicorn.run(
        app,
        host="127.0.0.1",
        port=int(sys.argv[1]),
        log_level="critical",
        access_log=False,
        server_header=False,
        lifespan="off",
        http=http,  # type: ignore[arg-type]
        h11_max_incomplete_event_size=MAX_HEAD if stack == "guarded" else None,
    )
