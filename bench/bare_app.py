"""The baseline: a bare ASGI app that returns fixed JSON bytes, on the same uvicorn stack.

Usage: python bench/bare_app.py PORT BODY_FILE
"""

from __future__ import annotations

import sys
from pathlib import Path

import uvicorn

BODY = Path(sys.argv[2]).read_bytes()


async def app(scope, receive, send):  # type: ignore[no-untyped-def]
    await send(
        {
            "type": "http.response.start",
            "status": 200,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(BODY)).encode()),
            ],
        }
    )
    await send({"type": "http.response.body", "body": BODY})


if __name__ == "__main__":
    uvicorn.run(
        app,
        host="127.0.0.1",
        port=int(sys.argv[1]),
        log_level="warning",
        access_log=False,
        server_header=False,
        lifespan="off",
        http="h11",  # the edge's stack (ADR 0050)
        ws="websockets-sansio",
    )
