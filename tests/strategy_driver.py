"""Drives a strategy the way the study loop does, on the nb201 CIFAR-10 table."""

from vaenas.objectives import make_objective

OBJECTIVE = make_objective("nb201", "cifar10")


def drive(strategy, n, batch=1, objective=OBJECTIVE):
    """Ask/evaluate/tell until `n` architectures were asked; returns them in ask order."""
    asked = []
    while len(asked) < n:
        archs = strategy.ask(batch)
        for arch in archs:
            strategy.tell(arch, objective.evaluate(arch).value)
        asked += archs
    return asked
