"""The command line's first mistakes get one line saying what to do, and a non-zero exit."""

from __future__ import annotations

import io
import socket
from collections.abc import Iterator

import pytest

from wattkeeper.cli import main


@pytest.fixture
def taken_port() -> Iterator[int]:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen()
        yield sock.getsockname()[1]


@pytest.fixture
def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])  # nothing listens there once it is closed


def one_line(text: str) -> str:
    lines = text.strip().splitlines()
    assert len(lines) == 1, lines
    assert "Traceback" not in text
    return lines[0]


@pytest.mark.parametrize(
    "command",
    [
        ["get", "_sum/EssSoc"],
        ["set", "ess0/SetActivePowerEquals", "1000", "--password", "owner"],
        ["apps", "list"],
    ],
)
def test_no_edge_at_the_url(command: list[str], closed_port: int, capsys) -> None:
    url = f"http://127.0.0.1:{closed_port}"
    assert main([*command, "--url", url]) == 2
    line = one_line(capsys.readouterr().err)
    assert f"no edge answers at {url} (from --url)" in line
    assert "wattkeeper run" in line


def test_simulator_on_a_port_in_use(taken_port: int, capsys) -> None:
    assert main(["simulate-device", "--port", str(taken_port)]) == 2
    line = one_line(capsys.readouterr().err)
    assert f"127.0.0.1:{taken_port}" in line and "--port" in line


def test_passwd_without_a_terminal_reads_standard_input(tmp_path, monkeypatch, capsys) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO(""))
    assert main(["passwd", "owner", "--data-dir", str(tmp_path)]) == 2
    assert "no password given" in one_line(capsys.readouterr().err)
    monkeypatch.setattr("sys.stdin", io.StringIO("n3w-owner\n"))
    assert main(["passwd", "owner", "--data-dir", str(tmp_path)]) == 0
    assert "password of owner changed" in capsys.readouterr().out
