"""Reports per step and pruners: decisions against hand-computed rungs, the trial handle
in optimize and in the user's own loop, journaled reports, resume and worker processes."""

import os
import signal
import sqlite3
import subprocess
import sys
import textwrap
import time

import pytest

import vaenas
from pruning_objective import OP_WORTH, curve_away_from_the_journal, learning_curve
from vaenas.errors import InvalidArgumentError
from vaenas.spaces import CellSpace
from vaenas.study import TrialStatus
from vaenas.study.pruners import HyperbandPruner, MedianPruner, PruningState, SuccessiveHalvingPruner, make_pruner

OPS = list(OP_WORTH)
R, C, P = TrialStatus.RUNNING, TrialStatus.COMPLETE, TrialStatus.PRUNED


def cells():
    return CellSpace(n_nodes=3, ops=OPS)


def state(reports, statuses=None, maximize=True):
    return PruningState(reports, statuses or {n: R for n in reports}, maximize)


# --- decisions, by hand ----------------------------------------------------------------

def test_asha_rungs_and_promotions_by_hand():
    asha = SuccessiveHalvingPruner(min_resource=1, reduction_factor=3)
    assert asha.rungs(10) == [1, 3, 9]
    # rung 1 holds 0.5 (trial 0) and 0.9 (trial 1): fewer than 3 values, only the best goes on
    assert asha.prune(0, state({0: {1: 0.5}, 1: {1: 0.9}}))
    assert not asha.prune(1, state({0: {1: 0.5}, 1: {1: 0.9}}))
    # six values at rung 1: the best 6 // 3 = 2 go on (0.9 and 0.8), 0.7 stops
    six = {n: {1: v} for n, v in enumerate([0.1, 0.9, 0.3, 0.8, 0.7, 0.2])}
    assert [asha.prune(n, state(six)) for n in range(6)] == [True, False, True, False, True, True]
    # between rungs nothing is decided, whatever the value
    assert not asha.prune(0, state({0: {1: 0.9, 2: 0.0}, 1: {1: 0.5, 2: 5.0}}))
    # minimising: the lowest values go on
    assert not asha.prune(0, state({0: {1: 0.1}, 1: {1: 0.9}}, maximize=False))
    # a later start: rungs at 3, 9 only
    assert SuccessiveHalvingPruner(1, 3, min_early_stopping_rate=1).rungs(10) == [3, 9]


def test_median_rule_by_hand():
    median = MedianPruner(n_startup_trials=2)
    reports = {0: {1: 0.2, 2: 0.4}, 1: {1: 0.6, 2: 0.8}, 2: {1: 0.5}}
    statuses = {0: C, 1: C, 2: R}
    # median at step 1 of the completed trials: 0.4; trial 2's best so far 0.5 goes on
    assert not median.prune(2, state(reports, statuses))
    assert median.prune(2, state({**reports, 2: {1: 0.3}}, statuses))
    # fewer completed trials than n_startup_trials: never
    assert not MedianPruner(n_startup_trials=3).prune(2, state({**reports, 2: {1: 0.0}}, statuses))
    # warm-up steps
    assert not MedianPruner(n_startup_trials=2, n_warmup_steps=2).prune(2, state({**reports, 2: {1: 0.0}}, statuses))


def test_hyperband_deals_trials_to_brackets_that_compete_apart():
    band = HyperbandPruner(min_resource=1, max_resource=9, reduction_factor=3)
    assert [b.min_early_stopping_rate for b in band.brackets] == [0, 1, 2]
    assert [band.bracket_of(n) for n in range(6)] == [0, 1, 2, 0, 1, 2]
    # trials 0 and 3 share bracket 0 (rungs 1, 3, 9): 3's 0.1 loses to 0's 0.9
    reports = {0: {1: 0.9}, 1: {1: 0.95}, 3: {1: 0.1}}
    assert band.prune(3, state(reports, {0: C, 1: R, 3: R}))
    # trial 1 is in bracket 1, whose first rung is 3: nothing to decide at step 1
    assert not band.prune(1, state({1: {1: 0.0}, 0: {1: 0.9}}))


@pytest.mark.parametrize(("name", "options", "message"), [
    ("asha", {"reduction_factor": 1}, "at least 2"),
    ("median", {"nosuch": 1}, "has no option 'nosuch'"),
    ("hyperband", {"min_resource": 0}, "at least 1"),
    ("nosuch", {}, "unknown pruner 'nosuch'"),
])
def test_bad_pruner_settings_are_one_error(name, options, message):
    with pytest.raises(vaenas.errors.VaenasError, match=message):
        make_pruner(name, options)


# --- the trial handle ------------------------------------------------------------------

