"""A client that writes setpoints over one keep-alive connection (run as its own process).

Usage: python bench/writer.py HOST PORT SAMPLES FIRST_VALUE
Prints a JSON object {value: time.monotonic() when its POST was sent}: the machine's monotonic
clock is the same in every process, so the edge can time when each value reached the battery.
"""

from __future__ import annotations

import base64
import json
import socket
import sys
import time
from typing import Any

OWNER = base64.b64encode(b"x:owner").decode()


def main() -> None:
    host, port, samples, first = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
    sent: dict[int, float] = {}
    with socket.create_connection((host, port)) as sock:
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        reader = sock.makefile("rb")
        # sign in once first: the first use of a password costs a hash, not what is measured
        warm = f"GET /rest/channel/_sum/EssSoc HTTP/1.1\r\nHost: {host}\r\n"
        sock.sendall(f"{warm}Authorization: Basic {OWNER}\r\n\r\n".encode())
        _answer(reader)
        for i in range(samples):
            time.sleep(0.013 * (i % 7))  # spread over the cycle's phase
            value = first + i
            body = json.dumps({"value": value}).encode()
            request = (
                f"POST /rest/channel/ess0/SetActivePowerEquals HTTP/1.1\r\nHost: {host}\r\n"
                f"Authorization: Basic {OWNER}\r\nContent-Type: application/json\r\n"
                f"Content-Length: {len(body)}\r\n\r\n"
            ).encode() + body
            sent[value] = time.monotonic()
            sock.sendall(request)
            status = _answer(reader)
            if b" 200 " not in status:
                raise SystemExit(f"write refused: {status!r}")
    print(json.dumps(sent))


def _answer(reader: Any) -> bytes:
    """Read one response; its status line."""
    status: bytes = reader.readline()
    length = 0
    while (line := reader.readline()) not in (b"\r\n", b""):
        if line.lower().startswith(b"content-length:"):
            length = int(line.split(b":")[1])
    reader.read(length)
    return status


if __name__ == "__main__":
    main()
