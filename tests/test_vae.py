import numpy as np
import pytest
import torch
from toy_space import ToyChainSpace

from vaenas.errors import CheckpointError
from vaenas.spaces import make_space
from vaenas.vae import ArchVAE, VAEConfig, measure_quality, pretrain

TOY = ToyChainSpace()


@pytest.fixture(scope="module")
def toy_vae():
    archs = list(TOY.enumerate())
    return ArchVAE(TOY, VAEConfig(epochs=40, batch_size=32, seed=1)).fit(archs), archs


def test_round_trip_on_variable_node_counts(toy_vae):
    vae, archs = toy_vae
    decoded = vae.decode(vae.encode(archs))
    exact = np.mean([d == a for d, a in zip(decoded, archs)])
    assert exact >= 0.99
    assert {len(d) for d in decoded} == {1, 2, 3, 4, 5}


def test_every_prior_sample_decodes_to_a_valid_architecture(toy_vae):
    vae, _ = toy_vae
    samples = vae.sample(500, seed=3)
    assert all(s is not None and TOY.from_graph(TOY.to_graph(s)) == s for s in samples)
    assert len({len(s) for s in samples}) >= 3  # node counts are decoded, not fixed


def test_interpolation_runs_from_one_architecture_to_the_other(toy_vae):
    vae, _ = toy_vae
    a, b = ("a",), ("c", "b", "a", "c", "b")
    path = vae.interpolate(a, b, steps=6)
    assert len(path) == 6 and path[0] == a and path[-1] == b
    assert all(p is not None for p in path)
    with pytest.raises(ValueError, match="at least 2 steps"):
        vae.interpolate(a, b, steps=1)


def test_padding_does_not_leak_into_real_nodes(toy_vae):
    vae, _ = toy_vae
    short, long_ = ("a",), ("c", "b", "a", "c", "b")
    alone = vae.encode([short])
    in_batch = vae.encode([long_, short, ("b", "b")])[1]
    np.testing.assert_allclose(alone[0], in_batch, atol=1e-5)
    tensors = vae.graph_tensors([short])
    assert tensors.mask[0].tolist() == [True] * 3 + [False] * 4
    assert tensors.steps[0].tolist() == [True] * 4 + [False] * 3  # three nodes and the END


def test_decode_rules_of_the_chain_reach_the_tensors(toy_vae):
    vae, _ = toy_vae
    tensors = vae.graph_tensors([("a", "b")])
    vocab = list(TOY.node_ops) + ["END"]
    allowed = [{vocab[c] for c in np.flatnonzero(row)} for row in tensors.op_allowed[0][:5].numpy()]
    assert allowed == [{"input"}, {"a", "b", "c"}, {"a", "b", "c", "output"}, {"a", "b", "c", "output"}, {"END"}]
    assert not tensors.edge_free.any()  # a chain's edges are all forced


def test_embeddings_are_fixed_size_and_deterministic(toy_vae):
    vae, archs = toy_vae
    first, again = vae.encode(archs[:50]), vae.encode(archs[:50])
    assert first.shape == (50, vae.config.latent_dim)
    np.testing.assert_array_equal(first, again)


def test_node_latents_describe_their_own_node(toy_vae):
    vae, archs = toy_vae
    data = vae.graph_tensors(archs)
    with torch.no_grad():
        node_mu = vae.model.encode_with_nodes(data)[2]
        op_logits, _ = vae.model.node_decoder(node_mu)
    assert (op_logits.argmax(-1)[data.mask] == data.ops[data.mask]).float().mean() >= 0.95


def test_node_term_trains_only_the_node_half(toy_vae):
    vae, archs = toy_vae
    data = vae.graph_tensors(archs)
    _, _, node_mu, node_logvar = vae.model.encode_with_nodes(data)
    vae.model.zero_grad(set_to_none=True)
    sum(vae.model.node_decoder.loss(node_mu, data)).backward()
    node_half = ("node_embed", "node_layers", "to_node_mu", "node_decoder")
    for name, parameter in vae.model.named_parameters():
        assert (parameter.grad is not None) == name.startswith(node_half), name
    vae.model.zero_grad(set_to_none=True)


def test_embedding_is_per_architecture_and_ignores_padding(toy_vae):
    vae, _ = toy_vae
    short, long_ = ("a",), ("c", "b", "a", "c", "b")
    points, embeddings = vae.encode_and_embed([long_, short])
    np.testing.assert_allclose(vae.embed([short])[0], embeddings[1], atol=1e-5)
    np.testing.assert_allclose(vae.encode([long_, short]), points, atol=1e-6)
    assert embeddings.shape == (2, vae.config.latent_dim)
    assert not np.allclose(embeddings, points)  # two readings of one graph


