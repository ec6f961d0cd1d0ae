"""Real training where users train (issue 44, the parts a CPU machine can check): the
device and precision chosen and refused, bf16 autocast on the CPU, a folder of the
user's own images end to end, arrays from Python reaching pool workers, a saved model
reloaded on a chosen device."""

import re

import numpy as np
import pytest
import torch
from PIL import Image
from typer.testing import CliRunner

import vaenas
from vaenas.cli import app
from vaenas.errors import DataError, InvalidArgumentError
from vaenas.objectives.classifier import ClassifierObjective
from vaenas.objectives.device import placement, resolve_device
from vaenas.objectives.image_data import ImageData, make_synthetic
from vaenas.objectives.image_folder import load_image_folder
from vaenas.spaces import make_space

runner = CliRunner()
ARCH = make_space("macro").parse("d1w16k3+d1w16k3+d1w16k3")


def image_folder(root, classes=("cat", "dog", "owl"), per_class=8):
    """PNG and JPEG files, grey and colour, of uneven sizes; each class its own tint."""
    rng = np.random.default_rng(0)
    for c, name in enumerate(classes):
        (root / name).mkdir(parents=True)
        for i in range(per_class):
            h, w = rng.integers(12, 40, 2)
            tint = np.roll(np.array([220, 40, 40]), c)
            picture = Image.fromarray((rng.random((h, w, 3)) * 40 + tint).clip(0, 255).astype(np.uint8))
            (picture.convert("L") if i % 3 == 0 else picture).save(root / name / f"{i}.{'png' if i % 2 else 'jpg'}")
    return root


def test_auto_is_the_cpu_here_and_a_missing_gpu_is_one_line(tmp_path):
    assert resolve_device("auto").type == ("cuda" if torch.cuda.is_available() else "cpu")
    assert placement("cpu", "auto").precision == "fp32"
    if torch.cuda.is_available():
        pytest.skip("this machine has a GPU")
    for device, precision in (("cuda", "auto"), ("cuda:3", "auto"), ("tpu", "auto"), ("cpu", "fp16"), ("cpu", "fp8")):
        with pytest.raises(InvalidArgumentError):
            placement(device, precision)
    result = runner.invoke(app, ["search", "--space", "macro", "--objective", "classifier", "--device", "cuda",
                                 "--budget", "2", "--out", str(tmp_path / "o")])
    assert result.exit_code == 2 and "no CUDA GPU" in result.output
    assert len(result.output.strip().splitlines()) == 1
    assert not (tmp_path / "o" / "study.db").exists()


@pytest.mark.heavy  # among the slowest of the default suite (12:24 on 2 cores)
def test_bf16_autocast_on_the_cpu_trains_and_reports(tmp_path):
    data = make_synthetic(n=256, shape=(3, 16, 16), n_classes=4, seed=0)
    objective = ClassifierObjective(data=data, epochs=3, precision="bf16", device="cpu")
    study = vaenas.create_study(space="macro", strategy="rs", pruner="median",
                                pruner_options={"n_startup_trials": 10})
    study.optimize(objective, n_trials=2)
    assert all(t.status is vaenas.TrialStatus.COMPLETE for t in study.trials)
    assert all(len(steps) == 2 for steps in study.storage.intermediate_values().values())  # epochs 1 and 2
    bf16 = objective.evaluate(ARCH)
    fp32 = ClassifierObjective(data=data, epochs=3, precision="fp32", device="cpu").evaluate(ARCH)
    assert 0 <= bf16.value <= 100
    weights = [bf16.artifact.state_dict, fp32.artifact.state_dict]
    assert any(not torch.equal(a, b) for a, b in zip(*(w.values() for w in weights)))  # another arithmetic ran
    assert all(t.dtype == torch.float32 for t in weights[0].values() if t.is_floating_point())  # kept in fp32


