"""Column and row bookkeeping for a sparse LP built family by family with numpy."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

Floats = npt.NDArray[np.float64]
Ints = npt.NDArray[np.int32]
INF = np.inf


@dataclass
class Columns:
    """Blocks of columns with their bounds and costs; a block is an index array."""

    lower: list[Floats] = field(default_factory=list)
    upper: list[Floats] = field(default_factory=list)
    cost: list[Floats] = field(default_factory=list)
    count: int = 0

    def block(self, n: int, lower: object = 0.0, upper: object = INF, cost: object = 0.0) -> Ints:
        self.lower.append(np.broadcast_to(np.asarray(lower, dtype=np.float64), (n,)))
        self.upper.append(np.broadcast_to(np.asarray(upper, dtype=np.float64), (n,)))
        self.cost.append(np.broadcast_to(np.asarray(cost, dtype=np.float64), (n,)))
        index = np.arange(self.count, self.count + n, dtype=np.int32)
        self.count += n
        return index

    def arrays(self) -> tuple[Floats, Floats, Floats]:
        return np.concatenate(self.lower), np.concatenate(self.upper), np.concatenate(self.cost)


@dataclass
class Rows:
    """Families of rows, each row with the same number of terms: stored row-wise for HiGHS."""

    lower: list[Floats] = field(default_factory=list)
    upper: list[Floats] = field(default_factory=list)
    index: list[Ints] = field(default_factory=list)
    value: list[Floats] = field(default_factory=list)
    counts: list[Ints] = field(default_factory=list)
    count: int = 0

    def family(self, lower: object, upper: object, *terms: tuple[Ints, object]) -> None:
        """Rows i = 0..n-1: lower[i] <= sum_k coef_k[i] * x[cols_k[i]] <= upper[i]."""
        n = len(terms[0][0])
        cols = np.stack([np.asarray(c, dtype=np.int32) for c, _ in terms], axis=1)
        coefs = np.stack(
            [np.broadcast_to(np.asarray(v, dtype=np.float64), (n,)) for _, v in terms], axis=1
        )
        self.lower.append(np.broadcast_to(np.asarray(lower, dtype=np.float64), (n,)))
        self.upper.append(np.broadcast_to(np.asarray(upper, dtype=np.float64), (n,)))
        self.index.append(cols.reshape(-1))
        self.value.append(coefs.reshape(-1))
        self.counts.append(np.full(n, len(terms), dtype=np.int32))
        self.count += n

    def single(self, lower: float, upper: float, cols: Ints, coefs: Floats) -> None:
        """One row with any number of terms (a sum over the horizon)."""
        self.lower.append(np.array([lower]))
        self.upper.append(np.array([upper]))
        self.index.append(np.asarray(cols, dtype=np.int32))
        self.value.append(np.asarray(coefs, dtype=np.float64))
        self.counts.append(np.array([len(cols)], dtype=np.int32))
        self.count += 1

    def arrays(self) -> tuple[Floats, Floats, Ints, Ints, Floats]:
        counts = np.concatenate(self.counts)
        start = np.zeros(len(counts), dtype=np.int32)
        np.cumsum(counts[:-1], out=start[1:])
        return (
            np.concatenate(self.lower),
            np.concatenate(self.upper),
            start,
            np.concatenate(self.index),
            np.concatenate(self.value),
        )
