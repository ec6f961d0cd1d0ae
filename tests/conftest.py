import pytest

from vaenas.spaces import make_space
from vaenas.vae import cached_vae


@pytest.fixture(scope="session")
def vae_cache(tmp_path_factory):
    """A cache holding the default nb201 VAE, pretrained once per test session (~20 s)."""
    folder = tmp_path_factory.mktemp("vae-cache")
    cached_vae(make_space("nb201"), cache_dir=folder)
    return folder


@pytest.fixture(scope="session")
def nb201_vae(vae_cache):
    return cached_vae(make_space("nb201"), cache_dir=vae_cache)
