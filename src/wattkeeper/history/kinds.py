"""Channel kinds: how a recorded channel is aggregated over time."""

from typing import Final, Literal, cast, get_args

from wattkeeper.history.errors import HistoryQueryError

Kind = Literal["power", "counter", "state"]
"""`power`: averaged (min/max kept); `counter`: monotonic Wh, last value; `state`: maximum."""

KINDS: Final[tuple[str, ...]] = get_args(Kind)


def check_kind(kind: str) -> Kind:
    """Return `kind` typed as a `Kind`, or raise for anything else."""
    if kind in KINDS:
        return cast(Kind, kind)
    raise HistoryQueryError(f"kind must be one of {', '.join(KINDS)}, got {kind!r}")
