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
