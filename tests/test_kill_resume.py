"""SIGKILL at a random moment loses at most the running trial; a rerun completes the study."""

import os
import signal
import sqlite3
import subprocess
import sys
import time

import numpy as np
import pytest

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
