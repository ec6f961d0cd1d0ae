"""The VAE as a generator on the macro space, which is too large to enumerate: every
latent point decodes to a valid CNN, and latent search proposes CNNs beyond its pool."""

import numpy as np
import pytest

from vaenas.search import make_strategy
from vaenas.spaces import make_space
from vaenas.vae import ArchVAE, VAEConfig

pytestmark = pytest.mark.heavy  # subprocesses, kills and end-to-end runs: CI runs them after the default suite

SPACE = make_space("macro")


@pytest.fixture(scope="module")
def macro_vae():
    archs = SPACE.enumerate_or_sample(3000, np.random.default_rng(0))
    return ArchVAE(SPACE, VAEConfig(epochs=10, batch_size=64, seed=0)).fit(archs), archs


def test_prior_samples_are_valid_cnns_of_every_depth(macro_vae):
    vae, _ = macro_vae
    samples = vae.sample(1000, seed=1)
    assert all(s is not None and SPACE.parse(SPACE.format(s)) == s for s in samples)
    assert {stage.depth for s in samples for stage in s} == set(SPACE.depths)
    assert len({SPACE.key(s) for s in samples}) > 300


def test_macro_round_trip(macro_vae):
    vae, archs = macro_vae
    decoded = vae.decode(vae.encode(archs[:500]))
    assert np.mean([d == a for d, a in zip(decoded, archs)]) >= 0.7  # 0.999 with full pretraining


def test_interpolation_between_two_cnns_stays_valid(macro_vae):
    vae, archs = macro_vae
    path = vae.interpolate(archs[0], archs[1], steps=8)
    assert all(p is not None for p in path)
    assert SPACE.key(path[0]) == SPACE.key(archs[0]) and SPACE.key(path[-1]) == SPACE.key(archs[1])


def accuracy_like(arch):
    """A smooth stand-in score: wider and deeper last stages score higher."""
    return sum(i * stage.depth * np.log2(stage.width) for i, stage in enumerate(arch, start=1))


@pytest.mark.parametrize("generate", [0, 100])
def test_bo_proposes_decoded_architectures_beyond_its_pool(macro_vae, generate):
    vae, _ = macro_vae
    strategy = make_strategy("bo", SPACE, seed=0, vae=vae, pool_size=300, generate=generate)
    outside = 0
    for _ in range(25):
        arch = strategy.ask(1)[0]
        outside += strategy.pool.lookup(SPACE.key(arch)) >= strategy.pool.initial_size
        strategy.tell(arch, accuracy_like(arch))
    assert (outside > 5) if generate else (outside == 0)
