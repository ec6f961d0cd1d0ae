"""SIGKILL at a random moment loses at most the running trial; a rerun completes the study."""

import os
import signal
import sqlite3
import subprocess
import sys
import time

import numpy as np
import pytest

pytestmark = pytest.mark.heavy  # subprocesses, kills and end-to-end runs: CI runs them after the default suite

BUDGET = 15_625  # the whole space: a few seconds, long enough to be killed mid-study


def complete_rows(db_path):
    try:
        with sqlite3.connect(db_path, timeout=5) as db:
            return db.execute(
                "SELECT number, arch_key, value FROM trials WHERE status = 'complete' ORDER BY number"
            ).fetchall()
    except sqlite3.OperationalError:
        return []  # journal not created yet


def search(out):
    cmd = [sys.executable, "-m", "vaenas", "search", "--strategy", "rs", "--seed", "5",
           "--budget", str(BUDGET), "--out", str(out)]
    return subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


@pytest.mark.parametrize("kill_after", [int(k) for k in np.random.default_rng(2026).integers(50, 5000, size=2)])
def test_sigkill_mid_study_then_resume(tmp_path, kill_after):
    db_path = tmp_path / "study.db"
    proc = search(tmp_path)
    deadline = time.monotonic() + 60
    while len(complete_rows(db_path)) < kill_after and proc.poll() is None:
        assert time.monotonic() < deadline
        time.sleep(0.002)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    survived = complete_rows(db_path)
    assert kill_after <= len(survived) < BUDGET, "the study must be killed mid-way"

    resumed = search(tmp_path)
    assert resumed.wait(timeout=120) == 0, resumed.stderr.read().decode()
    final = complete_rows(db_path)
    assert set(survived) <= set(final), "a finished trial was lost or changed"
    assert [r[0] for r in final] == list(range(BUDGET))
    assert len({r[1] for r in final}) == BUDGET


ENQUEUE_THEN_DIE = """
import os, signal, sys
sys.path.insert(0, {tests!r})
import vaenas
from vaenas.spaces import CellSpace
from library_objective import conv_count


space = CellSpace(n_nodes=3, ops=["skip", "conv1x1", "conv3x3", "pool"])
study = vaenas.create_study(space=space, strategy="rs", storage={out!r}, seed=4)
for text in {enqueued!r}:
    study.enqueue_trial(text)

def die_after_two(study, trial):
    if study.n_finished == 2:
        os.kill(os.getpid(), signal.SIGKILL)

study.optimize(conv_count, n_trials=10, callbacks=[die_after_two])
"""


def test_enqueued_trials_survive_a_sigkill_and_run_first_on_resume(tmp_path):
    import vaenas
    from library_objective import conv_count
    from vaenas.spaces import CellSpace

    space = CellSpace(n_nodes=3, ops=["skip", "conv1x1", "conv3x3", "pool"])
    enqueued = [space.format(a) for a in list(space.enumerate())[10:15]]
    script = ENQUEUE_THEN_DIE.format(tests=os.path.dirname(__file__), out=str(tmp_path), enqueued=enqueued)
    killed = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60)
    assert killed.returncode == -signal.SIGKILL, killed.stderr
    with vaenas.create_study(space=space, strategy="rs", storage=tmp_path, seed=4) as study:
        assert [space.format(t.arch) for t in study.trials] == enqueued[:2]
        study.optimize(conv_count, n_trials=3)
        assert [space.format(t.arch) for t in study.trials] == enqueued
        assert study.storage.queued() == []
