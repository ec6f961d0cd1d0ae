import numpy as np
import pytest

from vaenas.spaces import make_space
from vaenas.vae import ArchVAE, VAEConfig, cached_vae
from vaenas.vae.pretrain import CHECKPOINT_FILE, cache_folder


@pytest.fixture(scope="session")
def vae_cache(tmp_path_factory):
    """A cache holding default-settings VAEs for nb201 and macro, as `vaenas search` finds
    them, but trained on 3,000 architectures instead of 15,625 / 20,000: the tests that
    use it check the search pipeline, not the VAE's quality (tests/test_vae.py does that),
    and full pretraining would take minutes of the suite (so would the 300-step minimum,
    which is left out here: 144 steps)."""
    folder = tmp_path_factory.mktemp("vae-cache")
    for name in ("nb201", "macro"):
        space = make_space(name)
        archs = space.enumerate_or_sample(3000, np.random.default_rng(0))
        ArchVAE(space, VAEConfig(min_steps=0)).fit(archs).save(cache_folder(space, VAEConfig(), folder) / CHECKPOINT_FILE)
    return folder


@pytest.fixture(scope="session")
def nb201_vae(vae_cache):
    return cached_vae(make_space("nb201"), cache_dir=vae_cache)


@pytest.fixture(autouse=True)
def _few_training_steps(monkeypatch):
    """Trained objectives make their configured epochs and no more in tests, here and in
    the processes tests start: the recipe's 1,200-step floor (what a small folder needs to
    learn) would make every 1-epoch test trial dozens of passes. Tests of the floor pass
    `min_steps` themselves."""
    monkeypatch.setenv("VAENAS_MIN_STEPS", "0")
