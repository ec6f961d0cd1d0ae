"""How many threads this process should compute on: the CPUs it may really use (its
affinity and its cgroup's quota) less those other processes keep busy when it starts.

Torch starts one thread per core whatever else runs; beside a busy process on 2 cores two
spinning threads fight for one free core and slow far beyond their share (a search took
minutes instead of seconds). `import vaenas` and the command line size torch with this
before torch loads (`apply_to_environment`), and, where others are busy, let waiting
threads sleep instead of spin; worker processes inherit it, and run one torch thread
per trial."""

from __future__ import annotations

import os
from pathlib import Path

THREADS_VARIABLE = "VAENAS_THREADS"
"""Set to a whole number to choose the thread count yourself."""


def usable_cpus() -> int:
    """CPUs this process may run on: its affinity, capped by a cgroup CPU quota."""
    try:
        count = len(os.sched_getaffinity(0))
    except (AttributeError, OSError):  # not Linux
        count = os.cpu_count() or 1
    quota = _cgroup_quota()
    return max(1, min(count, quota)) if quota else max(1, count)


def _cgroup_quota() -> int | None:
    """The cgroup's CPU limit in whole CPUs (rounded up), None when unlimited or unknown."""
    try:
        limit, period = Path("/sys/fs/cgroup/cpu.max").read_text().split()[:2]  # cgroup v2
        return None if limit == "max" else -(-int(limit) // int(period))
    except (OSError, ValueError):
        pass
    try:  # cgroup v1
        limit = int(Path("/sys/fs/cgroup/cpu/cpu.cfs_quota_us").read_text())
        period = int(Path("/sys/fs/cgroup/cpu/cpu.cfs_period_us").read_text())
        return None if limit <= 0 else -(-limit // period)
    except (OSError, ValueError):
        return None


def busy_elsewhere() -> int:
    """Processes running on the machine now besides this one (/proc/stat's
    procs_running), 0 where it cannot be read."""
    try:
        for line in Path("/proc/stat").read_text().splitlines():
            if line.startswith("procs_running"):
                return max(0, int(line.split()[1]) - 1)
    except (OSError, ValueError, IndexError):
        pass
    return 0


def fair_threads(busy: int | None = None) -> int:
    """$VAENAS_THREADS when set, else the usable CPUs that no other process keeps busy
    (`busy`: those processes, read now where not given; at least one thread)."""
    chosen = os.environ.get(THREADS_VARIABLE, "").strip()
    if chosen.isdigit() and int(chosen) > 0:
        return int(chosen)
    cpus = usable_cpus()
    busy = busy_elsewhere() if busy is None else busy
    return max(1, cpus - min(busy, cpus - 1))


def wait_policy(busy: int) -> str | None:
    """How torch's idle OpenMP threads wait: asleep (PASSIVE) where other processes are
    busy, so that they never spin on a core another process needs; else OpenMP's own
    short spin, which is faster on an idle machine (docs/results/fair-share.md: the
    README's Python example and a search, idle, spinning against asleep)."""
    return "PASSIVE" if busy > 0 else None


def apply_to_environment() -> int:
    """Sizes the thread pools of torch and NumPy's BLAS (which read these variables when
    they load) to `fair_threads()`, unless the user set them, and lets idle OpenMP
    threads sleep where other processes are busy; returns the count. Call it before
    torch is imported."""
    busy = busy_elsewhere()
    threads = fair_threads(busy)
    for variable in ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS"):
        os.environ.setdefault(variable, str(threads))
    policy = wait_policy(busy)
    if policy is not None:
        os.environ.setdefault("OMP_WAIT_POLICY", policy)
    return threads
