"""The `vaenas` command's entry point. It imports the command line only after SIGTERM
is routed like Ctrl-C, and turns Ctrl-C during those (slow) imports into one line."""

from __future__ import annotations

import signal
import sys
from types import FrameType

from vaenas.cpu_share import apply_to_environment
from vaenas.errors import EXIT_INTERRUPTED, EXIT_TERMINATED, Terminated


def _terminate(signum: int, frame: FrameType | None) -> None:
    raise Terminated()


def main() -> None:
    signal.signal(signal.SIGTERM, _terminate)
    apply_to_environment()  # before anything imports torch
    try:
        from vaenas.cli import app
    except KeyboardInterrupt as exc:
        print("interrupted while starting; nothing was run", file=sys.stderr)
        sys.exit(EXIT_TERMINATED if isinstance(exc, Terminated) else EXIT_INTERRUPTED)
    app()