def test_both_objective_forms_work_and_pruned_trials_are_recorded():
    with vaenas.create_study(space=cells(), strategy="rs", seed=3) as plain:
        plain.optimize(lambda arch: sum(OP_WORTH[op] for op in arch), n_trials=20)
    with vaenas.create_study(space=cells(), strategy="rs", seed=3, pruner="asha") as pruned:
        pruned.optimize(learning_curve, n_trials=20)
        statuses = [t.status for t in pruned.trials]
        assert P in statuses and C in statuses and R not in statuses
        frame = pruned.trials_dataframe()
        stopped = frame[frame.status == "pruned"].iloc[0]
        assert stopped["intermediate_values"] and stopped["value"] == list(stopped["intermediate_values"].values())[-1]
        assert pruned.best_value == max(t.value for t in pruned.trials if t.status is C)
    assert [t.arch for t in plain.trials] == [t.arch for t in pruned.trials]  # the same proposals, seed for seed


def _kept_then_pruned(study):
    """In the user's own loop: a trial that reports 0.9 and completes, then one that
    reports 0.1, is told to stop, and is told pruned. Returns the second."""
    first = study.ask_trial()
    first.report(0.9, 1)
    study.tell(first, 1.0)
    second = study.ask_trial()
    second.report(0.1, 1)
    assert second.should_prune()
    study.tell(second, vaenas.TrialPruned())
    return second


def test_the_users_own_loop_reports_and_tells_a_pruned_trial():
    with vaenas.create_study(space=cells(), strategy="rs", pruner=MedianPruner(n_startup_trials=1)) as study:
        _kept_then_pruned(study)
        assert [t.status for t in study.trials] == [C, P] and study.trials[1].value == 0.1
        with pytest.raises(InvalidArgumentError, match="step"):
            study.ask_trial().report(1.0, -1)


@pytest.mark.parametrize(("told", "expected"), [("value", 0.1), ("failed", None)])
def test_what_a_strategy_is_told_of_a_pruned_trial(told, expected, monkeypatch):
    from vaenas._experiment_settings import EXPERIMENTS

    monkeypatch.setattr(EXPERIMENTS, "pruned_trials", told)
    with vaenas.create_study(space=cells(), strategy="rs", pruner=MedianPruner(n_startup_trials=1)) as study:
        second = _kept_then_pruned(study)
        assert study.strategy.score_of(second.arch) == expected and study.trials[1].status is P


def test_reports_are_journaled_and_survive_reopening(tmp_path):
    with vaenas.create_study(space=cells(), strategy="rs", storage=tmp_path, pruner="asha") as study:
        study.optimize(learning_curve, n_trials=10)
        before = study.storage.intermediate_values()
    with vaenas.create_study(space=cells(), strategy="rs", storage=tmp_path, pruner="asha") as study:
        assert study.storage.intermediate_values() == before and before
    with pytest.raises(vaenas.errors.StudyConfigMismatchError, match="pruner"):
        vaenas.create_study(space=cells(), strategy="rs", storage=tmp_path, pruner="median")


def test_a_journal_from_before_pruning_opens_and_gains_the_pruned_status(tmp_path):
    with sqlite3.connect(tmp_path / "study.db") as db:
        db.executescript(textwrap.dedent("""
            CREATE TABLE study (key TEXT PRIMARY KEY, value TEXT NOT NULL);
            CREATE TABLE trials (number INTEGER PRIMARY KEY, arch_key TEXT NOT NULL UNIQUE, arch TEXT NOT NULL,
                status TEXT NOT NULL CHECK (status IN ('running', 'complete', 'failed')), value REAL,
                metrics TEXT NOT NULL DEFAULT '{}', attempts INTEGER NOT NULL DEFAULT 1, started_at REAL NOT NULL,
                finished_at REAL);
        """))
    with vaenas.create_study(space=cells(), strategy="rs", storage=tmp_path, pruner="asha") as study:
        study.optimize(learning_curve, n_trials=12)
        assert P in {t.status for t in study.trials}


# --- the same decisions wherever trials run, and after a kill ------------------------------

def _statuses(study):
    return [(t.arch, t.status.value, t.value) for t in study.trials]


def test_a_pool_worker_makes_the_decisions_of_the_study_process(tmp_path):
    runs = {}
    for executor in ("inprocess", "pool"):
        with vaenas.create_study(space=cells(), strategy="rs", seed=4, pruner="asha", storage=tmp_path / executor) as s:
            s.optimize(learning_curve, n_trials=16, workers=1, executor=executor)
            runs[executor] = _statuses(s)
    assert runs["pool"] == runs["inprocess"] and any(status == "pruned" for _, status, _ in runs["pool"])


