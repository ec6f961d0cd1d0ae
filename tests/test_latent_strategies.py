import numpy as np
import pytest
from strategy_driver import drive

from vaenas.search import make_strategy, needs_vae
from vaenas.search.output_warping import warp_values
from vaenas.spaces import make_space
from vaenas.study import ConfiguredStudy, StudyConfig

SPACE = make_space("nb201")
MODEL_BASED = ["bo", "bo-retrain", "rl", "grad", "bananas"]


def build(name, vae, seed=0):
    options = {"vae": vae} if needs_vae(name) else {}
    return make_strategy(name, SPACE, seed=seed, **options)




@pytest.mark.heavy
@pytest.mark.parametrize("name", [pytest.param(n, marks=pytest.mark.slow) if n == "bo-retrain" else n for n in MODEL_BASED])
def test_distinct_and_reproducible(name, nb201_vae):
    """bo-retrain's case (28 s) is slow: tests/test_vae_loop.py checks that it proposes the
    same architectures again, through a resume."""
    first = drive(build(name, nb201_vae, seed=4), 25)
    again = drive(build(name, nb201_vae, seed=4), 25)
    assert first == again
    assert len({SPACE.key(a) for a in first}) == 25


@pytest.mark.parametrize("name", MODEL_BASED)
def test_batches_and_pending_are_never_proposed_twice(name, nb201_vae):
    strategy = build(name, nb201_vae, seed=1)
    drive(strategy, 15)
    batch = strategy.ask(4) + strategy.ask(4)
    assert len({SPACE.key(a) for a in batch}) == 8


def test_latent_strategy_without_a_vae_is_refused():
    with pytest.raises(ValueError, match="needs a pretrained ArchVAE"):
        make_strategy("bo", SPACE, seed=0)


def test_bo_proposes_what_the_gp_rates_best(nb201_vae):
    strategy = build("bo", nb201_vae, seed=2)
    drive(strategy, 30)
    proposal = strategy.ask(1)[0]
    values = warp_values(np.array(strategy._values), strategy.warp)  # what the GP is fitted to
    # the proposal is unseen, and the GP (fitted on 30 points) predicts it above the median seen
    assert not any(SPACE.key(proposal) == k for k in strategy._scores)
    mean, _ = strategy._gp.predict(strategy._x([strategy.pool.index_of(proposal)]))
    assert mean[0] > np.median(values)


def test_gp_prediction_is_botorchs_posterior(nb201_vae):
    import torch

    strategy = build("bo", nb201_vae, seed=6)
    drive(strategy, 40)
    x = strategy._x(np.arange(500))
    mean, std = strategy._gp.predict(x)
    with torch.no_grad():
        posterior = strategy._gp.model.posterior(torch.as_tensor(x, dtype=torch.float64).unsqueeze(1))
    assert np.allclose(mean, posterior.mean.squeeze().numpy(), atol=1e-6)
    assert np.allclose(std, posterior.variance.squeeze().sqrt().numpy(), atol=1e-6)


def test_pending_points_lower_the_uncertainty_around_them(nb201_vae):
    strategy = build("bo", nb201_vae, seed=6)
    drive(strategy, 20)
    x = strategy._x(np.arange(50))
    _, alone = strategy._gp.predict(x)
    _, believed = strategy._gp.predict(x, pending=x[:5])
    assert np.all(believed[:5] < alone[:5] * 0.5) and np.all(believed <= alone + 1e-9)


def test_bo_reads_the_node_mean_the_one_hot_and_the_parameter_count_by_default(nb201_vae):
    from vaenas.objectives.nb201_proxies import load_proxies

    strategy = make_strategy("bo", SPACE, seed=0, vae=nb201_vae)
    d = nb201_vae.config.latent_dim
    x = strategy._x([0, 1, 2])
    assert strategy._x.kind == "embedding+onehot" and x.shape == (3, d + 6 * 5 + 1)
    assert np.allclose(x[:, :d], strategy.pool.node_means[[0, 1, 2]])
    params = [load_proxies()[SPACE.key(strategy.pool.archs[i])]["params"] for i in range(3)]
    assert np.array_equal(np.argsort(x[:, -1]), np.argsort(params))  # the last column ranks as the parameter count


