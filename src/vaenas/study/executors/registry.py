"""Executors by the name a user types (`--executor`)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from vaenas.objectives import Objective
from vaenas.objectives.reporting import ReportSink
from vaenas.registry import Registry
from vaenas.spaces import SearchSpace
from vaenas.study.executors.base import Executor, Problem
from vaenas.study.executors.in_process import InProcessExecutor


@dataclass(frozen=True)
class ExecutorRequest:
    """What an executor is built from: the problem that workers rebuild (a StudyConfig or
    a BuiltProblem), and the same space and objective built here for in-process work."""

    problem: Problem
    space: SearchSpace
    objective: Objective
    workers: int | None = None
    address: str | None = None
    reports: ReportSink | None = None
    """Where trials report intermediate values and learn whether to stop."""
    gpus_per_trial: float | None = None
    """A share of a GPU (or whole GPUs) each trial runs on; None: no GPU asked."""


EXECUTORS: Registry[Callable[[ExecutorRequest], Executor]] = Registry("executor")


@EXECUTORS.register("inprocess")
def _in_process(request: ExecutorRequest) -> Executor:
    return InProcessExecutor(request.space, request.objective, request.reports)


POOL_WORKERS = 2
"""Worker processes of `--executor pool` when neither --workers nor GPU slots say."""


@EXECUTORS.register("pool")
def _pool(request: ExecutorRequest) -> Executor:
    from vaenas.study.executors.local_pool import LocalPoolExecutor

    slots = None
    if request.gpus_per_trial:
        from vaenas.study.executors.gpu_slots import pool_slots, visible_gpus

        slots = pool_slots(request.gpus_per_trial, visible_gpus())
    return LocalPoolExecutor(request.problem, request.workers or (len(slots) if slots else POOL_WORKERS), request.reports, slots)


@EXECUTORS.register("ray")
def _ray(request: ExecutorRequest) -> Executor:
    from vaenas.study.executors.ray import RayExecutor

    return RayExecutor(request.problem, request.address, request.workers, request.reports, request.gpus_per_trial)


def default_executor(workers: int | None) -> str:
    """In-process for one worker, a local process pool for more."""
    return "pool" if workers and workers > 1 else "inprocess"
