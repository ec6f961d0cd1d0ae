import numpy as np
import pytest
import torch
from toy_space import ToyChainSpace

from vaenas.errors import CheckpointError
from vaenas.spaces import make_space
from vaenas.vae import ArchVAE, VAEConfig, measure_quality, pretrain
from vaenas.vae.model import pair_mask
from vaenas.vae.tensors import to_tensors

TOY = ToyChainSpace()


@pytest.fixture(scope="module")
def toy_vae():
    archs = list(TOY.enumerate())
    # beta 0.2: at the default 0.5 the rare 1- and 2-layer chains (12 of 363) lose their codes
    return ArchVAE(TOY, VAEConfig(epochs=60, batch_size=32, seed=1, beta=0.2)).fit(archs), archs


def test_round_trip_on_variable_node_counts(toy_vae):
    vae, archs = toy_vae
    decoded = vae.decode(vae.encode_nodes(archs))
    exact = np.mean([d == a for d, a in zip(decoded, archs)])
    assert exact == 1.0
    assert {len(d) for d in decoded if d is not None} == {1, 2, 3, 4, 5}


def test_padding_does_not_leak_into_real_nodes(toy_vae):
    vae, _ = toy_vae
    short, long_ = ("a",), ("c", "b", "a", "c", "b")
    alone = vae.encode([short])
    in_batch = vae.encode([long_, short, ("b", "b")])[1]
    np.testing.assert_allclose(alone[0], in_batch, atol=1e-5)
    tensors = to_tensors([TOY.to_graph(short)], TOY.node_ops, TOY.max_nodes)
    assert tensors.mask[0].tolist() == [True] * 3 + [False] * 4
    assert pair_mask(tensors.mask)[0].sum().item() == 3  # pairs among 3 real nodes


def test_embeddings_are_fixed_size_and_deterministic(toy_vae):
    vae, archs = toy_vae
    first, again = vae.encode(archs[:50]), vae.encode(archs[:50])
    assert first.shape == (50, vae.config.latent_dim)
    np.testing.assert_array_equal(first, again)


def test_elbo_terms_are_finite_and_training_lowers_them():
    archs = list(TOY.enumerate())
    vae = ArchVAE(TOY, VAEConfig(epochs=1, seed=0))
    data = vae.graph_tensors(archs)
    torch.manual_seed(0)
    before, parts = vae.model.loss(data, beta=0.5)
    assert set(parts) == {"op", "adj", "kl"} and all(np.isfinite(v) for v in parts.values())
    trained = ArchVAE(TOY, VAEConfig(epochs=20, batch_size=32, seed=0)).fit(archs)
    torch.manual_seed(0)
    after, _ = trained.model.loss(data, beta=0.5)
    assert after.item() < before.item() / 2


def test_quality_metrics_on_nb201_subset():
    space = make_space("nb201")
    rng = np.random.default_rng(0)
    all_archs = list(space.enumerate())
    picks = rng.permutation(len(all_archs))
    train = [all_archs[i] for i in picks[:4000]]
    held_out = [all_archs[i] for i in picks[4000:4400]]
    vae = ArchVAE(space, VAEConfig(epochs=8, seed=0)).fit(train)
    quality = measure_quality(vae, held_out, train, n_prior=2000)
    assert quality.recon_acc >= 0.95 and quality.op_acc >= 0.99 and quality.adj_acc == 1.0
    assert quality.validity >= 0.95
    assert 0 < quality.novelty <= 1 and 0 < quality.uniqueness <= 1


def test_pretrain_reports_every_metric_on_the_held_out_tenth():
    vae, metrics = pretrain(TOY, VAEConfig(epochs=40, batch_size=32))
    assert metrics["n_train"] + metrics["n_held_out"] == TOY.size
    assert metrics["n_held_out"] == round(0.1 * TOY.size)
    for key in ("recon_acc", "op_acc", "adj_acc", "validity", "uniqueness", "novelty", "seconds"):
        assert key in metrics


def test_checkpoint_round_trip(toy_vae, tmp_path):
    vae, archs = toy_vae
    vae.save(tmp_path / "vae.pt")
    loaded = ArchVAE.load(tmp_path / "vae.pt", TOY)
    np.testing.assert_array_equal(loaded.encode(archs), vae.encode(archs))
    assert loaded.config == vae.config


def test_checkpoint_of_another_space_is_refused(toy_vae, tmp_path):
    toy_vae[0].save(tmp_path / "vae.pt")
    with pytest.raises(CheckpointError, match="trained on space 'toy-chain'"):
        ArchVAE.load(tmp_path / "vae.pt", make_space("nb201"))


def test_checkpoint_of_another_version_is_refused(toy_vae, tmp_path):
    toy_vae[0].save(tmp_path / "vae.pt")
    checkpoint = torch.load(tmp_path / "vae.pt", weights_only=True)
    checkpoint["format_version"] = 999
    torch.save(checkpoint, tmp_path / "old.pt")
    with pytest.raises(CheckpointError, match="format 999"):
        ArchVAE.load(tmp_path / "old.pt", TOY)


def test_corrupt_or_missing_checkpoint_is_refused(tmp_path):
    (tmp_path / "bad.pt").write_bytes(b"\x00garbage" * 64)
    with pytest.raises(CheckpointError, match="not a readable VAE checkpoint"):
        ArchVAE.load(tmp_path / "bad.pt", TOY)
    with pytest.raises(CheckpointError, match="no VAE checkpoint"):
        ArchVAE.load(tmp_path / "missing.pt", TOY)