@pytest.mark.heavy
@pytest.mark.parametrize("features", ["latent", "latent+onehot", "embedding", "onehot"])
def test_bo_feature_options(nb201_vae, features):
    strategy = make_strategy("bo", SPACE, seed=0, vae=nb201_vae, features=features)
    asked = drive(strategy, 15)
    assert len({SPACE.key(a) for a in asked}) == 15
    # one-hot: the 6 edge nodes x 5 ops; nb201's fixed adjacency and input/output are constant
    d = nb201_vae.config.latent_dim
    width = {"latent": d, "embedding": d, "latent+onehot": d + 6 * 5, "onehot": 6 * 5}[features]
    x = strategy._x([0, 1])
    assert x.shape == (2, width + 1)  # and the parameter count (proxy_features=auto)
    if features == "embedding":  # the node means, not the decodable points
        assert np.allclose(x[:, :d], strategy.pool.node_means[[0, 1]])
        assert not np.allclose(x[:, :d], strategy.pool.embeddings[[0, 1]])


def test_operation_counts_come_last_and_the_gp_reads_them_linearly(nb201_vae):
    strategy = make_strategy("bo", SPACE, seed=0, vae=nb201_vae, op_counts=True)
    drive(strategy, 15)
    d = nb201_vae.config.latent_dim
    x = strategy._x(np.arange(20))
    # 5 ops counted over the 6 edge nodes (input and output are constant, left out)
    assert strategy._x.n_counts == 5 and x.shape == (20, d + 6 * 5 + 1 + 5)  # the parameter count before them
    assert np.allclose(x[:, -5:].sum(1) * SPACE.max_nodes, 6)
    kernels = [type(k).__name__ for k in strategy._gp.model.covar_module.kernels]
    assert kernels == ["RBFKernel", "LinearKernel"]


def test_a_linear_kernel_on_counts_extrapolates_where_the_rbf_cannot():
    from vaenas.search.gp import LatentGP

    rng = np.random.default_rng(2)
    counts = rng.multinomial(4, [0.25] * 4, size=40) / 8  # 4 nodes of 4 ops, as operation_counts
    x = np.column_stack([rng.random((40, 3)), counts])
    y = (counts * 8) @ np.array([-3.0, 1.0, 2.0, 0.5]) + 0.05 * rng.standard_normal(40)  # additive, as latency
    assert counts[:, 0].max() * 8 <= 2
    far = np.array([[0.5, 0.5, 0.5, 1 / 2, 0, 0, 0]])  # 4 nodes of op 0, never seen: truth -12
    linear, rbf = LatentGP(linear_columns=4), LatentGP()
    linear.fit(x, y)
    rbf.fit(x, y)
    assert abs(linear.predict(far)[0][0] + 12) < 1.0
    assert abs(rbf.predict(far)[0][0] + 12) > 3.0


def test_a_fixed_noise_is_kept_through_fits_and_the_default_noise_is_fitted():
    from vaenas.search.gp import LatentGP

    rng = np.random.default_rng(3)
    x = rng.random((30, 4))
    y = np.sin(3 * x.sum(1)) + 0.3 * rng.standard_normal(30)
    fixed, fitted = LatentGP(fixed_noise=1e-3), LatentGP()
    for n in (25, 30):  # the second fit starts warm from the first
        fixed.fit(x[:n], y[:n])
        fitted.fit(x[:n], y[:n])
        assert float(fixed.model.likelihood.noise.detach()) == pytest.approx(1e-3, rel=1e-4)
        assert float(fitted.model.likelihood.noise.detach()) > 2e-3  # noisy data: a fit finds noise
    at_data = fixed.predict(x[:5])[0]
    assert np.abs(at_data - y[:5]).max() < np.abs(fitted.predict(x[:5])[0] - y[:5]).max()


def test_log_expected_improvement_is_the_log_of_the_closed_form_and_ranks_the_far_tail():
    from scipy.stats import norm

    from vaenas.search.acquisition import log_expected_improvement

    mean, std = np.linspace(-15, 41, 2001), np.full(2001, 2.0)  # u from -8 to 20
    u = (mean - 1.0) / std
    closed_form = np.log(std * (norm.pdf(u) + u * norm.cdf(u)))
    assert np.allclose(log_expected_improvement(mean, std, 1.0), closed_form, rtol=1e-9, atol=1e-9)
    far = log_expected_improvement(np.array([-200.0, -100.0]), np.ones(2), 0.0)  # EI underflows to 0 there
    assert np.all(np.isfinite(far)) and far[1] > far[0]


