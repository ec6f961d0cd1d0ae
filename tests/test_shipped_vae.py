"""The default NAS-Bench-201 VAE ships with the package: it matches the VAE's code and
defaults, and a first search loads it instead of pretraining."""

import numpy as np

from vaenas.spaces import make_space
from vaenas.vae import VAEConfig, cached_vae
from vaenas.vae.pretrain import cache_folder
from vaenas.vae.shipped import SHIPPED_DIR, SHIPPED_SPACES


def test_each_shipped_vae_matches_the_code_and_defaults_that_would_train_it():
    for name in SHIPPED_SPACES:
        wanted = cache_folder(make_space(name), VAEConfig()).name
        shipped = sorted(p.stem for p in SHIPPED_DIR.glob(f"{name}-*.pt"))
        assert shipped == [wanted], (
            f"the shipped {name} VAE ({shipped}) is not the one the VAE's code and defaults train ({wanted}); "
            "run `python tools/ship_vae.py` and commit src/vaenas/vae/data/"
        )


def test_a_first_search_loads_the_shipped_vae_instead_of_pretraining(tmp_path):
    space = make_space("nb201")
    vae = cached_vae(space, cache_dir=tmp_path, on_epoch=lambda *a: (_ for _ in ()).throw(AssertionError("trained")))
    assert not list(tmp_path.iterdir())  # loaded: nothing trained (on_epoch would raise) or written
    archs = space.enumerate_or_sample(300, np.random.default_rng(0))
    decoded = vae.decode(vae.encode(archs))
    assert np.mean([space.key(a) == space.key(d) for a, d in zip(archs, decoded)]) >= 0.99
