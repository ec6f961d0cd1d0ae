"""The weight-sharing supernets: a subnet computes the network that its stand-alone
objective trains, supernets save and load safely, and the CLI pipelines run."""

import json

import pytest
import torch
from typer.testing import CliRunner

from vaenas.cli import app
from vaenas.errors import CheckpointError, InvalidArgumentError
from vaenas.objectives import make_objective
from vaenas.objectives.image_data import load_image_data, make_synthetic
from vaenas.objectives.trained_model import load_model
from vaenas.objectives.networks import build_classifier
from vaenas.objectives.supernet import MacroSupernet, SupernetTraining, load_supernet, save_supernet
from vaenas.spaces import make_space


@pytest.mark.parametrize("text", ["d2w32k4+d1w64k3+d3w16k5", "d1w16k3+d3w128k4+d2w32k5", "d3w128k5+d3w128k5+d3w128k5"])
def test_a_subnet_is_the_stand_alone_network_with_inherited_weights(text):
    space, data = make_space("macro"), make_synthetic(n=64)
    torch.manual_seed(0)
    supernet = MacroSupernet(space, data).eval()
    for layers in supernet.stages:  # statistics other than the initial ones, so that slicing them matters
        for layer in layers:
            layer.running_mean.uniform_(-0.1, 0.1)
            layer.running_var.uniform_(0.5, 1.5)
    arch = space.parse(text)
    network = build_classifier(arch, data.shape, data.n_classes, data.mean, data.std).eval()
    convs = [m for m in network.modules() if isinstance(m, torch.nn.Conv2d)]
    norms = [m for m in network.modules() if isinstance(m, torch.nn.BatchNorm2d)]
    slices = [(layer, stage) for layers, stage in zip(supernet.stages, arch) for layer in layers[: stage.depth]]
    with torch.no_grad():
        c_in = data.shape[0]
        for (layer, stage), conv, norm in zip(slices, convs, norms):
            start = (layer.kernel - stage.kernel) // 2
            conv.weight.copy_(layer.weight[: stage.width, :c_in, start:start + stage.kernel, start:start + stage.kernel])
            conv.bias.copy_(layer.bias[: stage.width])
            norm.weight.copy_(layer.bn_weight[: stage.width])
            norm.bias.copy_(layer.bn_bias[: stage.width])
            norm.running_mean.copy_(layer.running_mean[: stage.width])
            norm.running_var.copy_(layer.running_var[: stage.width])
            c_in = stage.width
        linear = network[-1]
        linear.weight.copy_(supernet.head.weight[:, :c_in])
        linear.bias.copy_(supernet.head.bias)
        x = torch.as_tensor(data.val_x)
        assert torch.allclose(supernet(x, arch), network(x), atol=1e-5)


def test_a_saved_supernet_loads_and_a_damaged_one_is_one_error(tmp_path):
    space = make_space("macro")
    supernet = MacroSupernet(space, make_synthetic())
    save_supernet(tmp_path, supernet, "synthetic", SupernetTraining(1, 1, 0.1), seed=0)
    loaded, data, settings = load_supernet(tmp_path)
    assert settings["dataset"] == "synthetic" and data.name == "synthetic"
    assert all(torch.equal(a, b) for a, b in zip(supernet.state_dict().values(), loaded.state_dict().values()))
    (tmp_path / "supernet.pt").write_bytes(b"garbage")
    with pytest.raises(CheckpointError, match="not a readable vaenas supernet"):
        load_supernet(tmp_path)
    with pytest.raises(InvalidArgumentError, match="vaenas supernet"):
        make_objective("supernet")


@pytest.mark.heavy
def test_train_a_supernet_search_through_it_and_retrain_the_top(tmp_path):
    runner = CliRunner()
    trained = runner.invoke(app, ["supernet", "--data", "synthetic", "--epochs", "1", "--out", str(tmp_path / "net")])
    assert trained.exit_code == 0, trained.output
    searched = runner.invoke(app, ["search", "--objective", "supernet", "--supernet", str(tmp_path / "net"),
                                   "--strategy", "rs", "--budget", "4", "--out", str(tmp_path / "search")])
    assert searched.exit_code == 0, searched.output
    top = runner.invoke(app, ["train", "--arch", str(tmp_path / "search"), "--top", "2", "--dataset", "synthetic",
                              "--epochs", "1", "--out", str(tmp_path / "top")])
    assert top.exit_code == 0, top.output
    assert (tmp_path / "top" / "rank2" / "model.pt").is_file()


