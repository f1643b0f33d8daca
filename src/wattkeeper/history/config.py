"""Tunable retention and batching settings of a history store."""

from dataclasses import dataclass

DAY_S = 86_400


@dataclass(frozen=True, slots=True)
class HistoryConfig:
    """Retention windows and batching; all durations in seconds of recorded time."""

    raw_retention_s: float = 7 * DAY_S
    aggregate_retention_s: float = 2 * 365 * DAY_S
    batch_s: float = 5.0
    """`record()` commits once its buffer holds this much time: the most a crash can lose."""
    prune_interval_s: float | None = 3600.0
    """`record()` prunes this often (recorded time); None leaves pruning to the caller."""
    max_points: int = 200_000
    """Largest number of slots a query may ask for (1 s over two days is 172 800)."""

    def __post_init__(self) -> None:
        for name in ("raw_retention_s", "aggregate_retention_s", "batch_s"):
            if not getattr(self, name) > 0:
                raise ValueError(f"{name} must be > 0")
        if self.prune_interval_s is not None and not self.prune_interval_s > 0:
            raise ValueError("prune_interval_s must be > 0 or None")
        if self.max_points < 1:
            raise ValueError("max_points must be >= 1")
