"""Parallel, asynchronous evaluation on a local process pool, and its fault handling."""

import os
import signal
import sqlite3
import subprocess
import sys
import threading
import time

import pytest

from vaenas.study import ConfiguredStudy, StudyConfig

pytestmark = pytest.mark.heavy  # subprocesses, kills and end-to-end runs: CI runs them after the default suite

MACRO = dict(space="macro", objective="classifier", dataset="digits", strategy="rs")


def rows(out):
    with sqlite3.connect(out / "study.db") as db:
        return db.execute(
            "SELECT number, arch_key, status, attempts, started_at, finished_at, metrics FROM trials ORDER BY number"
        ).fetchall()


def kill_one_busy_worker(study, killed, after_seconds):
    """Waits until a worker holds a trial, lets it run a moment, then SIGKILLs it."""
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        executor = getattr(study.study, "executor", None)
        busy = executor.busy_pids() if executor is not None else {}
        if busy:
            pid, number = next(iter(busy.items()))
            time.sleep(after_seconds)
            if executor.busy_pids().get(pid) == number:
                os.kill(pid, signal.SIGKILL)
                killed.append(number)
                return
        time.sleep(0.05)


def run_killing_one_worker(study):
    """Runs the study while a thread SIGKILLs one busy worker; returns (result, killed trials)."""
    killed = []
    killer = threading.Thread(target=kill_one_busy_worker, args=(study, killed, 1.0), daemon=True)
    killer.start()
    result = study.run()
    killer.join()
    assert killed, "the killer found no busy worker"
    return result, killed


def test_pool_runs_trials_asynchronously_in_parallel(tmp_path):
    config = StudyConfig(**MACRO, budget=6, objective_options={"epochs": 1})
    result = ConfiguredStudy(config, tmp_path, executor="pool", workers=2).run()
    trials = rows(tmp_path)
    assert result.n_trials == 6 and all(t[2] == "complete" for t in trials)
    assert len({t[1] for t in trials}) == 6
    overlapping = sum(trials[i + 1][4] < trials[i][5] for i in range(len(trials) - 1))
    assert overlapping >= 1, "two workers must evaluate at the same time"


def test_killed_worker_has_its_trial_retried_and_every_arch_is_evaluated_once(tmp_path):
    config = StudyConfig(**MACRO, budget=6, objective_options={"epochs": 4})
    result, killed = run_killing_one_worker(ConfiguredStudy(config, tmp_path, executor="pool", workers=2))
    trials = rows(tmp_path)
    assert result.n_trials == 6 and all(t[2] == "complete" for t in trials)
    assert len({t[1] for t in trials}) == len(trials) == 6
    assert trials[killed[0]][3] == 2  # the killed trial ran again, once


def test_worker_lost_beyond_the_retries_is_a_failed_trial_with_the_reason(tmp_path):
    config = StudyConfig(**MACRO, budget=3, max_retries=0, objective_options={"epochs": 4})
    result, killed = run_killing_one_worker(ConfiguredStudy(config, tmp_path, executor="pool", workers=2))
    failed = [t for t in rows(tmp_path) if t[2] == "failed"]
    assert result.n_trials == 3 and [t[0] for t in failed] == killed
    assert "worker exited with code -9" in failed[0][6]


def test_a_study_started_in_process_resumes_on_a_pool(tmp_path):
    ConfiguredStudy(StudyConfig(strategy="re", budget=30), tmp_path).run()
    result = ConfiguredStudy(StudyConfig(strategy="re", budget=60), tmp_path, executor="pool", workers=2).run()
    trials = rows(tmp_path)
    assert result.n_trials == 60 and len({t[1] for t in trials}) == 60


def test_unknown_executor_lists_the_valid_ones(tmp_path):
    from vaenas.errors import UnknownNameError

    with pytest.raises(UnknownNameError, match="inprocess, pool, ray"):
        ConfiguredStudy(StudyConfig(budget=3), tmp_path, executor="dask")


SLOW_STARTING_WORKER = """
import multiprocessing, os, sys, time


def child(path):
    open(path, "w").write(str(os.getpid()))
    time.sleep(2)  # still importing when the parent dies
    from vaenas.study.executors.worker_lifetime import die_with_parent
    die_with_parent()
    time.sleep(600)

if __name__ == "__main__":
    process = multiprocessing.get_context("spawn").Process(target=child, args=(sys.argv[1],))
    process.start()
    while not os.path.exists(sys.argv[1]):
        time.sleep(0.05)
    os._exit(0)  # the parent dies while the child starts, with no clean-up (as a SIGKILL)
"""


def test_a_worker_whose_parent_died_while_it_started_exits_too(tmp_path):
    script, marker = tmp_path / "parent.py", tmp_path / "child.pid"
    script.write_text(SLOW_STARTING_WORKER)
    subprocess.run([sys.executable, str(script), str(marker)], check=True, timeout=30)
    pid = int(marker.read_text())
    deadline = time.monotonic() + 90  # its imports may take long on a loaded machine; without the fix it lives 600 s
    while _running(pid):
        if time.monotonic() > deadline:
            os.kill(pid, signal.SIGKILL)
            raise AssertionError("a worker outlived a parent that died while it started")
        time.sleep(0.2)


def _running(pid):
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().split()[2] != "Z"
    except FileNotFoundError:
        return False
