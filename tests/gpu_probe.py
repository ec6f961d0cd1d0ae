"""A module-level objective for GPU-placement tests (pool and Ray workers import it by
name): it reports which GPUs its worker sees and when it ran."""

import os
import time

from vaenas.objectives import Evaluation


def which_gpu(arch):
    started = time.time()
    time.sleep(1.5)  # long enough for the trials of one wave to overlap, whatever their start-up
    ray_ids = None
    try:
        import ray

        if ray.is_initialized():
            ray_ids = [str(i) for i in ray.get_gpu_ids()]
    except ImportError:
        pass
    return Evaluation(1.0, metrics={"visible": os.environ.get("CUDA_VISIBLE_DEVICES"), "ray_gpu_ids": ray_ids,
                                    "pid": os.getpid(), "start": started, "end": time.time()})


def curve_away_from_the_journal(arch, trial):
    """learning_curve, asserting first that this process holds no study journal open (a
    worker on another node could not open the driver's path)."""
    held = [os.readlink(f"/proc/self/fd/{fd}") for fd in os.listdir("/proc/self/fd")
            if os.path.exists(f"/proc/self/fd/{fd}")]
    assert not any(path.endswith("study.db") for path in held), held
    from pruning_objective import learning_curve

    return learning_curve(arch, trial)
