#!/usr/bin/env bash
# A second virtualenv for the vendor libraries that need Python >= 3.12 (huawei-solar 3.x), so
# the project's own minimum stays 3.11. It lives outside the work tree (a fresh clone on the
# same machine reuses it; WATTKEEPER_PY312_VENV moves it) and is rebuilt when the pinned
# requirements change. Prints the venv's python on success; exits 3 (and says why) when no
# Python 3.12/3.13 is on the machine.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="${WATTKEEPER_PY312_VENV:-${XDG_CACHE_HOME:-$HOME/.cache}/wattkeeper/venv-py312}"
REQUIREMENTS="$ROOT/tests/vendors/requirements-py312.txt"
find_python() {
  for candidate in "${PYTHON312:-}" python3.13 python3.12 \
      "$HOME"/.pyenv/versions/3.13*/bin/python3.13 "$HOME"/.pyenv/versions/3.12*/bin/python3.12; do
    [ -n "$candidate" ] || continue
    if "$candidate" -c 'import sys; sys.exit(sys.version_info < (3, 12))' 2>/dev/null; then
      command -v "$candidate" || echo "$candidate"
      return 0
    fi
  done
  return 1
}
STAMP="$VENV/.installed-$(sha1sum "$REQUIREMENTS" | cut -c1-12)"
if [ ! -f "$STAMP" ]; then
  if ! PY="$(find_python)"; then
    echo "no Python 3.12 or 3.13 found (pyenv install 3.12, or set PYTHON312)" >&2
    exit 3
  fi
  rm -rf "$VENV"
  mkdir -p "$(dirname "$VENV")"
  "$PY" -m venv "$VENV" >&2
  "$VENV/bin/python" -m pip install -q -r "$REQUIREMENTS" >&2
  touch "$STAMP"
fi
echo "$VENV/bin/python"
