"""Each layer contract in pyproject.toml really fails when its forbidden import is added."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
CONTRACTS = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["importlinter"][
    "contracts"
]
# contract name -> (module that gets the import, the forbidden import)
VIOLATIONS = {
    "Layers point inward": ("natures/ess.py", "import wattkeeper.power.stage"),
    (
        "Licensing, history, the client and file writing are leaves: "
        "they import nothing else of wattkeeper"
    ): (
        "history/energy.py",
        "import wattkeeper.core.manager",
    ),
    # the edge trusting vendor code (the demo private key, the server) would defeat the split
    "The edge's licensing knows nothing of the vendor's side and runs no server": (
        "licensing/wallet.py",
        "import wattkeeper.licence_vendor.minting",
    ),
    "The licence vendor builds on the edge's licensing only, never on the edge runtime": (
        "licence_vendor/service.py",
        "import wattkeeper.config.site",
    ),
    "Protocols are sans-I/O codecs and import nothing else of wattkeeper": (
        "protocols/registers.py",
        "import wattkeeper.bridges",
    ),
    # the reviewer's example: core importing licensing (which the layers do not list)
    "The core uses the standard library only": ("core/cycle.py", "import wattkeeper.licensing"),
    "The solver is pure: constraints and limits in, setpoints out, nothing else imported": (
        "power/solver.py",
        "import wattkeeper.core.manager",
    ),
    "The optimiser is pure: prices, forecasts and limits in, a plan out, nothing else imported": (
        "optimiser/exact.py",
        "import wattkeeper.core.manager",
    ),
    "The fleet backend runs no edge: no driver, controller, simulator, bridge or edge runtime": (
        "backend/store.py",
        "import wattkeeper.drivers.simulated",
    ),
    "The uplink is a leaf: the protocol and the outbox, nothing of the edge": (
        "uplink/link.py",
        "import wattkeeper.core.channel",
    ),
    "API adapters reach no controller, driver or simulator: writes go through the write gate": (
        "api/rest.py",
        "import wattkeeper.drivers.simulated",
    ),
    "The MQTT API reaches no controller, driver or simulator: commands go through the write gate": (
        "mqtt/commands.py",
        "import wattkeeper.controllers.api_rest",
    ),
}
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")


def test_every_contract_has_a_violation_to_prove_it() -> None:
    assert {c["name"] for c in CONTRACTS} == set(VIOLATIONS)


@pytest.mark.slow  # a copy of the source tree and lint-imports per contract
@pytest.mark.parametrize("name", sorted(VIOLATIONS))
def test_the_contract_breaks_on_its_forbidden_import(name: str, tmp_path: Path) -> None:
    src = tmp_path / "src"
    shutil.copytree(ROOT / "src" / "wattkeeper", src / "wattkeeper")
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    module, line = VIOLATIONS[name]
    target = src / "wattkeeper" / module
    target.write_text(target.read_text() + f"\n{line}  # noqa\n")
    result = subprocess.run(
        [str(LINT_IMPORTS), "--no-cache"],
        cwd=tmp_path,
        env={**os.environ, "PYTHONPATH": str(src)},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode != 0, result.stdout
    broken = " ".join(result.stdout.split())  # the report wraps long names
    assert f"{name} BROKEN" in broken, result.stdout
