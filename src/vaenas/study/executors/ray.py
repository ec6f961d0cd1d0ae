"""Evaluation on a Ray cluster: an existing one (`address`) or a local instance."""

from __future__ import annotations

import socket
import uuid
from typing import Any

from vaenas.errors import InvalidArgumentError, MissingExtraError
from vaenas.objectives.reporting import ReportSink
from vaenas.study.executors.base import Executor, Outcome, Problem, evaluate_in_worker
from vaenas.study.executors.report_hub import HubJournal, HubReports, ReportHub, hub_arguments
from vaenas.study.trial_reports import TrialReports

POLL_SECONDS = 1.0
CONNECT_SECONDS = 10.0
"""How long a cluster's address may take to accept a connection (Ray itself retries forever)."""


def _import_ray() -> Any:
    try:
        import ray
    except ImportError:
        raise MissingExtraError(
            "the Ray executor needs Ray: pip install 'vaenas[ray]' (or pip install ray)"
        ) from None
    return ray


def check_answers(address: str) -> None:
    """One line, within CONNECT_SECONDS, where `host:port` is malformed or nothing listens
    there; `auto` and `ray://` addresses are Ray's to check."""
    if address == "auto" or "://" in address:
        return
    host, _, port = address.rpartition(":")
    if not host or not port.isdigit() or not 0 < int(port) < 65536:
        raise InvalidArgumentError(f"--ray-address {address!r} is not host:port (e.g. 127.0.0.1:6379), auto or "
                                   "ray://host:port")
    try:
        socket.create_connection((host.strip("[]"), int(port)), timeout=CONNECT_SECONDS).close()
    except OSError as exc:
        reason = exc.strerror or f"no answer within {CONNECT_SECONDS:g} s"
        raise InvalidArgumentError(f"no Ray cluster answers at {address} ({reason}): start one there with "
                                   f"`ray start --head --port {port}`, or leave --ray-address out to start a "
                                   "local one") from None


def first_sentence(exc: BaseException) -> str:
    text = " ".join(str(exc).split())
    return text.split(". ")[0].rstrip(".")


class RayExecutor(Executor):
    """Runs each trial as a Ray task with no Ray-level retries: a lost worker or node
    comes back as a lost outcome, and the study decides whether to retry it."""

    def __init__(
        self, problem: Problem, address: str | None = None, workers: int | None = None, reports: ReportSink | None = None,
        gpus_per_trial: float | None = None,
    ) -> None:
        """`gpus_per_trial` (0.5: two trials share a GPU) is what each task asks Ray for;
        the cluster's GPUs then size how many run at once, and Ray sets each task's
        CUDA_VISIBLE_DEVICES. The problem (objective and data) goes to Ray's object
        store once, not with every trial."""
        ray = self._ray = _import_ray()
        self._started_here = not ray.is_initialized()
        if self._started_here:
            options: dict[str, Any] = {"include_dashboard": False, "log_to_driver": False}
            if address:
                check_answers(address)
                options["address"] = address
            elif workers:
                options["num_cpus"] = workers
            try:
                ray.init(**options)
            except (ValueError, ConnectionError) as exc:  # a malformed address, no cluster, no client extra
                raise InvalidArgumentError(f"--ray-address {address}: {first_sentence(exc)}") from None
        self.problem = ray.put(problem)
        resources = ray.cluster_resources()
        self.capacity = workers or max(1, int(resources.get("CPU", 1)))
        gpus = {}
        if gpus_per_trial:
            if resources.get("GPU", 0) < gpus_per_trial:
                raise InvalidArgumentError(f"--gpus-per-trial {gpus_per_trial:g}: the Ray cluster has "
                                           f"{resources.get('GPU', 0):g} GPU(s)")
            self.capacity = min(self.capacity, int(resources["GPU"] / gpus_per_trial + 1e-9))
            gpus = {"num_gpus": gpus_per_trial}
        self._evaluate = ray.remote(max_retries=0, num_cpus=1, **gpus)(evaluate_in_worker)
        self._running: dict[Any, int] = {}
        self._worker_reports, self._journal = self._start_hub(reports)

    def _start_hub(self, reports: ReportSink | None) -> tuple[HubReports | None, HubJournal | None]:
        """The hub actor that keeps reports and decides pruning for the workers (with
        no pruner too: their reports still reach the journal), on the study's own node
        (a lost worker node must not take it along)."""
        if not isinstance(reports, TrialReports):
            return None, None
        name = f"vaenas-report-hub-{uuid.uuid4().hex}"
        self._serve_hub(reports, name)
        return HubReports(actor_name=name), HubJournal(reports, HubReports(actor_name=name),
                                                       restart=lambda: self._serve_hub(reports, name))

    def _serve_hub(self, reports: TrialReports, name: str) -> None:
        """The hub actor under `name` (where workers look for it, again after it was
        lost), with what the journal holds."""
        from ray.util.scheduling_strategies import NodeAffinitySchedulingStrategy

        here = NodeAffinitySchedulingStrategy(node_id=self._ray.get_runtime_context().get_node_id(), soft=True)
        self._hub = self._ray.remote(num_cpus=0, scheduling_strategy=here, name=name)(ReportHub).remote(
            *hub_arguments(reports))

    def submit(self, number: int, arch_text: str) -> None:
        if self._journal is not None:
            self._journal.start(number)
        self._running[self._evaluate.remote(self.problem, number, arch_text, self._worker_reports)] = number

    def wait(self) -> list[Outcome]:
        ray = self._ray
        ready: list[Any] = []
        while not ready:
            ready, _ = ray.wait(list(self._running), num_returns=1, timeout=POLL_SECONDS)
            if self._journal is not None:
                self._journal.journal_new()
        outcomes = []
        for ref in ready:
            number = self._running.pop(ref)
            try:
                outcome = ray.get(ref)
            except (ray.exceptions.RayError, OSError) as exc:  # worker, actor or node lost
                outcome = Outcome(number, error=f"{type(exc).__name__}: {exc}".splitlines()[0], lost=True)
            if self._journal is not None:
                self._journal.journal_ended(outcome)
            outcomes.append(outcome)
        return outcomes

    def close(self) -> None:
        for ref in self._running:
            self._ray.cancel(ref, force=True)
        self._running.clear()
        if self._started_here:
            self._ray.shutdown()
