"""The article's loop: `bo-retrain` retrains the VAE on what it evaluated (weighted by
rank), re-encodes its pool, and a restarted study reaches the same VAE."""

import numpy as np
import pytest
import torch
from library_objective import conv_count

import vaenas
from vaenas.search import make_strategy
from vaenas.spaces import CellSpace, make_space
from vaenas.vae import ArchVAE, VAEConfig, cached_vae
from vaenas.vae.weighted_retraining import rank_weights, weighted_retrain

pytestmark = pytest.mark.heavy  # subprocesses, kills and end-to-end runs: CI runs them after the default suite

SPACE = CellSpace(n_nodes=3, ops=["skip", "conv3x3", "pool", "conv1x1"])


@pytest.fixture(scope="module")
def small_vae():
    """A briefly trained VAE: these tests check the loop's mechanics, not the VAE."""
    return ArchVAE(SPACE, VAEConfig(epochs=4, min_steps=40)).fit(list(SPACE.enumerate()))


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


def _retrain_study(folder, small_vae, n_trials, name="bo-retrain"):
    options = {"retrain_every": 8, "retrain_steps": 10} if name == "bo-retrain" else {}
    strategy = make_strategy(name, SPACE, seed=2, vae=small_vae, n_init=5, **options)
    with vaenas.create_study(space=SPACE, strategy=strategy, storage=folder) as study:
        if n_trials:
            study.optimize(conv_count, n_trials=n_trials)
        return strategy, [t.arch for t in study.trials]


def test_the_retrained_vae_is_kept_in_the_run_folder_and_a_resumed_study_takes_it(tmp_path, small_vae):
    strategy, _ = _retrain_study(tmp_path, small_vae, 20)
    kept = tmp_path / "learned_state.pt"
    archs = list(SPACE.enumerate())
    assert np.allclose(ArchVAE.load(kept, SPACE).embed(archs), strategy.pool.vae.embed(archs))
    # a kept VAE other than the one a replay would retrain: the resumed study must use the kept one
    other = weighted_retrain(small_vae, archs[:6], [conv_count(a) for a in archs[:6]], archs, steps=10, seed=99)
    torch.save({**other.checkpoint(), "observations": 16}, kept)
    resumed, _ = _retrain_study(tmp_path, small_vae, 0)
    assert np.allclose(resumed.pool.vae.embed(archs), other.embed(archs))


def test_a_damaged_kept_vae_is_relearned_from_the_journal(tmp_path, small_vae):
    strategy, _ = _retrain_study(tmp_path, small_vae, 20)
    (tmp_path / "learned_state.pt").write_bytes(b"not a checkpoint")
    with pytest.warns(UserWarning, match="relearns it from the journal"):
        resumed, _ = _retrain_study(tmp_path, small_vae, 0)
    archs = list(SPACE.enumerate())
    assert np.allclose(resumed.pool.vae.embed(archs), strategy.pool.vae.embed(archs))
    assert ArchVAE.load(tmp_path / "learned_state.pt", SPACE)  # written anew on resume


@pytest.mark.parametrize("name", ["bo-retrain", "bo"])
def test_a_resumed_study_proposes_what_an_uninterrupted_one_does(tmp_path, small_vae, name):
    _, whole = _retrain_study(tmp_path / "whole", small_vae, 26, name)
    _retrain_study(tmp_path / "cut", small_vae, 17, name)
    _, resumed = _retrain_study(tmp_path / "cut", small_vae, 9, name)
    assert resumed == whole


def test_bo_retrain_searches_macro_where_the_pool_is_a_sample(tmp_path, vae_cache):
    macro = make_space("macro")
    vae = cached_vae(macro, cache_dir=vae_cache)
    strategy = make_strategy("bo-retrain", macro, seed=1, vae=vae, retrain_every=10, retrain_steps=5, n_init=5,
                             pool_size=2000)
    with vaenas.create_study(space=macro, strategy=strategy, storage=tmp_path) as study:
        study.optimize(lambda arch: float(sum(stage.width for stage in arch)), n_trials=22)
        assert strategy.retrains == 2 and len({t.arch for t in study.trials}) == 22
    kept = ArchVAE.load(tmp_path / "learned_state.pt", macro).model.state_dict()
    live = strategy.pool.vae.model.state_dict()
    assert all(torch.equal(kept[name], live[name]) for name in live)
