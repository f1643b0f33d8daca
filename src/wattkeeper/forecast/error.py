"""Forecast error against what happened: mean absolute error over recent quarter hours."""

from __future__ import annotations

from collections import deque


class ForecastError:
    """Mean absolute error (W) of the last `window` quarter hours' forecasts."""

    def __init__(self, window: int = 96) -> None:
        self._errors: deque[float] = deque(maxlen=window)

    def add(self, forecast: float, measured: float) -> None:
        self._errors.append(abs(forecast - measured))

    @property
    def mean_absolute(self) -> float | None:
        return sum(self._errors) / len(self._errors) if self._errors else None
