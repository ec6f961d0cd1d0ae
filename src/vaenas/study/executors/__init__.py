"""Where trials run: the interface and the worker entry points (`base.py`), in the
study's process (`in_process.py`), a local pool of processes (`local_pool.py`), a Ray
cluster (`ray.py`), by the name a user types (`registry.py`). A new executor is one
module here and one registration in registry.py."""

from vaenas.study.executors.base import BuiltProblem, Executor, Outcome, Problem
from vaenas.study.executors.registry import EXECUTORS, ExecutorRequest, default_executor

__all__ = ["EXECUTORS", "BuiltProblem", "Executor", "ExecutorRequest", "Outcome", "Problem", "default_executor"]
