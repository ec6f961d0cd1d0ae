"""Throughput of a candidate trained through vaenas against a plain hand-written PyTorch
loop over the same network and data, in the same run.

    python benchmarks/training_overhead.py [--arch d2w32k3+d2w64k3+d1w128k3] [--images 4096] [--repeats 3]

Both train the classifier of one macro architecture on the same CIFAR-sized images
(3x32x32, synthetic so that nothing downloads) with Adam, batch 128, for one epoch; the
runs alternate (vaenas, plain, vaenas, ...) and the median images per second of each is
compared. The target ratio is >= 0.9. A third measure times a whole trial through a
study (create_study with a journal folder and a median pruner, optimize one trial: the
study, the journal and the per-epoch reports around the same training) against the plain
loop's seconds for the same epochs: target at most 1.05x.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time

import torch
from torch import nn

import vaenas
from vaenas.objectives.classifier import ClassifierObjective, accuracy
from vaenas.objectives.image_data import make_synthetic
from vaenas.objectives.networks import build_classifier
from vaenas.spaces import make_space


LIKE_PLAIN = {"batch_size": 128, "augment": "none", "min_steps": 0}
"""The loop's own throughput: the plain loop's batch, no augmentation, one pass an epoch
(benchmarks/training_recipe.py compares the whole recipe)."""

def plain_loop(model: nn.Module, x: torch.Tensor, y: torch.Tensor, batch_size: int) -> float:
    """The loop a PyTorch user would write by hand; returns images per second."""
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
    model.train()
    started = time.perf_counter()
    order = torch.randperm(len(x))
    for start in range(0, len(x), batch_size):
        index = order[start : start + batch_size]
        optimizer.zero_grad()
        loss = nn.functional.cross_entropy(model(x[index]), y[index])
        loss.backward()
        optimizer.step()
    return len(x) / (time.perf_counter() - started)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--arch", default="d2w32k3+d2w64k3+d1w128k3")
    parser.add_argument("--images", type=int, default=4096)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()

    arch = make_space("macro").parse(args.arch)
    data = make_synthetic(n=args.images, shape=(3, 32, 32), n_classes=10, seed=0)
    objective = ClassifierObjective(data=data, epochs=1, **LIKE_PLAIN)

    through_vaenas, plain = [], []
    for _ in range(args.repeats):
        through_vaenas.append(objective.evaluate(arch).metrics["images_per_second"])
        torch.manual_seed(0)
        model = build_classifier(arch, data.shape, data.n_classes, data.mean, data.std)
        plain.append(plain_loop(model, objective.train_x, objective.train_y, objective.recipe.batch_for(len(objective.train_x))))
    trial_seconds, plain_seconds = [], []
    for repeat in range(args.repeats):
        with tempfile.TemporaryDirectory() as folder:
            study = vaenas.create_study(space="macro", strategy="rs", seed=repeat, storage=folder, pruner="median")
            study.enqueue_trial(arch)
            started = time.perf_counter()
            study.optimize(ClassifierObjective(data=data, epochs=2, **LIKE_PLAIN), n_trials=1)
            trial_seconds.append(time.perf_counter() - started)
            study.close()
        torch.manual_seed(0)
        model = build_classifier(arch, data.shape, data.n_classes, data.mean, data.std)
        started = time.perf_counter()
        for _ in range(2):  # with the validation pass a user's loop makes to report (synthetic data: no test split)
            plain_loop(model, objective.train_x, objective.train_y, objective.recipe.batch_for(len(objective.train_x)))
            accuracy(model.eval(), objective.val_x, objective.val_y)
        plain_seconds.append(time.perf_counter() - started)
    ours, theirs = statistics.median(through_vaenas), statistics.median(plain)
    print(f"architecture {args.arch}, {len(objective.train_x)} training images 3x32x32, batch {objective.recipe.batch_for(len(objective.train_x))}, "
          f"{torch.get_num_threads()} threads")
    print(f"  vaenas objective  {ours:8.1f} images/s  (runs: {', '.join(f'{v:.0f}' for v in through_vaenas)})")
    print(f"  plain loop        {theirs:8.1f} images/s  (runs: {', '.join(f'{v:.0f}' for v in plain)})")
    print(f"  ratio vaenas / plain = {ours / theirs:.3f}  (target >= 0.9)")
    trial, loop = statistics.median(trial_seconds), statistics.median(plain_seconds)
    print(f"  a 2-epoch trial through a study (journal, median pruner, a report after epoch 1) {trial:.2f} s, "
          f"the plain loop's 2 epochs with the same validation passes {loop:.2f} s: {trial / loop:.3f}x  "
          "(target <= 1.05)")


if __name__ == "__main__":
    main()
