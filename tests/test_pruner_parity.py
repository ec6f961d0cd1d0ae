"""Our median and successive-halving pruners against Optuna's on the same reports: the
same trials are pruned at the same steps. (Hyperband deals trials to brackets by trial
number, Optuna by a hash of the study name and trial number: on purpose, so that a
resumed study keeps its brackets; docs/pruning.md says so.)"""

import numpy as np
import optuna
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import vaenas
from vaenas.spaces import CellSpace

optuna.logging.set_verbosity(optuna.logging.WARNING)
STEPS = 9
CURVES = st.lists(st.lists(st.integers(0, 20), min_size=STEPS, max_size=STEPS), min_size=4, max_size=14)


def run_optuna(pruner, curves, at_once):
    study = optuna.create_study(direction="maximize", pruner=pruner)
    return _run(curves, at_once, study.ask, lambda t, v, s: t.report(v, s), lambda t: t.should_prune(),
                lambda t, pruned, v: study.tell(t, state=optuna.trial.TrialState.PRUNED) if pruned else study.tell(t, v))


def run_vaenas(name, options, curves, at_once):
    study = vaenas.create_study(space=CellSpace(n_nodes=3, ops=["skip", "conv1x1", "conv3x3", "pool"]),
                                strategy="rs", pruner=name, pruner_options=options)
    return _run(curves, at_once, study.ask_trial, lambda t, v, s: t.report(v, s), lambda t: t.should_prune(),
                lambda t, pruned, v: study.tell(t, vaenas.TrialPruned() if pruned else v))


def _run(curves, at_once, ask, report, should_prune, tell):
    """Trials run `at_once` at a time, one step each in turn (an asynchronous study);
    returns the step each trial was pruned at (None: it completed)."""
    pruned_at = {}
    waiting = list(range(len(curves)))
    running = {}
    while waiting or running:
        while waiting and len(running) < at_once:
            i = waiting.pop(0)
            running[i] = [ask(), 0]
        for i in list(running):
            trial, step = running[i]
            value = float(curves[i][step])
            report(trial, value, step + 1)
            pruned = should_prune(trial)  # once per step: Optuna's ASHA records a rung when asked
            if pruned or step + 1 == STEPS:
                pruned_at[i] = step + 1 if pruned else None
                tell(trial, pruned, value)
                del running[i]
            else:
                running[i][1] = step + 1
    return pruned_at


@settings(max_examples=40, deadline=None)
@given(curves=CURVES, at_once=st.integers(1, 3), startup=st.integers(0, 3), warmup=st.integers(0, 3))
def test_median_pruning_matches_optuna(curves, at_once, startup, warmup):
    ours = run_vaenas("median", {"n_startup_trials": startup, "n_warmup_steps": warmup}, curves, at_once)
    theirs = run_optuna(optuna.pruners.MedianPruner(n_startup_trials=startup, n_warmup_steps=warmup), curves, at_once)
    assert ours == theirs


@settings(max_examples=40, deadline=None)
@given(curves=CURVES, at_once=st.integers(1, 3), factor=st.integers(2, 4), rate=st.integers(0, 1))
def test_successive_halving_matches_optuna(curves, at_once, factor, rate):
    options = {"min_resource": 1, "reduction_factor": factor, "min_early_stopping_rate": rate}
    ours = run_vaenas("asha", options, curves, at_once)
    theirs = run_optuna(optuna.pruners.SuccessiveHalvingPruner(**options), curves, at_once)
    assert ours == theirs


def test_the_parity_runs_prune_something():
    """The comparisons above are not empty: on spread curves both prune most trials."""
    rng = np.random.default_rng(0)
    curves = rng.integers(0, 20, size=(12, STEPS)).tolist()
    pruned = run_vaenas("asha", {}, curves, 2)
    assert sum(at is not None for at in pruned.values()) >= 6
    assert pruned == run_optuna(optuna.pruners.SuccessiveHalvingPruner(min_resource=1, reduction_factor=3), curves, 2)


pytestmark = pytest.mark.filterwarnings("ignore::optuna.exceptions.ExperimentalWarning")