def test_a_cell_path_is_the_stand_alone_cell_network_with_inherited_weights():
    """What the cell supernet scores is the network `cell-classifier` trains stand-alone."""
    from vaenas.objectives.cell_supernet import CellSupernet
    from vaenas.objectives.nb201_network import build_cell_classifier

    data = make_synthetic(n=32)
    torch.manual_seed(0)
    supernet = CellSupernet(data).eval()
    arch = ("nor_conv_3x3", "skip_connect", "none", "avg_pool_3x3", "nor_conv_1x1", "nor_conv_3x3")
    normalize, network = build_cell_classifier(arch, data.shape, data.n_classes, data.mean, data.std).eval()
    assert torch.equal(normalize.mean, supernet.normalize.mean) and torch.equal(normalize.std, supernet.normalize.std)
    mine = network.state_dict()
    for name, value in supernet.state_dict().items():  # the path's weights, under the network's names
        parts = name.split(".")
        if parts[0] != "layers":
            continue
        if parts[2] == "edges":
            if parts[4] != arch[int(parts[3])]:
                continue
            del parts[4]
        mine[".".join(["features", *parts[1:]])] = value
    mine["classifier.weight"], mine["classifier.bias"] = supernet.classifier.weight, supernet.classifier.bias
    network.load_state_dict(mine)
    x = torch.as_tensor(data.val_x)
    with torch.no_grad():
        assert torch.allclose(supernet(x, arch), network(supernet.normalize(x)), atol=1e-5)


def test_train_a_cell_supernet_and_search_nb201_through_it(tmp_path):
    runner = CliRunner()
    trained = runner.invoke(app, ["supernet", "--space", "nb201", "--data", "digits", "--epochs", "1",
                                  "--out", str(tmp_path / "cells")])
    assert trained.exit_code == 0 and "--objective cell-supernet" in trained.output, trained.output
    searched = runner.invoke(app, ["search", "--objective", "cell-supernet", "--supernet", str(tmp_path / "cells"),
                                   "--strategy", "re", "--budget", "5", "--out", str(tmp_path / "search")])
    assert searched.exit_code == 0, searched.output
    objective = make_objective("cell-supernet", supernet=str(tmp_path / "cells"))
    arch = make_space("nb201").sample(__import__("numpy").random.default_rng(0))
    first, again = objective.evaluate(arch), objective.evaluate(arch)
    assert first.value == again.value and 0 <= first.value <= 100 and first.metrics["params"] > 0
    wrong = runner.invoke(app, ["search", "--objective", "supernet", "--supernet", str(tmp_path / "cells"),
                                "--budget", "3", "--out", str(tmp_path / "wrong")])
    assert wrong.exit_code == 2 and "cell-supernet" in wrong.output
    retrained = runner.invoke(app, ["train", "--arch", str(tmp_path / "search"), "--top", "2", "--objective",
                                    "cell-classifier", "--dataset", "digits", "--epochs", "1", "--min-steps", "60", "--out",
                                    str(tmp_path / "top")])
    assert retrained.exit_code == 0, retrained.output
    summary = json.loads((tmp_path / "top" / "rank1" / "result.json").read_text())
    model, digits = load_model(tmp_path / "top" / "rank1" / "model.pt"), load_image_data("digits", 0)
    with torch.no_grad():
        predicted = model(torch.as_tensor(digits.test_x)).argmax(1)
    reloaded = float((predicted == torch.as_tensor(digits.test_y)).float().mean() * 100)
    assert reloaded == pytest.approx(summary["metrics"]["test_accuracy"], abs=1e-4) and reloaded > 10
