"""vaenas's training recipe against plain PyTorch recipes written here without vaenas's
loop, on the same fixed network, the same split and the same passes over the data.

    python benchmarks/training_recipe.py --seeds 665-667 --out docs/results/data/training-recipe.json
    python benchmarks/training_recipe.py --page docs/results/data/training-recipe.json docs/results/training-recipe.md

Per data set (two generated shapes folders, the noisy-digits folder, MNIST-5k) and seed:
- `vaenas`: ClassifierObjective with its defaults (AdamW one-cycle, label smoothing, crops
  and flips or crops alone, auto batch, the 600-step floor) for `--epochs`;
- `plain-adamw`: the same recipe written out as a user would (per-sample crops by a
  random offset, flips, OneCycleLR), for as many passes as vaenas made;
- `plain-sgd`: the recipe a user reported (SGD with Nesterov momentum 0.9, one-cycle to
  0.05, weight decay 5e-4, label smoothing 0.1, crops and flips, batch 22) for as many passes;
- `old-loop`: what vaenas's loop did before the recipe (Adam 1e-3, batch 128, no schedule,
  augmentation or label smoothing) for `--epochs` passes.
Validation accuracy (%) and training seconds; the runs of one seed alternate. Target:
vaenas within 1 point of the best plain recipe on average, at no more than 1.05x its seconds.
"""

from __future__ import annotations

import argparse
import math
import statistics
import sys
import tempfile
import time
from pathlib import Path

import torch
import torch.nn.functional as F

sys.path.insert(0, str(Path(__file__).parent))
from noisy_digits_folder import write_folder as write_noisy_digits  # noqa: E402
from provenance import arguments_or_page, provenance, provenance_line, save_result  # noqa: E402
from seed_range import parse_seeds  # noqa: E402

from vaenas.objectives.classifier import ClassifierObjective, accuracy  # noqa: E402
from vaenas.objectives.image_data import load_image_data  # noqa: E402
from vaenas.objectives.networks import build_classifier  # noqa: E402
from vaenas.objectives.shapes import write_shapes_folder  # noqa: E402
from vaenas.spaces import make_space  # noqa: E402

ARCH = "d1w32k3+d1w64k3+d2w128k3"
"""The user's network: four 3x3 conv-BN-ReLU layers, 32-64-128-128 channels."""