def test_a_folder_of_images_trains_end_to_end_and_retrains_its_best(tmp_path):
    folder = image_folder(tmp_path / "images")
    data = load_image_folder(folder, image_size=16, data_seed=3)
    assert data.shape == (3, 16, 16) and data.n_classes == 3 and len(data.train_x) + len(data.val_x) + len(data.test_x) == 24
    train = np.concatenate([data.train_x, data.val_x])
    assert np.allclose(data.mean, data.train_x.mean(axis=(0, 2, 3)), atol=1e-5)  # the training split's statistics
    assert not np.allclose(data.mean, train.mean(axis=(0, 2, 3)), atol=1e-7)
    assert np.array_equal(load_image_folder(folder, 16, data_seed=3).val_y, data.val_y)
    out = tmp_path / "s"
    result = runner.invoke(app, ["search", "--space", "macro", "--objective", "classifier", "--strategy", "rs",
                                 "--data", f"folder:{folder}", "--image-size", "16", "--epochs", "1", "--budget", "2",
                                 "--out", str(out)])
    assert result.exit_code == 0, result.output
    model = vaenas.load_model(out / "best_model.pt", device="cpu")
    assert model(torch.rand(2, 3, 16, 16)).shape == (2, 3)
    with pytest.raises(InvalidArgumentError):
        vaenas.load_model(out / "best_model.pt", device="cuda:7")


@pytest.mark.parametrize("damage, message", [
    (lambda root: (root / "dog" / "3.png").write_bytes(b"not a png"), "3.png is not a readable image"),
    (lambda root: (root / "empty").mkdir(), "holds no image"),
])
def test_a_bad_file_or_class_in_the_folder_is_one_line_naming_it(tmp_path, damage, message):
    folder = image_folder(tmp_path / "images", per_class=3)
    damage(folder)
    with pytest.raises(DataError, match=message):
        load_image_folder(folder)
    result = runner.invoke(app, ["search", "--space", "macro", "--objective", "classifier", "--data", f"folder:{folder}",
                                 "--budget", "2", "--out", str(tmp_path / "o")])
    assert result.exit_code == 2 and len(result.output.strip().splitlines()) == 1, result.output


def test_a_stray_text_file_is_skipped_with_a_warning_naming_it(tmp_path):
    folder = image_folder(tmp_path / "images", per_class=3)
    (folder / "cat" / "notes.txt").write_text("hello")
    with pytest.warns(UserWarning, match=r"skipped 1 file\(s\) that are not images: .*notes.txt"):
        data = load_image_folder(folder)
    assert len(data.train_x) + len(data.val_x) + len(data.test_x) == 9  # every image, not the text


def test_a_folder_of_one_class_is_refused(tmp_path):
    folder = image_folder(tmp_path / "images", classes=("cat",), per_class=3)
    with pytest.raises(DataError, match="at least 2"):
        load_image_folder(folder)


def test_arrays_from_python_reach_the_pool_workers(tmp_path):
    rng = np.random.default_rng(0)
    y = rng.integers(0, 2, 64)
    x = (rng.random((64, 12, 12)) * 80 + y[:, None, None] * 150).astype(np.uint8)  # grey images, uint8
    data = ImageData.from_arrays(x, y, data_seed=1)
    assert data.shape == (1, 12, 12) and data.n_classes == 2
    objective = ClassifierObjective(data=data, epochs=1, device="cpu")
    with vaenas.create_study(space="macro", strategy="rs", storage=tmp_path / "s") as study:
        study.optimize(objective, n_trials=2, workers=2)
        assert [t.status for t in study.trials] == [vaenas.TrialStatus.COMPLETE] * 2
        assert all(0 <= t.value <= 100 for t in study.trials)
    with pytest.raises(DataError):
        ImageData.from_arrays(x[:10], y[:9])


GOOD_X = np.random.default_rng(0).random((20, 1, 8, 8))
GOOD_Y = np.arange(20) % 2


