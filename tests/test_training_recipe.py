"""The training recipe, the splits, and a trained model a user can use: on generated shapes,
a fixed small network learns; its model predicts class names and exports to files that
give the same outputs without vaenas."""

from __future__ import annotations

import json
import re
from pathlib import Path

import numpy as np
import pytest
import torch
from torch import nn
from typer.testing import CliRunner

import vaenas
from vaenas.cli import app
from vaenas.errors import DataError, InvalidArgumentError
from vaenas.objectives.classifier import ClassifierObjective
from vaenas.objectives.image_data import ImageData, held_out, stratified_split
from vaenas.objectives.recipe import Recipe, augment_batch
from vaenas.objectives.shapes import SHAPES, draw_shape, write_shapes_folder
from vaenas.objectives.training import train
from vaenas.spaces import make_space

runner = CliRunner()
SMALL = "d1w32k3+d1w64k3+d2w128k3"


def test_the_schedule_warms_up_to_its_peak_then_anneals_to_nothing():
    recipe = Recipe()
    model = nn.Linear(3, 2)
    optimizer = recipe.make_optimizer(model)
    schedule = recipe.make_schedule(optimizer, 100)
    rates = []
    for _ in range(100):
        rates.append(optimizer.param_groups[0]["lr"])
        optimizer.step()
        schedule.step()
    peak = int(np.argmax(rates))
    assert 20 <= peak <= 30 and rates[peak] == pytest.approx(recipe.peak_lr, rel=1e-3)
    assert all(a <= b for a, b in zip(rates[:peak], rates[1:peak + 1]))  # up, then down
    assert all(a >= b for a, b in zip(rates[peak:], rates[peak + 1:])) and rates[-1] < rates[peak] / 100


def test_weight_decay_is_on_conv_and_linear_weights_only():
    model = nn.Sequential(nn.Conv2d(3, 4, 3), nn.BatchNorm2d(4), nn.Flatten(), nn.LazyLinear(2))
    model(torch.zeros(1, 3, 5, 5))
    groups = Recipe().make_optimizer(model).param_groups
    decayed = {id(p) for g in groups if g["weight_decay"] > 0 for p in g["params"]}
    assert decayed == {id(model[0].weight), id(model[3].weight)}
    assert sum(len(g["params"]) for g in groups) == len(list(model.parameters()))


def test_crops_are_windows_of_the_padded_image_and_flips_mirror_them():
    generator = torch.Generator().manual_seed(0)
    x = torch.rand(64, 3, 16, 16)
    assert torch.equal(augment_batch(x, "none", generator), x)
    cropped = augment_batch(x, "crop", generator)
    padded = nn.functional.pad(x, (2, 2, 2, 2), mode="reflect")
    windows = [any(torch.equal(cropped[n], padded[n, :, i:i + 16, j:j + 16]) for i in range(5) for j in range(5))
               for n in range(len(x))]
    assert all(windows) and not torch.equal(cropped, x)
    flipped = augment_batch(x, "standard", generator)
    mirrored = [any(torch.equal(flipped[n], padded[n, :, i:i + 16, j:j + 16].flip(-1)) for i in range(5)
                    for j in range(5)) for n in range(len(x))]
    assert 10 < sum(mirrored) < 54  # about half


def test_augmentation_is_in_training_only_and_a_tiny_folder_gets_its_floor_of_steps():
    seen: list[torch.Tensor] = []

    def loss(model: nn.Module, xb: torch.Tensor, yb: torch.Tensor) -> torch.Tensor:
        seen.append(xb.clone())
        return nn.functional.cross_entropy(model(xb), yb)

    x, y = torch.rand(40, 1, 8, 8), torch.arange(40) % 2
    model = nn.Sequential(nn.Flatten(), nn.Linear(64, 2))
    stats = train(model, loss, x, y, epochs=2, recipe=Recipe(augment="crop", min_steps=50))
    assert stats.steps >= 50 and len(seen) == stats.steps and stats.passes == 2 * Recipe(min_steps=50).passes_per_epoch(40, 2)
    rows = {tuple(row.flatten().tolist()) for row in x}
    assert sum(tuple(b.flatten().tolist()) in rows for batch in seen for b in batch) < len(seen) * 16 / 4
    objective = ClassifierObjective(data=ImageData.from_arrays(np.random.default_rng(0).random((60, 1, 8, 8)),
                                                               np.arange(60) % 3), epochs=1)
    network = objective.build(make_space("macro").parse("d1w16k3+d1w16k3+d1w16k3")).eval()
    value = objective.score(network)[0]
    assert value == objective.score(network)[0]  # scoring sees the images as they are, every time


def test_a_recipe_setting_out_of_range_is_one_line():
    for bad in ({"optimizer": "lion"}, {"augment": "mixup"}, {"label_smoothing": 1.5}, {"min_steps": -1}):
        with pytest.raises(InvalidArgumentError, match=next(iter(bad))):
            Recipe(**bad)


def test_splits_are_stratified_disjoint_and_hold_twenty_a_class_where_they_can():
    y = np.repeat(np.arange(4), [100, 100, 60, 8])
    train_i, val_i, test_i = stratified_split(y, seed=3, with_test=True)
    assert len(set(train_i) | set(val_i) | set(test_i)) == len(y) == len(train_i) + len(val_i) + len(test_i)
    assert [int((y[val_i] == k).sum()) for k in range(4)] == [20, 20, 15, 2]  # 20; a quarter of 60; of 8
    assert [int((y[test_i] == k).sum()) for k in range(4)] == [20, 20, 15, 2]
    assert held_out(1000) == 100 and held_out(2) == 0
    again = stratified_split(y, seed=3, with_test=True)
    assert all(np.array_equal(a, b) for a, b in zip(again, (train_i, val_i, test_i)))


