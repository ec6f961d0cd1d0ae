"""A pool of local worker processes, each owning one trial at a time, so that a worker
that dies loses only its own trial (which the study then retries)."""

from __future__ import annotations

import multiprocessing
import os
import queue
from dataclasses import dataclass
from multiprocessing.process import BaseProcess
from typing import Any

from vaenas.objectives.reporting import ReportSink
from vaenas.study.arguments import check_workers
from vaenas.study.executors.base import Executor, Outcome, Problem, evaluate_in_worker
from vaenas.study.executors.report_hub import HubJournal, HubManager, HubReports, hub_arguments, serve_hub
from vaenas.study.executors.worker_lifetime import die_with_parent
from vaenas.study.trial_reports import TrialReports

POLL_SECONDS = 0.2


def _worker_main(problem: Problem, tasks: Any, results: Any, reports: ReportSink | None,
                 gpus: str | None = None) -> None:
    if gpus is not None:
        os.environ["CUDA_VISIBLE_DEVICES"] = gpus  # before CUDA starts in this process: it sees its GPU(s) alone
    import torch

    die_with_parent()
    torch.set_num_threads(1)  # one trial per core
    while True:
        task = tasks.get()
        if task is None:
            return
        number, arch_text = task
        results.put(evaluate_in_worker(problem, number, arch_text, reports))


@dataclass
class _Worker:
    process: BaseProcess
    tasks: Any
    trial: int | None = None
    gpus: str | None = None
    """The CUDA_VISIBLE_DEVICES it was started with (its replacement gets the same)."""


class LocalPoolExecutor(Executor):
    """`workers` spawned processes, each fed through its own queue. With `gpu_slots`
    (one CUDA_VISIBLE_DEVICES per worker, `gpu_slots.pool_slots`) there is a worker per
    slot, pinned to its GPU(s) for its whole life, and `workers` caps their number.
    Workers report to a hub (report_hub.py), never to the journal."""

    def __init__(self, problem: Problem, workers: int, reports: ReportSink | None = None,
                 gpu_slots: list[str] | None = None) -> None:
        check_workers(workers)
        slots: list[str | None] = list(gpu_slots)[:workers] if gpu_slots else [None] * workers
        self.problem, self.capacity = problem, len(slots)
        self._context = multiprocessing.get_context("spawn")
        self._manager: HubManager | None = None
        self.reports, self._journal = self._start_hub(reports)
        self._results = self._context.Queue()
        self._workers = [self._start(slot) for slot in slots]

    def _start_hub(self, reports: ReportSink | None) -> tuple[ReportSink | None, HubJournal | None]:
        if not isinstance(reports, TrialReports):
            return reports, None
        address = self._serve_hub(reports, address=None)
        return HubReports(address=address), HubJournal(reports, HubReports(address=address),
                                                       restart=lambda: self._serve_hub(reports, address))

    def _serve_hub(self, reports: TrialReports, address: Any) -> Any:
        """The hub in a manager process of its own, at `address` (None: a new one; a lost
        hub's: where its clients look for it again), with what the journal holds; returns
        the address."""
        if self._manager is not None:
            self._manager.shutdown()  # the lost one, before another takes its address
        if isinstance(address, str) and os.path.exists(address):
            os.unlink(address)  # the lost manager's socket
        self._manager = HubManager(address=address, ctx=self._context)
        self._manager.start(serve_hub, hub_arguments(reports))
        return self._manager.address

    def _start(self, gpus: str | None) -> _Worker:
        tasks = self._context.Queue()
        process = self._context.Process(target=_worker_main, args=(self.problem, tasks, self._results, self.reports, gpus),
                                        daemon=True)
        process.start()
        return _Worker(process, tasks, gpus=gpus)

    def busy_pids(self) -> dict[int, int]:
        """Process id -> trial number of the workers evaluating right now."""
        return {w.process.pid: w.trial for w in self._workers if w.trial is not None and w.process.pid}

    def submit(self, number: int, arch_text: str) -> None:
        worker = next(w for w in self._workers if w.trial is None)
        worker.trial = number
        if self._journal is not None:
            self._journal.start(number)
        worker.tasks.put((number, arch_text))

    def wait(self) -> list[Outcome]:
        while True:
            outcomes = self._drain()
            outcomes += self._replace_dead_workers()
            if self._journal is not None:
                self._journal.journal_new()
                for outcome in outcomes:
                    self._journal.journal_ended(outcome)
            if outcomes:
                return outcomes

    def _drain(self) -> list[Outcome]:
        outcomes = []
        try:
            outcomes.append(self._results.get(timeout=POLL_SECONDS))
            while True:
                outcomes.append(self._results.get_nowait())
        except queue.Empty:
            pass
        accepted = []
        for outcome in outcomes:
            owner = next((w for w in self._workers if w.trial == outcome.number), None)
            if owner is not None:  # else: a late answer of a worker already declared lost
                owner.trial = None
                accepted.append(outcome)
        return accepted

    def _replace_dead_workers(self) -> list[Outcome]:
        lost = []
        for i, worker in enumerate(self._workers):
            if not worker.process.is_alive():
                if worker.trial is not None:
                    lost.append(Outcome(worker.trial, error=f"worker exited with code {worker.process.exitcode}", lost=True))
                self._workers[i] = self._start(worker.gpus)
        return lost

    def close(self) -> None:
        for worker in self._workers:
            if worker.process.is_alive():
                worker.tasks.put(None)
        for worker in self._workers:
            worker.process.join(timeout=5)
            if worker.process.is_alive():
                worker.process.kill()
        if self._manager is not None:
            self._manager.shutdown()