def test_two_pool_workers_prune_through_the_study_never_the_journal(tmp_path):
    """Workers report to the study's hub and never open the journal (the objective fails
    if it finds the journal open in its process); the study journals every report up to
    the step where a trial stopped, in memory as on disk."""
    for storage in (tmp_path, None):
        with vaenas.create_study(space=cells(), strategy="rs", seed=4, pruner="asha", storage=storage) as study:
            study.optimize(curve_away_from_the_journal, n_trials=16, workers=2)
            reports = study.storage.intermediate_values()
            trials = study.trials
        assert len(trials) == 16 and all(t.status in (C, P) for t in trials) and any(t.status is P for t in trials)
        for t in trials:
            last = max(reports[t.number])
            assert sorted(reports[t.number]) == list(range(1, last + 1))
            assert last == 8 if t.status is C else t.value == reports[t.number][last]


SCRIPT = """
import sys
import vaenas
from pruning_objective import learning_curve
from vaenas.spaces import CellSpace
space = CellSpace(n_nodes=3, ops={ops!r})
with vaenas.create_study(space=space, strategy="rs", seed=7, pruner="asha", storage=sys.argv[1]) as study:
    study.optimize(learning_curve, n_trials=24 - study.n_finished)  # 24 in all, resumed or not
"""


@pytest.mark.heavy
def test_a_study_killed_mid_rung_resumes_to_the_decisions_of_an_uninterrupted_one(tmp_path):
    script = tmp_path / "study.py"
    script.write_text(SCRIPT.format(ops=OPS))
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([os.path.dirname(__file__), os.environ.get("PYTHONPATH", "")])}
    whole = subprocess.run([sys.executable, str(script), str(tmp_path / "whole")], env=env, timeout=300)
    assert whole.returncode == 0
    killed = subprocess.Popen([sys.executable, str(script), str(tmp_path / "killed")],
                              env={**env, "VAENAS_TEST_STEP_SECONDS": "0.05"})
    deadline = time.monotonic() + 120
    while True:  # until some trial is mid-way: it has reported but not finished
        assert time.monotonic() < deadline and killed.poll() is None
        try:
            with sqlite3.connect(tmp_path / "killed" / "study.db", timeout=5) as db:
                mid = db.execute("SELECT COUNT(*) FROM trials t JOIN intermediate i ON i.number = t.number "
                                 "WHERE t.status = 'running' AND t.number >= 5").fetchone()[0]
        except sqlite3.OperationalError:
            mid = 0
        if mid:
            break
        time.sleep(0.01)
    killed.send_signal(signal.SIGKILL)
    killed.wait()
    assert subprocess.run([sys.executable, str(script), str(tmp_path / "killed")], env=env, timeout=300).returncode == 0
    with vaenas.create_study(space=cells(), strategy="rs", seed=7, pruner="asha", storage=tmp_path / "whole") as a, \
            vaenas.create_study(space=cells(), strategy="rs", seed=7, pruner="asha", storage=tmp_path / "killed") as b:
        assert _statuses(a) == _statuses(b)
        assert a.storage.intermediate_values() == b.storage.intermediate_values()


@pytest.mark.heavy
def test_a_pool_study_whose_report_hub_is_killed_mid_trial_finishes(tmp_path, monkeypatch):
    """SIGKILL of the hub's process while trials report: the driver starts it again from
    the journal, the workers find it at the same address, no trial is left running and
    every trial's curve reaches the journal whole."""
    import threading

    from vaenas.study.executors import local_pool

    managers, start = [], local_pool.HubManager.start

    def watched_start(manager, *args, **kwargs):
        start(manager, *args, **kwargs)
        managers.append(manager)

    monkeypatch.setattr(local_pool.HubManager, "start", watched_start)
    monkeypatch.setenv("VAENAS_TEST_STEP_SECONDS", "0.05")

    def kill_when_reporting():
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            try:
                with sqlite3.connect(tmp_path / "study.db", timeout=5) as db:
                    if db.execute("SELECT COUNT(*) FROM trials t JOIN intermediate i ON i.number = t.number "
                                  "WHERE t.status = 'running' AND t.number >= 3").fetchone()[0]:
                        os.kill(managers[0]._process.pid, signal.SIGKILL)
                        return
            except sqlite3.Error:
                pass
            time.sleep(0.05)

    killer = threading.Thread(target=kill_when_reporting)
    killer.start()
    with vaenas.create_study(space=cells(), strategy="rs", seed=4, pruner="asha", storage=tmp_path) as study:
        study.optimize(learning_curve, n_trials=12, workers=2)
        trials, reports = study.trials, study.storage.intermediate_values()
    killer.join()
    assert len(managers) >= 2 and managers[0]._process.exitcode == -signal.SIGKILL  # killed, then started again
    assert len(trials) == 12 and all(t.status in (C, P) for t in trials)
    for t in trials:
        last = max(reports[t.number])
        assert sorted(reports[t.number]) == list(range(1, last + 1))
