import json
import pickle
import sqlite3

import numpy as np
import pytest
import torch
from torch import nn

from vaenas.errors import DataError
from vaenas.objectives import make_objective
from vaenas.objectives.image_data import CIFAR10_MEAN, CIFAR10_STD, load_image_data
from vaenas.objectives.networks import ConvImageVAE, build_classifier, count_flops
from vaenas.spaces import make_space
from vaenas.study import ConfiguredStudy, StudyConfig

SPACE = make_space("macro")
ARTICLE = "d1w32k4+d1w64k4+d1w128k4"


def test_the_article_vae_is_a_point_of_the_space():
    model = ConvImageVAE(SPACE.parse(ARTICLE), (3, 32, 32), latent_dim=128)
    convs = [m for m in model.encoder if isinstance(m, nn.Conv2d)]
    assert [(c.in_channels, c.out_channels, c.kernel_size, c.stride, c.padding) for c in convs] == [
        (3, 32, (4, 4), (2, 2), (1, 1)), (32, 64, (4, 4), (2, 2), (1, 1)), (64, 128, (4, 4), (2, 2), (1, 1)),
    ]
    assert (model.fc_mu.in_features, model.fc_logvar.in_features) == (128 * 4 * 4, 128 * 4 * 4)
    assert (model.decoder_input.in_features, model.decoder_input.out_features) == (128, 128 * 4 * 4)
    deconvs = [m for m in model.decoder if isinstance(m, nn.ConvTranspose2d)]
    assert [(d.in_channels, d.out_channels, d.kernel_size, d.stride, d.padding) for d in deconvs] == [
        (128, 64, (4, 4), (2, 2), (1, 1)), (64, 32, (4, 4), (2, 2), (1, 1)), (32, 3, (4, 4), (2, 2), (1, 1)),
    ]
    assert isinstance(model.decoder[-1], nn.Sigmoid)
    assert len(model.decoder) == 6 and len([m for m in model.encoder if isinstance(m, nn.ReLU)]) == 3
    recon, mu, logvar = model(torch.rand(2, 3, 32, 32))
    assert recon.shape == (2, 3, 32, 32) and mu.shape == logvar.shape == (2, 128)


def test_reparameterize_is_mu_plus_eps_times_half_exp_logvar():
    mu, logvar = torch.tensor([[1.0, -2.0]]), torch.tensor([[0.0, 2.0]])
    torch.manual_seed(0)
    eps = torch.randn_like(mu)
    torch.manual_seed(0)
    assert torch.allclose(ConvImageVAE.reparameterize(mu, logvar), mu + eps * torch.exp(logvar / 2))


@pytest.mark.parametrize("text", ["d3w16k5+d2w32k4+d1w128k3", "d2w64k3+d3w16k4+d2w32k5"])
def test_every_kernel_keeps_shapes_consistent(text):
    arch = SPACE.parse(text)
    vae = ConvImageVAE(arch, (1, 8, 8), latent_dim=4)
    assert vae(torch.rand(3, 1, 8, 8))[0].shape == (3, 1, 8, 8)
    classifier = build_classifier(arch, (3, 32, 32), 10, CIFAR10_MEAN, CIFAR10_STD)
    assert classifier(torch.rand(3, 3, 32, 32)).shape == (3, 10)
    assert count_flops(classifier, (3, 32, 32)) > count_flops(classifier, (3, 16, 16))


def test_classifier_learns_synthetic_images():
    objective = make_objective("classifier", "synthetic", epochs=3)
    evaluation = objective.evaluate(SPACE.parse("d1w16k3+d1w32k3+d1w32k3"))
    assert evaluation.value > 60  # 4 classes: chance is 25 %
    assert evaluation.metrics["params"] > 0 and evaluation.metrics["flops"] > 0
    assert evaluation.cost == pytest.approx(evaluation.metrics["train_seconds"], abs=1e-3)
    assert evaluation.artifact is not None


def test_low_fidelity_subset_trains_on_fewer_images():
    objective = make_objective("classifier", "synthetic", epochs=1, subset=50)
    assert len(objective.train_x) == 50


def test_imagevae_scores_bits_per_dimension_lower_is_better():
    objective = make_objective("imagevae", "synthetic", epochs=2, latent_dim=8)
    assert objective.maximize is False
    value = objective.evaluate(SPACE.parse("d1w16k4+d1w32k4+d1w32k4")).value
    assert 0 < value < 1.5  # a Bernoulli decoder on [0, 1] pixels: at most ~1 bit/dim untrained


def test_diverging_training_is_a_failed_trial_and_the_study_goes_on(tmp_path):
    config = StudyConfig(space="macro", objective="imagevae", dataset="synthetic", strategy="rs",
                         budget=3, objective_options={"epochs": 1, "lr": 1e6})
    result = ConfiguredStudy(config, tmp_path).run()
    assert result.n_trials == 3 and result.n_failed >= 1
    with sqlite3.connect(tmp_path / "study.db") as db:
        errors = [json.loads(m)["error"] for (m,) in db.execute("SELECT metrics FROM trials WHERE status = 'failed'")]
    assert all("DivergedError: training diverged" in e for e in errors)


def _write_cifar(folder, n=20, corrupt=None):
    rng = np.random.default_rng(0)
    names = [f"data_batch_{i}" for i in range(1, 6)] + ["test_batch"]
    for name in names:
        batch = {b"data": rng.integers(0, 256, (n, 3072), dtype=np.uint8), b"labels": list(rng.integers(0, 10, n))}
        (folder / name).write_bytes(b"garbage" if name == corrupt else pickle.dumps(batch))


def test_cifar10_folder_in_the_official_format(tmp_path):
    _write_cifar(tmp_path)
    data = load_image_data(f"cifar10:{tmp_path}", seed=0)
    assert data.shape == (3, 32, 32) and data.n_classes == 10
    assert len(data.train_x) + len(data.val_x) == 100 and len(data.test_x) == 20  # the official test batch
    assert np.array_equal(np.unique(data.val_y), np.unique(np.concatenate([data.train_y, data.val_y])))  # stratified
    assert data.mean == CIFAR10_MEAN and data.std == CIFAR10_STD
    assert 0.0 <= data.train_x.min() and data.train_x.max() <= 1.0
    assert np.array_equal(load_image_data(f"cifar10:{tmp_path}", seed=1).val_x, data.val_x)  # the training seed
    other = load_image_data(f"cifar10:{tmp_path}", seed=0, data_seed=1)  # leaves the split; the data seed moves it
    assert not np.array_equal(other.val_x, data.val_x)


def test_missing_or_corrupt_cifar10_names_the_files(tmp_path):
    with pytest.raises(DataError, match="data_batch_1, .*test_batch"):
        load_image_data(f"cifar10:{tmp_path}")
    _write_cifar(tmp_path, corrupt="data_batch_3")
    with pytest.raises(DataError, match="data_batch_3 is corrupt"):
        load_image_data(f"cifar10:{tmp_path}")
    with pytest.raises(DataError, match="cifar10 needs its folder"):
        load_image_data("cifar10")
