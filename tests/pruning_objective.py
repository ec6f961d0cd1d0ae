"""Module-level objectives that report per step, for pruning tests (pool workers import
them by name)."""

import os
import time

OP_WORTH = {"skip": 0.2, "conv1x1": 0.5, "conv3x3": 1.0, "pool": 0.1}
STEPS = 9


def learning_curve(arch, trial):
    """A deterministic curve per cell: it rises to the cell's worth over STEPS steps,
    reported at each one, and stops when the pruner says so."""
    worth = sum(OP_WORTH[op] for op in arch)
    for step in range(1, STEPS):
        trial.report(worth * step / STEPS, step)
        if trial.should_prune():
            from vaenas import TrialPruned

            raise TrialPruned()
        time.sleep(float(os.environ.get("VAENAS_TEST_STEP_SECONDS", "0")))
    return worth


def curve_away_from_the_journal(arch, trial):
    """learning_curve, failing if this worker process holds the study's journal open:
    workers report to the study's hub, never to the journal."""
    fds = "/proc/self/fd"
    opened = [os.readlink(os.path.join(fds, fd)) for fd in os.listdir(fds) if os.path.islink(os.path.join(fds, fd))]
    if any(path.endswith("study.db") or "study.db-" in path for path in opened):
        raise RuntimeError("a worker opened the study's journal")
    return learning_curve(arch, trial)
