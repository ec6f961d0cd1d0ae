"""Studies on a real local Ray instance (num_cpus=2). Marked `ray`: run with `pytest -m ray`."""

import os
import signal
import sqlite3
import threading
import time
from pathlib import Path

import pytest

ray = pytest.importorskip("ray")

import vaenas  # noqa: E402
from vaenas.spaces import CellSpace, make_space  # noqa: E402
from vaenas.study import ConfiguredStudy, StudyConfig  # noqa: E402

pytestmark = pytest.mark.ray
TESTS_ON_PATH = {"env_vars": {"PYTHONPATH": str(Path(__file__).parent)}}
"""Ray workers import the tests' objective modules by name."""


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
    config = StudyConfig(space="macro", objective="classifier", dataset="synthetic", strategy="rs", budget=8,
                         objective_options={"epochs": 3}, pruner="asha", pruner_options={"reduction_factor": 2})
    result = ConfiguredStudy(config, tmp_path, executor="ray", workers=2).run()
    statuses = [t[2] for t in rows(tmp_path)]
    assert result.n_trials == 8 and "running" not in statuses and "failed" not in statuses
    assert result.n_pruned == statuses.count("pruned") >= 1
    with sqlite3.connect(tmp_path / "study.db") as db:
        assert db.execute("SELECT COUNT(*) FROM intermediate").fetchone()[0] >= 8  # every trial reported epoch 1


@pytest.mark.parametrize("share, capacity", [(1, 2), (0.5, 4)])
def test_ray_gives_each_trial_its_share_of_the_logical_gpus(tmp_path, share, capacity):
    """A Ray instance with 2 logical GPUs: each trial sees exactly the GPU ids Ray gave
    it; at 1 GPU per trial two trials that run at once never share one, at 0.5 two do."""
    import sys

    sys.path.insert(0, str(Path(__file__).parent))
    from gpu_probe import which_gpu

    ray.init(num_cpus=4, num_gpus=2, include_dashboard=False, log_to_driver=False, runtime_env=TESTS_ON_PATH)
    try:
        study = vaenas.create_study(space=make_space("macro"), strategy="rs")
        study.optimize(which_gpu, n_trials=capacity, executor="ray", gpus_per_trial=share)
    finally:
        ray.shutdown()
    trials = study.trials
    assert all(len(t.metrics["ray_gpu_ids"]) == 1 for t in trials)
    assert all(t.metrics["visible"] == t.metrics["ray_gpu_ids"][0] for t in trials)
    overlapping = [(a, b) for i, a in enumerate(trials) for b in trials[i + 1:]
                   if a.metrics["start"] < b.metrics["end"] and b.metrics["start"] < a.metrics["end"]]
    assert overlapping
    shared = [a.metrics["visible"] == b.metrics["visible"] for a, b in overlapping]
    assert not any(shared) if share == 1 else any(shared)


def test_pruning_on_a_two_node_cluster_goes_through_the_driver(tmp_path):
    """Every trial runs on the second node (the head has no CPU for tasks); workers never
    open the journal; the pruned trials and their steps are those of an in-process run of
    the same deterministic objective."""
    import sys

    from ray.cluster_utils import Cluster

    sys.path.insert(0, str(Path(__file__).parent))
    from gpu_probe import curve_away_from_the_journal
    from pruning_objective import learning_curve

    space = CellSpace(n_nodes=3, ops=["skip", "conv1x1", "conv3x3", "pool"])

    def pruned(study):
        return [(t.number, t.status.value, t.metrics.get("pruned_at")) for t in study.trials]

    with vaenas.create_study(space=space, strategy="rs", seed=7, pruner="asha", storage=tmp_path / "here") as here:
        here.optimize(learning_curve, n_trials=12)
        expected, reports = pruned(here), here.storage.intermediate_values()
    cluster = Cluster(initialize_head=True, head_node_args={"num_cpus": 0})
    cluster.add_node(num_cpus=1)
    ray.init(address=cluster.address, include_dashboard=False, log_to_driver=False, runtime_env=TESTS_ON_PATH)
    try:
        with vaenas.create_study(space=space, strategy="rs", seed=7, pruner="asha", storage=tmp_path / "ray") as there:
            there.optimize(curve_away_from_the_journal, n_trials=12, executor="ray", workers=1)
            assert pruned(there) == expected
            assert any(status == "pruned" for _, status, _ in expected)
            assert there.storage.intermediate_values() == reports
    finally:
        ray.shutdown()
        cluster.shutdown()