def test_bo_ucb_proposes_the_pool_member_of_highest_upper_confidence_bound(nb201_vae):
    from vaenas.search.acquisition import acquisition_values

    strategy = make_strategy("bo", SPACE, seed=0, vae=nb201_vae, acquisition="ucb", patience=0)
    drive(strategy, 12)
    strategy._fit()
    unseen = np.flatnonzero(~strategy.seen_mask())
    mean, std = strategy._gp.predict(strategy._x(unseen))
    bound = acquisition_values(mean, std, float(np.max(strategy._values)), "ucb")
    (proposal,) = strategy.ask(1)
    assert SPACE.key(proposal) == SPACE.key(strategy.pool.archs[int(unseen[np.argmax(bound)])])
    expected = acquisition_values(mean, std, float(np.max(strategy._values)), "ei")
    ranked = [np.argsort(values)[::-1][:20] for values in (bound, expected)]
    assert not np.array_equal(*ranked)  # the option ranks the pool otherwise than EI


def test_bo_with_patience_searches_around_a_best_that_stopped_improving(nb201_vae):
    strategy = make_strategy("bo", SPACE, seed=0, vae=nb201_vae, n_init=5, patience=3, stay_local=False)
    first = strategy.ask(5)
    for arch, value in zip(first, [10.0, 1.0, 1.2, 0.8, 1.1]):
        strategy.tell(arch, value)
    for _ in range(4):  # the best is 4, then 5, ... observations old
        (proposal,) = strategy.ask(1)
        assert sum(a != b for a, b in zip(proposal, first[0])) == 1
        strategy.tell(proposal, 0.5)


def test_bo_staying_local_goes_back_to_the_pool_after_a_fruitless_local_phase(nb201_vae):
    strategy = make_strategy("bo", SPACE, seed=0, vae=nb201_vae, n_init=5, patience=3)
    first = strategy.ask(5)
    for arch, value in zip(first, [10.0, 1.0, 1.2, 0.8, 1.1]):
        strategy.tell(arch, value)
    phases = []
    for _ in range(7):  # no improvement after the best: phases of 3 observations alternate
        (proposal,) = strategy.ask(1)
        phases.append(strategy._local_phase())
        if phases[-1]:
            assert sum(a != b for a, b in zip(proposal, first[0])) == 1
        strategy.tell(proposal, 0.5)
    assert phases == [True, True, False, False, False, True, True]


def _stall_then_improve(vae, stay_local):
    """A bo study that stalls (patience 3), then has the best improved by a neighbour."""
    strategy = make_strategy("bo", SPACE, seed=0, vae=vae, n_init=5, patience=3, stay_local=stay_local)
    first = strategy.ask(5)
    for arch, value in zip(first, [10.0, 1.0, 1.2, 0.8, 1.1]):
        strategy.tell(arch, value)
    (proposal,) = strategy.ask(1)  # stalled: the best is 4 and more observations old
    strategy.tell(proposal, 0.5)
    (better,) = strategy.ask(1)
    assert sum(a != b for a, b in zip(better, first[0])) == 1
    strategy.tell(better, 10.5)
    return strategy, better


def test_bo_staying_local_keeps_to_the_neighbours_after_an_improvement(nb201_vae):
    default, _ = _stall_then_improve(nb201_vae, stay_local=False)
    assert not default._local_phase()  # the improvement sends the default back to the pool
    strategy, better = _stall_then_improve(nb201_vae, stay_local=True)
    assert strategy._local_phase()
    for _ in range(3):
        (proposal,) = strategy.ask(1)
        assert sum(a != b for a, b in zip(proposal, better)) == 1
        strategy.tell(proposal, 0.5)


def test_grad_decodes_ascended_latents_into_new_architectures(nb201_vae):
    strategy = build("grad", nb201_vae, seed=3)
    asked = drive(strategy, 20)
    assert len({SPACE.key(a) for a in asked}) == 20 and strategy._predictor is not None


@pytest.mark.heavy
def test_latent_study_resumes_with_replayed_trials(tmp_path, vae_cache):
    config = StudyConfig(strategy="bo", budget=15, seed=0, vae_cache=str(vae_cache))
    ConfiguredStudy(config, tmp_path).run()
    extended = ConfiguredStudy(StudyConfig(strategy="bo", budget=20, seed=0, vae_cache=str(vae_cache)), tmp_path).run()
    assert extended.n_trials == 20 and len(set(extended.values)) >= 1
    assert extended.ask_seconds is not None and extended.ask_seconds > 0
