"""Studies on a real local Ray instance (num_cpus=2). Marked `ray`: run with `pytest -m ray`."""

import os
import signal
import sqlite3
import threading
import time
from pathlib import Path

import pytest

ray = pytest.importorskip("ray")

from vaenas.study import ConfiguredStudy, StudyConfig  # noqa: E402

pytestmark = pytest.mark.ray


@pytest.fixture(scope="module")
def local_ray():
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False)
    yield
    ray.shutdown()


def rows(out):
    with sqlite3.connect(out / "study.db") as db:
        return db.execute("SELECT number, arch_key, status, attempts FROM trials ORDER BY number").fetchall()


def test_nb201_table_study_on_ray(local_ray, tmp_path):
    result = ConfiguredStudy(StudyConfig(strategy="re", budget=24, seed=1), tmp_path, executor="ray").run()
    trials = rows(tmp_path)
    assert result.n_trials == 24 and len({t[1] for t in trials}) == 24
    assert all(t[2] == "complete" for t in trials)


def test_macro_digits_study_on_ray_exports_the_best_model(local_ray, tmp_path):
    config = StudyConfig(space="macro", objective="classifier", dataset="digits", strategy="rs",
                         budget=4, objective_options={"epochs": 1})
    result = ConfiguredStudy(config, tmp_path, executor="ray").run()
    assert result.n_trials == 4 and result.n_failed == 0
    assert (tmp_path / "best_model.pt").is_file()


def busy_ray_workers():
    """PIDs of Ray worker processes evaluating a trial (Ray titles them by the task)."""
    pids = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if b"ray::evaluate_in_worker" in (entry / "cmdline").read_bytes():
                    pids.append(int(entry.name))
            except OSError:
                continue
    return pids


def test_killed_ray_worker_has_its_trial_retried(local_ray, tmp_path):
    config = StudyConfig(space="macro", objective="classifier", dataset="digits", strategy="rs",
                         budget=4, objective_options={"epochs": 4})
    killed = []

    def killer():
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and not killed:
            pids = busy_ray_workers()
            if pids:
                time.sleep(1.0)
                if pids[0] in busy_ray_workers():
                    os.kill(pids[0], signal.SIGKILL)
                    killed.append(pids[0])
            time.sleep(0.05)

    thread = threading.Thread(target=killer, daemon=True)
    thread.start()
    result = ConfiguredStudy(config, tmp_path, executor="ray").run()
    thread.join()
    trials = rows(tmp_path)
    assert killed, "no busy Ray worker was found to kill"
    assert result.n_trials == 4 and all(t[2] == "complete" for t in trials)
    assert len({t[1] for t in trials}) == 4
    assert max(t[3] for t in trials) == 2  # one trial ran twice, none more



def test_ray_workers_prune_through_the_hub_and_the_driver_journals_their_reports(local_ray, tmp_path):
    config = StudyConfig(space="macro", objective="classifier", dataset="digits", strategy="rs", budget=8,
                         objective_options={"epochs": 3}, pruner="asha", pruner_options={"reduction_factor": 2})
    result = ConfiguredStudy(config, tmp_path, executor="ray", workers=2).run()
    statuses = [t[2] for t in rows(tmp_path)]
    assert result.n_trials == 8 and "running" not in statuses and "failed" not in statuses
    assert result.n_pruned == statuses.count("pruned") >= 1
    with sqlite3.connect(tmp_path / "study.db") as db:
        assert db.execute("SELECT COUNT(*) FROM intermediate").fetchone()[0] >= 8  # every trial reported epoch 1


def test_a_ray_study_whose_report_hub_is_killed_mid_trial_finishes(local_ray, tmp_path):
    """The hub actor killed while trials report: the driver starts it again under its
    name, workers find it there, and the study finishes with no trial left running and
    every trial's epochs journaled."""
    killed = []

    def kill_when_reporting():
        deadline = time.monotonic() + 300
        while time.monotonic() < deadline and not killed:
            try:
                with sqlite3.connect(tmp_path / "study.db", timeout=5) as db:
                    reporting = db.execute("SELECT COUNT(*) FROM trials t JOIN intermediate i ON i.number = t.number "
                                           "WHERE t.status = 'running' AND t.number >= 1").fetchone()[0]
            except sqlite3.Error:
                reporting = 0
            names = [a["name"] for a in ray.util.list_named_actors(all_namespaces=True)
                     if a["name"].startswith("vaenas-report-hub-")]
            if reporting and names:
                ray.kill(ray.get_actor(names[0]), no_restart=True)
                killed.append(names[0])
            time.sleep(0.05)

    killer = threading.Thread(target=kill_when_reporting)
    killer.start()
    config = StudyConfig(space="macro", objective="classifier", dataset="synthetic", strategy="rs", budget=6,
                         objective_options={"epochs": 4}, pruner="asha", pruner_options={"reduction_factor": 2})
    result = ConfiguredStudy(config, tmp_path, executor="ray", workers=2).run()
    killer.join()
    statuses = [t[2] for t in rows(tmp_path)]
    assert killed and result.n_trials == 6 and set(statuses) <= {"complete", "pruned"}
    with sqlite3.connect(tmp_path / "study.db") as db:
        epochs = dict(db.execute("SELECT number, COUNT(*) FROM intermediate GROUP BY number").fetchall())
        last = dict(db.execute("SELECT number, MAX(step) FROM intermediate GROUP BY number").fetchall())
    assert len(epochs) == 6 and epochs == last  # steps 1..last, none lost with the hub
