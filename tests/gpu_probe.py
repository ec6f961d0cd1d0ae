"""A module-level objective for GPU-placement tests (pool and Ray workers import it by
name): it reports which GPUs its worker sees and when it ran."""

import os
import time

from vaenas.objectives import Evaluation


def which_gpu(arch):
    started = time.time()
    time.sleep(0.3)  # long enough for the trials of one wave to overlap
    ray_ids = None
    try:
        import ray

        if ray.is_initialized():
            ray_ids = [str(i) for i in ray.get_gpu_ids()]
    except ImportError:
        pass
    return Evaluation(1.0, metrics={"visible": os.environ.get("CUDA_VISIBLE_DEVICES"), "ray_gpu_ids": ray_ids,
                                    "pid": os.getpid(), "start": started, "end": time.time()})
