"""A recorder killed with SIGKILL loses at most the last batch of cycles."""

import os
import signal
import subprocess
import sys
from pathlib import Path

from conftest import T0

from wattkeeper.history import SqliteHistoryStore

BATCH_S = 5
_RECORDER = f"""
import sys
from wattkeeper.history import HistoryConfig, SqliteHistoryStore

store = SqliteHistoryStore(sys.argv[1], HistoryConfig(batch_s={BATCH_S}))
store.declare("_sum/GridActivePower", "power")
ts = {T0}
while True:  # only SIGKILL ends this: no close(), no flush() of the last batch
    store.record(ts, {{"_sum/GridActivePower": ts - {T0}}})
    print(ts, flush=True)
    ts += 1
"""


def test_killed_recorder_keeps_all_but_the_last_batch(db_path: Path) -> None:
    src = Path(__file__).resolve().parents[2] / "src"
    env = {**os.environ, "PYTHONPATH": str(src)}
    child = subprocess.Popen(
        [sys.executable, "-c", _RECORDER, str(db_path)],
        stdout=subprocess.PIPE,
        env=env,
        text=True,
    )
    assert child.stdout is not None
    try:
        last = T0
        for line in child.stdout:
            last = int(line)
            if last >= T0 + 777:  # past two chunk boundaries
                break
        child.send_signal(signal.SIGKILL)
    finally:
        child.kill()
        child.wait(timeout=10)
        child.stdout.close()
    assert child.returncode == -signal.SIGKILL

    store = SqliteHistoryStore(db_path)
    seen = store.query_timeseries_data(T0, last + 1, ["_sum/GridActivePower"], 1)
    store.close()
    values = seen["data"]["_sum/GridActivePower"]
    # Every cycle older than one batch interval before the last one reported is on disk.
    must_have = last - T0 - BATCH_S
    assert values[: must_have + 1] == list(range(must_have + 1))
