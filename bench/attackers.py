"""Attack traffic for bench_attack.py, one kind per process (run as its own process).

Usage: python bench/attackers.py KIND PORT SECONDS
KIND: regex | header | idle | password | legit. `legit` prints its GET latencies' p99 in ms.
Connects to 127.0.0.1 only.
"""

from __future__ import annotations

import asyncio
import base64
import sys
import time

GUEST = b"Basic " + base64.b64encode(b"x:user")
HOST = "127.0.0.1"


def get(path: bytes, credentials: bytes = GUEST) -> bytes:
    return b"GET %s HTTP/1.1\r\nHost: x\r\nAuthorization: %s\r\n\r\n" % (path, credentials)


async def request(port: int, head: bytes) -> None:
    reader, writer = await asyncio.open_connection(HOST, port)
    try:
        writer.write(head)
        await writer.drain()
        await asyncio.wait_for(reader.read(65536), 10)
    finally:
        writer.close()


async def regex(port: int, until: float) -> None:
    paths = [b"/rest/channel/ess0/(%5Cw%2B)%2B!", b"/rest/channel/.*/(.*)*!"]
    while time.monotonic() < until:
        for path in paths:
            await request(port, get(path))


async def header(port: int, until: float) -> None:
    chunk = b"a" * (1 << 20)
    while time.monotonic() < until:
        _, writer = await asyncio.open_connection(HOST, port)
        try:
            writer.write(b"GET /rest/channel/_sum/EssSoc HTTP/1.1\r\nHost: x\r\nX-Big: ")
            for _ in range(100):  # a 100 MB header value, until the server hangs up
                writer.write(chunk)
                await asyncio.wait_for(writer.drain(), 5)
        except (ConnectionError, TimeoutError):
            pass
        finally:
            writer.close()


async def idle(port: int, until: float) -> None:
    held = []
    while time.monotonic() < until:
        try:
            held.append(await asyncio.open_connection(HOST, port))
        except OSError:
            await asyncio.sleep(0.05)
        if len(held) > 300:
            held.pop(0)[1].close()
        await asyncio.sleep(0.005)
    for _, writer in held:
        writer.close()


async def password(port: int, until: float) -> None:
    n = 0
    while time.monotonic() < until:
        guesses = []
        for _ in range(20):
            n += 1
            credentials = b"Basic " + base64.b64encode(b"admin:guess%d" % n)
            guesses.append(request(port, get(b"/rest/channel/_sum/EssSoc", credentials)))
        await asyncio.gather(*guesses, return_exceptions=True)


async def legit(port: int, until: float) -> None:
    reader, writer = await asyncio.open_connection(HOST, port)
    head = get(b"/rest/channel/_sum/EssSoc")
    latencies: list[float] = []
    while time.monotonic() < until:
        started = time.perf_counter()
        try:
            writer.write(head)
            length = -1
            while True:
                line = await reader.readline()
                if line in (b"\r\n", b""):
                    break
                if line[:15].lower() == b"content-length:":
                    length = int(line[15:])
            await reader.readexactly(length)
        except (ConnectionError, asyncio.IncompleteReadError, ValueError):
            # the server may close an idle keep-alive connection to make room: reconnect
            writer.close()
            reader, writer = await asyncio.open_connection(HOST, port)
            continue
        latencies.append(time.perf_counter() - started)
        await asyncio.sleep(0.05)
    writer.close()
    latencies.sort()
    print(f"{latencies[round(0.99 * (len(latencies) - 1))] * 1e3:.2f}" if latencies else "nan")


KINDS = {"regex": regex, "header": header, "idle": idle, "password": password, "legit": legit}


if __name__ == "__main__":
    kind, port, seconds = sys.argv[1], int(sys.argv[2]), float(sys.argv[3])
    asyncio.run(KINDS[kind](port, time.monotonic() + seconds))