def plain(model, x, y, passes: int, batch: int, optimizer: str, augment: str, seed: int) -> float:
    """A hand-written recipe (`old`: Adam at 1e-3, constant, plain cross-entropy); returns
    its training seconds."""
    decay = [p for p in model.parameters() if p.ndim > 1]
    rest = [p for p in model.parameters() if p.ndim <= 1]
    smoothing = 0.0 if optimizer == "old" else 0.1
    if optimizer == "old":
        opt, peak = torch.optim.Adam(model.parameters(), lr=1e-3), None
    elif optimizer == "sgd":
        opt = torch.optim.SGD([{"params": decay, "weight_decay": 5e-4}, {"params": rest, "weight_decay": 0}],
                              lr=0.05, momentum=0.9, nesterov=True)
        peak = 0.05
    else:
        opt = torch.optim.AdamW([{"params": decay, "weight_decay": 0.05}, {"params": rest, "weight_decay": 0}], lr=3e-3)
        peak = 3e-3
    steps = passes * math.ceil(len(x) / batch)
    schedule = None if peak is None else torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=peak, total_steps=steps,
                                                                              pct_start=0.25)
    g = torch.Generator().manual_seed(seed)
    side, pad = x.shape[-1], max(1, x.shape[-1] // 8)
    model.train()
    started = time.perf_counter()
    for _ in range(passes):
        for index in torch.randperm(len(x), generator=g).split(batch):
            xb = x[index]
            if augment != "none":
                padded = F.pad(xb, (pad,) * 4, mode="reflect")
                offsets = torch.randint(0, 2 * pad + 1, (len(index), 2), generator=g)
                xb = torch.stack([p[:, i:i + side, j:j + side] for p, (i, j) in zip(padded, offsets.tolist())])
            if augment == "standard":
                flip = torch.rand(len(index), generator=g) < 0.5
                xb[flip] = xb[flip].flip(-1)
            loss = F.cross_entropy(model(xb), y[index], label_smoothing=smoothing)
            opt.zero_grad()
            loss.backward()
            opt.step()
            if schedule is not None:
                schedule.step()
    model.eval()
    return time.perf_counter() - started


def data_sets(root: Path) -> dict[str, str]:
    write_shapes_folder(root / "shapes-a", 100, seed=1000)
    write_shapes_folder(root / "shapes-b", 100, seed=1001)
    write_noisy_digits(root / "noisy")
    return {"shapes-a (400)": f"folder:{root / 'shapes-a'}", "shapes-b (400)": f"folder:{root / 'shapes-b'}",
            "noisy digits (1,437)": f"folder:{root / 'noisy' / 'search'}", "mnist5k (5,000)": "mnist5k"}


def measure(spec: str, seed: int, epochs: int) -> dict:
    arch = make_space("macro").parse(ARCH)
    ours = ClassifierObjective(spec, epochs=epochs, seed=seed, image_size=32, device="cpu")
    evaluation = ours.evaluate(arch)
    row = {"vaenas": (evaluation.value, evaluation.metrics["train_seconds"]), "passes": evaluation.metrics["passes"],
           "steps": evaluation.metrics["steps"], "batch": ours.recipe.batch_for(len(ours.train_x))}
    augment = ours.recipe.augment
    for name, optimizer, batch, passes, how in (("plain-adamw", "adamw", row["batch"], row["passes"], augment),
                                                ("plain-sgd", "sgd", 22, row["passes"], augment),
                                                ("old-loop", "old", 128, epochs, "none")):
        torch.manual_seed(seed)
        model = build_classifier(arch, ours.data.shape, ours.data.n_classes, ours.data.mean, ours.data.std)
        seconds = plain(model, ours.train_x, ours.train_y, passes, batch, optimizer, how, seed)
        row[name] = (accuracy(model, ours.val_x, ours.val_y), seconds)
    return row


RECIPES = ("vaenas", "plain-adamw", "plain-sgd", "old-loop")


def write_page(result_path: Path, page: Path) -> None:
    import json

    result = json.loads(result_path.read_text())
    lines = ["# Training recipe against plain PyTorch recipes", "",
             f"Network `{result['arch']}` (the user's four 3x3 conv layers), {result['epochs']} epochs, validation "
             f"accuracy (%) and training seconds on {result['prov']['cores']} CPU cores, seeds {result['seeds']} "
             "(never used before). Plain recipes run as many passes as vaenas made; `old-loop` is the loop before "
             "the recipe (Adam 1e-3, batch 128, no schedule, no augmentation) for the same epochs.", "",
             "| data | seed | passes / steps | " + " | ".join(RECIPES) + " | vaenas s / plain-adamw s |",
             "|---|---|---|" + "---|" * len(RECIPES) + "---|"]
    for row in result["rows"]:
        cells = " | ".join(f"{row[r][0]:.1f} ({row[r][1]:.1f} s)" for r in RECIPES)
        lines.append(f"| {row['data']} | {row['seed']} | {row['passes']} / {row['steps']} | {cells} | "
                     f"{row['vaenas'][1] / row['plain-adamw'][1]:.2f} |")
    for data in dict.fromkeys(r["data"] for r in result["rows"]):
        rows = [r for r in result["rows"] if r["data"] == data]
        means = {r: statistics.mean(row[r][0] for row in rows) for r in RECIPES}
        lines.append(f"| **{data} mean** | | | " + " | ".join(f"**{means[r]:.1f}**" for r in RECIPES) + " | |")
    lines += ["", provenance_line(result["prov"]), ""]
    page.write_text("\n".join(lines))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", default="665-667")
    parser.add_argument("--epochs", type=int, default=30)
    parser.add_argument("--only", help="run the data sets whose name starts with this")
    args = arguments_or_page(parser, write_page)
    if args is None:
        return
    torch.set_num_threads(2)
    rows = []
    with tempfile.TemporaryDirectory() as folder:
        for data, spec in data_sets(Path(folder)).items():
            if args.only and not data.startswith(args.only):
                continue
            load_image_data(spec)  # read once before timing
            for seed in parse_seeds(args.seeds):
                row = {"data": data, "seed": seed, **measure(spec, seed, args.epochs)}
                rows.append(row)
                save_result(args.out, {"arch": ARCH, "epochs": args.epochs, "seeds": args.seeds, "rows": rows,
                                       "prov": provenance()})  # after every row: a stopped run keeps its rows
                print(f"{data:22s} seed {seed}: " + "  ".join(f"{r} {row[r][0]:5.1f} ({row[r][1]:5.1f} s)"
                                                            for r in RECIPES), flush=True)
    for data in dict.fromkeys(r["data"] for r in rows):
        part = [r for r in rows if r["data"] == data]
        gap = statistics.mean(r["vaenas"][0] - max(r["plain-adamw"][0], r["plain-sgd"][0]) for r in part)
        ratio = statistics.mean(r["vaenas"][1] / r["plain-adamw"][1] for r in part)
        print(f"{data}: vaenas minus the better plain recipe {gap:+.1f} points; seconds ratio {ratio:.2f}")


if __name__ == "__main__":
    main()
