"""A minimal HTTP/1.1 keep-alive load generator (run as its own process).

Usage: python bench/loadgen.py HOST PORT PATH SECONDS CONNECTIONS [AUTH_BASIC_TOKEN]
Prints the number of completed requests per second.
"""

from __future__ import annotations

import asyncio
import sys
import time


async def worker(host: str, port: int, request: bytes, until: float, counts: list[int]) -> None:
    reader, writer = await asyncio.open_connection(host, port)
    done = 0
    try:
        while time.monotonic() < until:
            writer.write(request)
            length = -1
            while True:
                line = await reader.readline()
                if line in (b"\r\n", b""):
                    break
                if line[:15].lower() == b"content-length:":
                    length = int(line[15:])
            if length < 0:
                raise RuntimeError("response without Content-Length")
            await reader.readexactly(length)
            done += 1
    finally:
        counts.append(done)
        writer.close()


async def main() -> None:
    host, port, path, seconds, connections = (
        sys.argv[1],
        int(sys.argv[2]),
        sys.argv[3],
        float(sys.argv[4]),
        int(sys.argv[5]),
    )
    auth = f"Authorization: Basic {sys.argv[6]}\r\n" if len(sys.argv) > 6 else ""
    request = f"GET {path} HTTP/1.1\r\nHost: {host}\r\n{auth}\r\n".encode()
    counts: list[int] = []
    started = time.monotonic()
    until = started + seconds
    await asyncio.gather(*(worker(host, port, request, until, counts) for _ in range(connections)))
    print(sum(counts) / (time.monotonic() - started))


if __name__ == "__main__":
    asyncio.run(main())
