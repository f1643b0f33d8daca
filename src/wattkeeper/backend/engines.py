"""A throwaway PostgreSQL and nats-server on free loopback ports (tests, fleet-demo, bench).

PostgreSQL refuses to run as root: as root, the cluster's folder is given to `nobody` and every
PostgreSQL program runs as that user through `setpriv`."""

from __future__ import annotations

import contextlib
import glob
import os
import pwd
import secrets
import shutil
import socket
import subprocess
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

UNPRIVILEGED = "nobody"
START_TIMEOUT_S = 30.0


class EngineMissing(RuntimeError):
    """A server program is not installed (scripts/fleet-deps.sh installs it)."""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _pg_bin(name: str) -> str:
    found = shutil.which(name)
    if found:
        return found
    candidates = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"))
    if not candidates:
        raise EngineMissing(f"PostgreSQL's {name} is not installed: run scripts/fleet-deps.sh")
    return candidates[-1]


def _as_unprivileged() -> list[str]:
    if os.geteuid() != 0:
        return []
    entry = pwd.getpwnam(UNPRIVILEGED)
    return ["setpriv", f"--reuid={entry.pw_uid}", f"--regid={entry.pw_gid}", "--clear-groups"]


def _wait_for_port(port: int, process: subprocess.Popen[bytes], what: str) -> None:
    deadline = time.monotonic() + START_TIMEOUT_S
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{what} exited with {process.returncode}")
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), 0.2):
            return
        time.sleep(0.02)
    raise RuntimeError(f"{what} did not listen on port {port} within {START_TIMEOUT_S} s")


def _wait_until_ready(port: int, process: subprocess.Popen[bytes]) -> None:
    """The port opens before recovery ends ("the database system is starting up")."""
    deadline = time.monotonic() + START_TIMEOUT_S
    ready = [_pg_bin("pg_isready"), "-q", "-h", "127.0.0.1", "-p", str(port)]
    while subprocess.run(ready, check=False).returncode != 0:
        if process.poll() is not None or time.monotonic() > deadline:
            raise RuntimeError("postgres did not become ready")
        time.sleep(0.02)


def _terminate(process: subprocess.Popen[bytes] | None) -> None:
    if process is not None and process.poll() is None:
        process.terminate()
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@dataclass
class LocalPostgres:
    """A PostgreSQL cluster in a temporary folder; `url` names its `postgres` database."""

    folder: Path
    port: int
    password: str
    process: subprocess.Popen[bytes] | None = field(default=None, repr=False)
    user: str = "wattkeeper"

    @property
    def url(self) -> str:
        return f"postgresql://{self.user}:{self.password}@127.0.0.1:{self.port}/postgres"

    @classmethod
    def start(cls, port: int | None = None) -> LocalPostgres:
        folder = Path(tempfile.mkdtemp(prefix="wattkeeper-pg-"))
        data = folder / "data"
        password = secrets.token_urlsafe(12)
        (folder / "pw").write_text(password)
        prefix = _as_unprivileged()
        if prefix:
            entry = pwd.getpwnam(UNPRIVILEGED)
            os.chown(folder, entry.pw_uid, entry.pw_gid)
            os.chown(folder / "pw", entry.pw_uid, entry.pw_gid)
        subprocess.run(
            [
                *prefix,
                _pg_bin("initdb"),
                "-D",
                str(data),
                "-U",
                "wattkeeper",
                "--auth=scram-sha-256",
                f"--pwfile={folder / 'pw'}",
                "--no-sync",
                "-E",
                "UTF8",
            ],
            check=True,
            capture_output=True,
        )
        (folder / "pw").unlink()
        port = port or free_port()
        log = open(folder / "postgres.log", "wb")  # noqa: SIM115 - closed once handed over
        process = subprocess.Popen(
            [
                *prefix,
                _pg_bin("postgres"),
                "-D",
                str(data),
                "-p",
                str(port),
                "-k",
                str(folder),  # the Unix socket stays in our folder, not /var/run
                "-c",
                "listen_addresses=127.0.0.1",
                "-c",
                "fsync=off",  # a throwaway cluster: durability costs time and buys nothing
                "-c",
                "synchronous_commit=off",
                "-c",
                "max_connections=200",
            ],
            stdout=subprocess.DEVNULL,
            stderr=log,
            start_new_session=True,  # a terminal's Ctrl-C is for us: we stop it in order
        )
        log.close()  # the server holds its own descriptor
        server = cls(folder, port, password, process)
        try:
            _wait_for_port(port, process, "postgres")
            _wait_until_ready(port, process)
        except BaseException:
            server.stop()
            raise
        return server

    def stop(self) -> None:
        _terminate(self.process)  # SIGTERM: PostgreSQL's "smart" shutdown
        shutil.rmtree(self.folder, ignore_errors=True)


@dataclass
class LocalNats:
    """A nats-server on a free loopback port."""

    port: int
    process: subprocess.Popen[bytes] | None = field(default=None, repr=False)

    @property
    def url(self) -> str:
        return f"nats://127.0.0.1:{self.port}"

    @classmethod
    def start(cls, port: int | None = None) -> LocalNats:
        binary = shutil.which("nats-server") or "/usr/sbin/nats-server"
        if not os.path.exists(binary):
            raise EngineMissing("nats-server is not installed: run scripts/fleet-deps.sh")
        port = port or free_port()
        process = subprocess.Popen(
            [binary, "-a", "127.0.0.1", "-p", str(port)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        server = cls(port, process)
        try:
            _wait_for_port(port, process, "nats-server")
        except BaseException:
            server.stop()
            raise
        return server

    def stop(self) -> None:
        _terminate(self.process)
