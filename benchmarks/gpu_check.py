"""The first thing to run on a GPU machine (under 5 minutes): images per second of the
same macro candidates trained through vaenas and by a plain PyTorch loop on the same
device and data, on the CPU and on each GPU precision, with GPU memory.

    python benchmarks/gpu_check.py [--images 10000] [--cpu-images 2048] [--out FILE]

Data: a CIFAR-10-sized synthetic set (3x32x32, 10 classes). Each (device, precision)
trains every candidate for one epoch through `ClassifierObjective` and through the plain
loop, alternating; the ratio of their medians is the overhead (target at least 0.9 on
the GPU with bf16). With a GPU it then runs a 4-trial search with `gpus_per_trial=0.5`
on the process pool, and one on a local Ray instance when Ray is installed. Without a GPU
it runs the CPU part and says in one line what it skipped.
"""

from __future__ import annotations

import argparse
import statistics
import time
from pathlib import Path

import torch
from provenance import provenance, save_result
from training_overhead import LIKE_PLAIN
from torch import nn

from vaenas.objectives.classifier import ClassifierObjective
from vaenas.objectives import device as device_module
from vaenas.objectives.device import placement
from vaenas.objectives.image_data import make_synthetic
from vaenas.objectives.networks import build_classifier
from vaenas.spaces import make_space

CANDIDATES = ("d2w32k3+d2w64k3+d1w128k3", "d1w16k3+d1w32k5+d1w64k3", "d3w64k3+d2w128k3+d2w128k5")


def plain_loop(model: nn.Module, x: torch.Tensor, y: torch.Tensor, batch_size: int, device: torch.device,
               dtype: torch.dtype | None) -> float:
    """What a PyTorch user writes by hand, data on the device; returns images per second."""
    model.to(device).train()
    x, y = x.to(device), y.to(device)
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
    _synchronize(device)
    started = time.perf_counter()
    order = torch.randperm(len(x), device=device)
    for start in range(0, len(x), batch_size):
        index = order[start : start + batch_size]
        optimizer.zero_grad(set_to_none=True)
        with torch.autocast(device.type, dtype=dtype, enabled=dtype is not None):
            loss = nn.functional.cross_entropy(model(x[index]), y[index])
        loss.backward()
        optimizer.step()
    _synchronize(device)
    return len(x) / (time.perf_counter() - started)


def _synchronize(device: torch.device) -> None:
    if device.type == "cuda":
        torch.cuda.synchronize(device)


def measure(device: str, precision: str, images: int, repeats: int) -> dict:
    place = placement(device, precision)
    data = make_synthetic(n=images, shape=(3, 32, 32), n_classes=10, seed=0)
    objective = ClassifierObjective(data=data, epochs=1, device=device, precision=precision, **LIKE_PLAIN)
    space = make_space("macro")
    rows = []
    for text in CANDIDATES:
        arch = space.parse(text)
        ours, plain = [], []
        for _ in range(repeats):
            if place.device.type == "cuda":
                torch.cuda.reset_peak_memory_stats(place.device)
            ours.append(objective.evaluate(arch).metrics["images_per_second"])
            torch.manual_seed(0)
            model = build_classifier(arch, data.shape, data.n_classes, data.mean, data.std)
            plain.append(plain_loop(model, objective.train_x, objective.train_y, objective.recipe.batch_for(len(objective.train_x)), place.device,
                                    place.dtype))
        memory = torch.cuda.max_memory_allocated(place.device) / 2**20 if place.device.type == "cuda" else None
        row = {"device": str(place.device), "precision": place.precision, "arch": text, "images": len(objective.train_x),
               "vaenas_images_per_second": round(statistics.median(ours), 1),
               "plain_images_per_second": round(statistics.median(plain), 1),
               "ratio": round(statistics.median(ours) / statistics.median(plain), 3), "peak_memory_mib": memory}
        rows.append(row)
        print(f"{row['device']:7s} {row['precision']:5s} {text:28s} vaenas {row['vaenas_images_per_second']:9.1f} img/s, "
              f"plain {row['plain_images_per_second']:9.1f} img/s, ratio {row['ratio']:.3f}"
              + (f", peak {memory:.0f} MiB" if memory is not None else ""), flush=True)
    return {"rows": rows}


def shared_gpu_search(executor: str) -> dict:
    """4 trials at half a GPU each on `executor`: which GPU each trial saw, and seconds."""
    import vaenas

    if executor == "ray":
        try:
            import ray
        except ImportError:
            print("skipped: the Ray search (Ray is not installed: pip install 'vaenas[ray]')")
            return {}
        ray.init(num_gpus=torch.cuda.device_count(), include_dashboard=False, log_to_driver=False)
    data = make_synthetic(n=2048, shape=(3, 32, 32), n_classes=10, seed=0)
    objective = ClassifierObjective(data=data, epochs=1, device="auto", precision="auto")
    started = time.perf_counter()
    try:
        study = vaenas.create_study(space="macro", strategy="rs")
        study.optimize(objective, n_trials=4, executor=executor, gpus_per_trial=0.5)
    finally:
        if executor == "ray":
            ray.shutdown()
    seconds = time.perf_counter() - started
    statuses = [t.status.value for t in study.trials]
    speeds = [t.metrics.get("images_per_second") for t in study.trials]
    print(f"gpus_per_trial 0.5 on {executor}: {statuses.count('complete')}/4 complete in {seconds:.1f} s, "
          f"images per second {speeds}", flush=True)
    return {"executor": executor, "seconds": round(seconds, 1), "statuses": statuses, "images_per_second": speeds}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--images", type=int, default=10_000)
    parser.add_argument("--cpu-images", type=int, default=2048, help="the CPU part trains on fewer (2 cores are slow)")
    parser.add_argument("--repeats", type=int, default=2)
    parser.add_argument("--out", type=Path)
    args = parser.parse_args()
    started = time.perf_counter()
    runs = [measure("cpu", "fp32", args.cpu_images, args.repeats), measure("cpu", "bf16", args.cpu_images, args.repeats)]
    if torch.cuda.is_available():
        name = torch.cuda.get_device_name(0)
        print(f"GPU: {name}, {torch.cuda.device_count()} device(s), torch {torch.__version__}, CUDA {torch.version.cuda}")
        precisions = ["fp32", "fp16"] + (["bf16"] if torch.cuda.is_bf16_supported() else [])
        runs += [measure("cuda", p, args.images, args.repeats) for p in precisions]
        device_module.DATA_SHARE = 0.0  # the path of a training set too big for the GPU: batches streamed, pinned
        print("data streamed from pinned CPU memory:")
        runs.append({**measure("cuda", precisions[-1], args.images, args.repeats), "data": "streamed"})
        runs += [shared_gpu_search("pool"), shared_gpu_search("ray")]
    else:
        print(f"skipped: the GPU part and the gpus_per_trial searches (torch {torch.__version__} sees no CUDA GPU "
              "here); the CPU part ran")
    print(f"done in {time.perf_counter() - started:.0f} s")
    save_result(args.out, {"provenance": provenance(), "runs": runs})


if __name__ == "__main__":
    main()
