"""Wall time of a 16-trial macro/digits study with 1 worker and with 2 workers (local
process pool and Ray), measured in the same run; prints the speed-ups.

    python benchmarks/parallel_speedup.py [--trials 16] [--epochs 3] [--no-ray]

Every run searches the same 16 architectures (random search, seed 0) into a fresh
folder, so the work is identical; the wall time includes starting the workers (and the
local Ray instance's workers, not the instance itself, which is started beforehand).

Two speed-ups are printed: against the default in-process study, whose single trial at a
time uses every core through PyTorch's intra-op threads, and against a 1-worker pool,
whose worker has one thread like each worker of the 2-worker runs.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

from vaenas.study import ConfiguredStudy, StudyConfig


def timed(config: StudyConfig, out: Path, executor: str, workers: int | None) -> float:
    started = time.perf_counter()
    result = ConfiguredStudy(config, out, executor=executor, workers=workers).run()
    assert result.n_trials == config.budget
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--trials", type=int, default=16)
    parser.add_argument("--epochs", type=int, default=3)
    parser.add_argument("--no-ray", action="store_true")
    args = parser.parse_args()
    config = StudyConfig(space="macro", objective="classifier", dataset="digits", strategy="rs",
                         budget=args.trials, objective_options={"epochs": args.epochs})
    runs = [("1 worker, in-process", "inprocess", None), ("1 worker, process pool", "pool", 1),
            ("2 workers, process pool", "pool", 2)]
    if not args.no_ray:
        import ray

        ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False)
        runs.append(("2 workers, Ray (local)", "ray", 2))
    seconds = {}
    with tempfile.TemporaryDirectory() as tmp:
        for i, (label, executor, workers) in enumerate(runs):
            seconds[label] = timed(config, Path(tmp) / str(i), executor, workers)
    base, one_worker = seconds["1 worker, in-process"], seconds["1 worker, process pool"]
    print(f"{args.trials}-trial macro/digits study, {args.epochs} epochs per trial")
    for label, value in seconds.items():
        print(f"  {label:26s} {value:7.1f} s   vs in-process {base / value:4.2f}x   "
              f"vs 1-worker pool {one_worker / value:4.2f}x")


if __name__ == "__main__":
    main()
