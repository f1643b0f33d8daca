"""The systemd unit in deploy/ starts what the CLI accepts and grants what the edge asks for."""

from __future__ import annotations

import configparser
import shlex
from pathlib import Path

from wattkeeper.cli.main import build_parser

UNIT = Path(__file__).resolve().parents[2] / "deploy" / "wattkeeper.service"


def _service() -> configparser.SectionProxy:
    unit = configparser.ConfigParser(interpolation=None, strict=True)
    unit.optionxform = str  # type: ignore[assignment,method-assign]  # systemd keys are case-sensitive
    unit.read_string(UNIT.read_text())
    assert set(unit.sections()) == {"Unit", "Service", "Install"}
    return unit["Service"]


def test_its_command_line_is_one_wattkeeper_run_accepts() -> None:
    service = _service()
    program, *arguments = shlex.split(service["ExecStart"])
    assert program.endswith("/.venv/bin/wattkeeper")
    args = build_parser().parse_args(arguments)
    assert args.command == "run"
    # its data lives where systemd creates and owns the state directory for the service's user
    assert args.data_dir == f"/var/lib/{service['StateDirectory']}"
    assert args.host == "0.0.0.0"


def test_it_grants_real_time_priority_and_port_80_without_root() -> None:
    service = _service()
    assert service["User"] != "root"
    granted = set(service["AmbientCapabilities"].split())
    assert {"CAP_SYS_NICE", "CAP_NET_BIND_SERVICE"} <= granted  # edge/cycle_thread.py; port 80
    assert granted <= set(service["CapabilityBoundingSet"].split())
    assert "dialout" in service["SupplementaryGroups"].split()  # Modbus RTU's serial ports
