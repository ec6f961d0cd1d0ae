"""Where trials run on Ray: each trial's share of the (logical) GPUs, and pruning on a
two-node cluster through the study's hub. Each test starts its own Ray instance (so they
live apart from test_ray.py's shared one). Marked `ray`."""

import sys
from pathlib import Path

import pytest

ray = pytest.importorskip("ray")

import vaenas  # noqa: E402
from vaenas.spaces import CellSpace, make_space  # noqa: E402

pytestmark = pytest.mark.ray
TESTS = Path(__file__).parent
TESTS_ON_PATH = {"env_vars": {"PYTHONPATH": str(TESTS)}}
"""Ray workers import the tests' objective modules by name."""
sys.path.insert(0, str(TESTS))


@pytest.mark.parametrize("share, capacity", [(1, 2), (0.5, 4)])
def test_ray_gives_each_trial_its_share_of_the_logical_gpus(tmp_path, share, capacity):
    """A Ray instance with 2 logical GPUs: each trial sees exactly the GPU ids Ray gave
    it; at 1 GPU per trial two trials that run at once never share one, at 0.5 two do."""
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
    from ray.cluster_utils import Cluster

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