@pytest.fixture(scope="module")
def shapes(tmp_path_factory) -> Path:
    return write_shapes_folder(tmp_path_factory.mktemp("shapes") / "images", per_class=100, seed=7)


@pytest.fixture(scope="module")
def trained(shapes, tmp_path_factory) -> tuple[ClassifierObjective, Path, float]:
    """A fixed small network trained with the default recipe (its 1,200-step floor)."""
    objective = ClassifierObjective(f"folder:{shapes}", epochs=4, min_steps=1200)
    evaluation = objective.evaluate(make_space("macro").parse(SMALL))
    path = tmp_path_factory.mktemp("model") / "model.pt"
    evaluation.artifact.save(path)
    return objective, path, evaluation.value


def test_a_fixed_small_network_learns_generated_shapes_with_the_default_recipe(trained):
    objective, _, value = trained
    assert value >= 85, f"validation accuracy {value}"
    data = objective.data
    assert data.class_names == SHAPES and len(data.val_x) == len(data.test_x) == 80
    assert objective.recipe.augment == "standard" and objective.recipe.batch_for(len(data.train_x)) == 16
    train_rows = {row.tobytes() for row in data.train_x}
    assert not any(row.tobytes() in train_rows for row in np.concatenate([data.val_x, data.test_x]))


def test_the_model_predicts_class_names_of_new_images_as_files_pil_images_and_arrays(trained, tmp_path):
    _, path, _ = trained
    model = vaenas.load_model(path)
    assert model.class_names == SHAPES and model.in_shape == (3, 32, 32)
    rng = np.random.default_rng(123)
    pictures = [(kind, draw_shape(kind, rng)) for kind in SHAPES for _ in range(5)]
    files = []
    for number, (kind, picture) in enumerate(pictures):
        files.append(tmp_path / f"{number}.{'png' if number % 2 else 'jpg'}")
        picture.save(files[-1])
    predicted = model.predict(files)
    assert sum(p.class_name == kind for p, (kind, _) in zip(predicted, pictures)) >= 16  # of 20 new images
    assert all(0 < p.probability <= 1 and abs(sum(p.probabilities.values()) - 1) < 1e-4 for p in predicted)
    pngs = range(1, len(files), 2)  # lossless: the file holds the PIL image exactly
    by_file = model.predict([files[n] for n in pngs])
    by_pil = model.predict([pictures[n][1] for n in pngs])
    by_array = model.predict(model.images([pictures[n][1] for n in pngs]).numpy())
    assert [p.probabilities for p in by_file] == [p.probabilities for p in by_pil] == [p.probabilities for p in by_array]
    with pytest.raises(DataError, match="shaped"):
        model.predict(np.zeros((2, 3, 8, 8), dtype=np.float32))
    result = runner.invoke(app, ["predict", str(path), *map(str, files[:3])])
    assert result.exit_code == 0, result.output
    lines = result.output.strip().splitlines()
    assert len(lines) == 3 and all(line.split("\t")[1] in SHAPES for line in lines)
    missing = runner.invoke(app, ["predict", str(path), str(tmp_path / "nothere.png")])
    assert missing.exit_code == 2 and "does not exist" in missing.output


@pytest.mark.parametrize("fmt", ["torchscript", "onnx"])
def test_an_exported_model_runs_without_vaenas_and_matches_pytorch(trained, tmp_path, fmt):
    _, path, _ = trained
    model = vaenas.load_model(path)
    x = torch.rand(5, 3, 32, 32)
    expected = model(x).detach().numpy()
    out = tmp_path / f"model.{fmt}"
    result = runner.invoke(app, ["export", str(path), "--format", fmt, "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert json.loads(Path(f"{out}.json").read_text())["class_names"] == list(SHAPES)
    if fmt == "torchscript":
        got = torch.jit.load(str(out))(x).detach().numpy()
    else:
        ort = pytest.importorskip("onnxruntime")
        session = ort.InferenceSession(str(out))
        got = session.run(None, {session.get_inputs()[0].name: x.numpy()})[0]
    assert np.abs(got - expected).max() < 1e-4
    bad = runner.invoke(app, ["export", str(path), "--format", "tflite"])
    assert bad.exit_code == 2 and "torchscript, onnx" in bad.output


def test_a_piped_search_prints_progress_lines(tmp_path):
    result = runner.invoke(app, ["search", "--strategy", "rs", "--budget", "3", "--out", str(tmp_path / "s")])
    assert result.exit_code == 0, result.output
    assert re.search(r"rs on s: started \(3 to do\)", result.output)
    assert [int(m) for m in re.findall(r"rs on s: (\d)/3 best", result.output)] == [1, 2, 3]


@pytest.mark.heavy  # 400 images written and a search: 17 s
def test_the_docs_python_walk_through_runs_as_written(tmp_path, monkeypatch):
    text = (Path(__file__).parents[1] / "docs" / "real-training.md").read_text()
    snippet = re.search(r"<!-- walk-through -->\s*```python\n(.*?)```", text, re.S)
    assert snippet, "docs/real-training.md lost its walk-through snippet"
    monkeypatch.chdir(tmp_path)
    namespace: dict = {}
    exec(compile(snippet.group(1), "docs/real-training.md", "exec"), namespace)  # noqa: S102
    assert namespace["predictions"] and all(p.class_name in SHAPES for p in namespace["predictions"])

