"""Worker processes end with the process that started them.

A parent killed with SIGKILL runs no clean-up, so its workers would be re-parented and go
on running studies and holding run-folder locks. Each worker therefore watches its parent
and exits the moment the parent is gone."""

from __future__ import annotations

import multiprocessing
import os
import threading
import time

POLL_SECONDS = 0.25


def die_with_parent() -> None:
    """Called first in a worker: a daemon thread exits the process (no clean-up, as a
    SIGKILL would) once its parent process is no longer the one that started it. The
    journal's committed rows survive that, as they survive any kill.

    The parent is the one multiprocessing recorded when it started this process, not
    `os.getppid()` now: a parent killed while the worker was still importing has already
    been replaced by init, and watching init would keep the worker forever."""
    recorded = multiprocessing.parent_process()
    parent = recorded.pid if recorded is not None and recorded.pid is not None else os.getppid()

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(POLL_SECONDS)
        os._exit(1)

    threading.Thread(target=watch, name="vaenas-parent-watch", daemon=True).start()