def test_elbo_terms_are_finite_and_training_lowers_them():
    archs = list(TOY.enumerate())
    vae = ArchVAE(TOY, VAEConfig(epochs=1, seed=0))
    data = vae.graph_tensors(archs)
    torch.manual_seed(0)
    before, parts = vae.model.loss(data)
    assert set(parts) == {"op", "adj", "kl", "node"} and all(np.isfinite(v) for v in parts.values())
    trained = ArchVAE(TOY, VAEConfig(epochs=20, batch_size=32, seed=0)).fit(archs)
    torch.manual_seed(0)
    after, after_parts = trained.model.loss(data)
    assert after.item() < before.item() / 2
    assert after_parts["op"] < parts["op"] / 5  # the reconstruction term is what falls


def test_training_does_not_depend_on_the_callers_thread_count():
    """The cached VAE of a config must be the same whether a 1-thread benchmark worker or
    a 2-thread main process trained it (the order of parallel sums changes the weights)."""
    space = make_space("nb201")
    archs = list(space.enumerate())[:2000]
    before = torch.get_num_threads()
    weights = []
    try:
        for threads in (1, 2):
            torch.set_num_threads(threads)
            vae = ArchVAE(space, VAEConfig(epochs=1, min_steps=1, seed=0)).fit(archs)
            assert torch.get_num_threads() == threads  # the caller's setting is restored
            weights.append(vae.model.state_dict())
    finally:
        torch.set_num_threads(before)
    assert all(torch.equal(weights[0][name], weights[1][name]) for name in weights[0])


@pytest.mark.heavy
def test_quality_metrics_on_nb201_subset():
    space = make_space("nb201")
    rng = np.random.default_rng(0)
    all_archs = list(space.enumerate())
    picks = rng.permutation(len(all_archs))
    train = [all_archs[i] for i in picks[:4000]]
    held_out = [all_archs[i] for i in picks[4000:4400]]
    vae = ArchVAE(space, VAEConfig(epochs=10, batch_size=64, seed=0)).fit(train)
    quality = measure_quality(vae, held_out, train, n_prior=2000)
    assert quality.recon_acc >= 0.95 and quality.op_acc >= 0.99 and quality.adj_acc == 1.0
    assert quality.validity == 1.0
    assert 0 < quality.novelty <= 1 and 0 < quality.uniqueness <= 1


@pytest.mark.heavy
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


@pytest.mark.parametrize(
    "version, words",
    [(999, "format 999"), (1, "one latent per node"), (2, "no node latents"), (3, "from the graph encoder")],
)
def test_checkpoint_of_another_version_is_refused(toy_vae, tmp_path, version, words):
    toy_vae[0].save(tmp_path / "vae.pt")
    checkpoint = torch.load(tmp_path / "vae.pt", weights_only=True)
    checkpoint["format_version"] = version
    torch.save(checkpoint, tmp_path / "old.pt")
    with pytest.raises(CheckpointError, match=words):
        ArchVAE.load(tmp_path / "old.pt", TOY)


def test_corrupt_or_missing_checkpoint_is_refused(tmp_path):
    (tmp_path / "bad.pt").write_bytes(b"\x00garbage" * 64)
    with pytest.raises(CheckpointError, match="not a readable VAE checkpoint"):
        ArchVAE.load(tmp_path / "bad.pt", TOY)
    with pytest.raises(CheckpointError, match="no VAE checkpoint"):
        ArchVAE.load(tmp_path / "missing.pt", TOY)


class _RunsCodeWhenUnpickled:
    """A payload a received checkpoint could carry: unpickling it would create a file."""

    def __init__(self, marker):
        self.marker = str(marker)

    def __reduce__(self):
        return (open, (self.marker, "w"))


@pytest.mark.parametrize("kind", ["vae", "model"])
def test_a_crafted_checkpoint_is_refused_without_running_its_code(tmp_path, kind):
    from vaenas import load_model

    marker = tmp_path / "code-ran"
    path = tmp_path / f"{kind}.pt"
    torch.save({"state_dict": _RunsCodeWhenUnpickled(marker), "stages": [], "kind": "classifier"}, path)
    with pytest.raises(CheckpointError, match="not a readable"):
        if kind == "vae":
            ArchVAE.load(path, make_space("nb201"))
        else:
            load_model(path)
    assert not marker.exists()