@pytest.mark.parametrize("x, y, words", [
    (GOOD_X, np.zeros(20, int), "one class"),
    (GOOD_X, np.where(GOOD_Y == 1, 10**6, 0), "from 0 to at most"),
    (GOOD_X, np.where(GOOD_Y == 1, 10**9, 0), "from 0 to at most"),
    (GOOD_X, np.where(GOOD_Y == 1, 3, 0), "every class present"),
    (GOOD_X, -GOOD_Y, "from 0 to at most"),
    (np.where(GOOD_X > 0.5, np.nan, GOOD_X), GOOD_Y, "NaN or infinite"),
    (GOOD_X, GOOD_Y[:, None], "y shaped (n,)"),
    (np.zeros((20, 0, 8, 8)), GOOD_Y, "1 to 64 channels"),
    (np.zeros((20, 1, 1, 1)), GOOD_Y, "at least 4x4"),
    (GOOD_X, 1, "y shaped (n,)"),
    ([[[0.0] * 8] * 8, [[0.0] * 3]], [0, 1], "arrays of one shape"),
    (np.full((20, 8, 8), "a"), GOOD_Y, "real numbers"),
    (GOOD_X, GOOD_Y.astype(float), "whole class numbers"),
])
def test_arrays_that_would_wreck_every_trial_are_one_line(x, y, words):
    with pytest.raises(DataError, match=re.escape(words)) as caught:
        ImageData.from_arrays(x, y)
    assert "\n" not in str(caught.value)


def _overlapping(trials):
    return [(a, b) for i, a in enumerate(trials) for b in trials[i + 1:]
            if a.metrics["start"] < b.metrics["end"] and b.metrics["start"] < a.metrics["end"]]


@pytest.mark.heavy
@pytest.mark.parametrize("share, capacity", [(1, 2), (0.5, 4)])
def test_the_pool_pins_each_worker_to_its_gpu(tmp_path, monkeypatch, share, capacity):
    """Two GPUs faked: one worker per GPU at 1, two per GPU at 0.5, each worker always
    seeing the same one GPU; trials that overlap never share a GPU at 1."""
    from gpu_probe import which_gpu

    from vaenas.study.executors import gpu_slots

    monkeypatch.setattr(gpu_slots, "visible_gpus", lambda: 2)
    study = vaenas.create_study(space=make_space("macro"), strategy="rs")
    study.optimize(which_gpu, n_trials=2 * capacity, gpus_per_trial=share)
    trials = study.trials
    seen = {t.metrics["pid"]: t.metrics["visible"] for t in trials}
    assert sorted(set(seen.values())) == ["0", "1"] and len(seen) == capacity
    assert all(t.metrics["visible"] == seen[t.metrics["pid"]] for t in trials)  # pinned for life
    if share == 1:
        assert all(a.metrics["visible"] != b.metrics["visible"] for a, b in _overlapping(trials))


def test_gpus_per_trial_without_a_gpu_is_one_line(tmp_path):
    if torch.cuda.is_available():
        pytest.skip("this machine has a GPU")
    from gpu_probe import which_gpu

    with vaenas.create_study(space=make_space("macro"), strategy="rs") as study:
        with pytest.raises(InvalidArgumentError, match="needs a GPU"):
            study.optimize(which_gpu, n_trials=1, gpus_per_trial=0.5)
        for bad in (0, -1, 1.5, float("nan"), "1"):
            with pytest.raises(InvalidArgumentError, match="gpus per trial"):
                study.optimize(which_gpu, n_trials=1, gpus_per_trial=bad)
        assert study.trials == []
    result = runner.invoke(app, ["search", "--space", "macro", "--objective", "classifier", "--gpus-per-trial", "1",
                                 "--budget", "2", "--out", str(tmp_path / "o")])
    assert result.exit_code == 2 and "needs a GPU" in result.output and len(result.output.strip().splitlines()) == 1
