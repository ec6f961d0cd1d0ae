"""Worker processes end with the process that started them.

A parent killed with SIGKILL runs no clean-up, so its workers would be re-parented and go
on running studies and holding run-folder locks. Each worker therefore watches its parent
and exits the moment the parent is gone."""

from __future__ import annotations

import os
import threading
import time

POLL_SECONDS = 0.25


def die_with_parent() -> None:
    """Called first in a worker: a daemon thread exits the process (no clean-up, as a
    SIGKILL would) once its parent process is no longer the one that started it. The
    journal's committed rows survive that, as they survive any kill."""
    parent = os.getppid()

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(POLL_SECONDS)
        os._exit(1)

    threading.Thread(target=watch, name="vaenas-parent-watch", daemon=True).start()
