"""The article's loop: `bo-retrain` retrains the VAE on what it evaluated (weighted by
rank), re-encodes its pool, and a restarted study reaches the same VAE."""

import numpy as np
import pytest
import torch
from library_objective import conv_count

import vaenas
from vaenas.search import make_strategy
from vaenas.spaces import CellSpace
from vaenas.vae import cached_vae
from vaenas.vae.weighted_retraining import rank_weights, weighted_retrain

SPACE = CellSpace(n_nodes=3, ops=["skip", "conv3x3", "pool", "conv1x1"])


@pytest.fixture(scope="module")
def small_vae(tmp_path_factory):
    return cached_vae(SPACE, cache_dir=tmp_path_factory.mktemp("cache"))


def test_rank_weights_fall_from_the_best_down():
    weights = rank_weights([0.2, 0.9, 0.5, 0.1])
    assert np.isclose(weights.sum(), 1.0)
    assert list(np.argsort(weights)[::-1]) == [1, 2, 0, 3]
    assert weights[1] > 5 * weights[2]  # 1 / (k n + rank): the best dominates


def test_weighted_retraining_moves_a_copy_and_is_repeatable(small_vae):
    archs = list(SPACE.enumerate())
    before = small_vae.embed(archs)
    evaluated, values = archs[:12], [conv_count(a) for a in archs[:12]]
    tuned = weighted_retrain(small_vae, evaluated, values, archs, steps=15, seed=3)
    again = weighted_retrain(small_vae, evaluated, values, archs, steps=15, seed=3)
    assert np.allclose(small_vae.embed(archs), before)  # the cached VAE is left as it was
    assert not np.allclose(tuned.embed(archs), before)
    for mine, theirs in zip(tuned.model.state_dict().values(), again.model.state_dict().values()):
        assert torch.equal(mine, theirs)


def test_bo_retrain_retrains_and_a_restarted_study_reaches_the_same_vae(tmp_path, small_vae):
    options = {"retrain_every": 8, "retrain_steps": 10, "n_init": 5}
    with vaenas.create_study(space=SPACE, strategy=make_strategy("bo-retrain", SPACE, seed=2, vae=small_vae, **options),
                             storage=tmp_path) as study:
        study.optimize(conv_count, n_trials=20)
        assert study.strategy.retrains == 2  # at 8 and 16 observations
        live, best = study.strategy.pool.node_means.copy(), study.best_value
        assert not np.allclose(live, make_strategy("bo", SPACE, seed=2, vae=small_vae).pool.node_means)
    restarted = make_strategy("bo-retrain", SPACE, seed=2, vae=small_vae, **options)
    with vaenas.create_study(space=SPACE, strategy=restarted, storage=tmp_path) as again:
        assert restarted.retrains == 2 and np.allclose(restarted.pool.node_means, live)
        again.optimize(conv_count, n_trials=4)
        assert len(again.trials) == 24 and again.best_value >= best


def test_bo_retrain_takes_bo_options_and_refuses_a_bad_interval(small_vae):
    with pytest.raises(vaenas.errors.InvalidArgumentError, match="retrain_every"):
        vaenas.create_study(space=SPACE, strategy="bo-retrain", strategy_options={"retrain_every": 0})
    strategy = make_strategy("bo-retrain", SPACE, seed=0, vae=small_vae, acquisition="ucb")
    assert strategy.acquisition == "ucb"
