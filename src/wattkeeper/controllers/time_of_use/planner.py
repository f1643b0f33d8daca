"""Solving off the cycle's path: one worker thread; the cycle only submits and collects."""

from __future__ import annotations

import logging
from collections.abc import Callable
from concurrent.futures import Executor, Future, ThreadPoolExecutor
from datetime import datetime

from wattkeeper.controllers.time_of_use.schedule import Schedule
from wattkeeper.optimiser import Plan, Problem
from wattkeeper.optimiser.plan import no_plan

log = logging.getLogger(__name__)
Solver = Callable[[Problem], Plan]


class Planner:
    """`submit` hands a problem to the worker and returns at once; `take` gives the finished
    schedule (once). At most one solve runs; a solve that raises becomes a NO_PLAN schedule."""

    def __init__(self, solver: Solver, executor: Executor | None = None) -> None:
        self._solver = solver
        self._executor = executor or ThreadPoolExecutor(1, thread_name_prefix="tou-planner")
        self._own = executor is None
        self._future: Future[Schedule] | None = None

    @property
    def busy(self) -> bool:
        return self._future is not None and not self._future.done()

    def submit(self, bounds: tuple[datetime, ...], problem: Problem) -> bool:
        if self.busy:
            return False
        self._future = self._executor.submit(self._solve, bounds, problem)
        return True

    def take(self) -> Schedule | None:
        if self._future is None or not self._future.done():
            return None
        future, self._future = self._future, None
        return future.result()

    def wait(self, timeout: float) -> None:
        """Until the running solve ends (tests; the cycle never waits)."""
        if self._future is not None:
            self._future.exception(timeout=timeout)

    def close(self) -> None:
        if self._own:
            self._executor.shutdown(wait=False, cancel_futures=True)

    def _solve(self, bounds: tuple[datetime, ...], problem: Problem) -> Schedule:
        try:
            plan = self._solver(problem)
        except Exception as exc:  # the optimiser should not raise; if it does, it is a reason
            log.exception("time-of-use solve failed")
            plan = no_plan(f"the solve failed: {exc}")
        return Schedule(bounds, problem, plan)
