"""Which HTTP stack under uvicorn: httptools (uvicorn's default), plain h11, or our guarded h11.

Run: .venv/bin/python bench/bench_http_stack.py
For each stack, in one run: GET requests/s over 8 keep-alive connections, and what a 100 MB
header value costs the server (time until it answers, its answer, the server's RSS growth).
This is the measurement behind ADR 0050. Servers bind 127.0.0.1 only.
"""

from __future__ import annotations

import asyncio
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT))

from bench.bench_api import ENV, free_port, load, wait_port  # noqa: E402
from bench.common import report  # noqa: E402

HEADER_MB = 100


def rss_kb(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


async def big_header(port: int) -> tuple[str, float, int]:
    """(status line, seconds until answered or cut off, MB sent)."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    started = time.perf_counter()
    writer.write(b"GET /rest/channel/_sum/EssSoc HTTP/1.1\r\nHost: x\r\nX-Big: ")
    chunk = b"a" * (1 << 20)
    sent = 0
    try:
        for _ in range(HEADER_MB):
            writer.write(chunk)
            await writer.drain()
            sent += 1
            if reader._buffer:  # type: ignore[attr-defined]  # answered early
                break
        writer.write(b"\r\n\r\n")
        await writer.drain()
        line = await asyncio.wait_for(reader.readline(), 120)
    except (ConnectionError, TimeoutError):
        # the server answered and closed while we were still sending: its answer is buffered
        buffered = bytes(reader._buffer)  # type: ignore[attr-defined]
        line = buffered.split(b"\r\n", 1)[0] if buffered else b"(connection closed)"
    elapsed = time.perf_counter() - started
    writer.close()
    return line.decode(errors="replace").strip(), elapsed, sent


def measure(stack: str) -> None:
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, str(ROOT / "bench" / "http_stack_server.py"), str(port), stack], env=ENV
    )
    try:
        wait_port(port)
        load(port, "/rest/channel/_sum/EssSoc", seconds=1.0, auth=False)
        rate = load(port, "/rest/channel/_sum/EssSoc", seconds=3.0, auth=False)
        before = rss_kb(server.pid)
        status, elapsed, sent = asyncio.run(big_header(port))
        growth = (rss_kb(server.pid) - before) / 1024
    finally:
        server.terminate()
        server.wait(10)
    report(f"{stack}: GET req/s, 8 connections", f"{rate:.0f} req/s")
    report(
        f"{stack}: {HEADER_MB} MB header value",
        f"{elapsed:.2f} s",
        "",
        f"answer {status!r}, {sent} MB sent, server RSS +{growth:.0f} MB",
    )


def main() -> None:
    print("HTTP stack under uvicorn (loopback; all stacks measured in this run)\n")
    for stack in ("httptools", "h11", "guarded"):
        measure(stack)


if __name__ == "__main__":
    main()
