"""`vaenas dashboard`: a local web page watching a study or a comparison while it runs."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Annotated

import typer

from vaenas.cli.app import app, console, user_errors


@app.command()
@user_errors
def dashboard(
    out: Annotated[Path, typer.Argument(help="A study's folder (search --out) or a comparison's (compare --out).")],
    host: Annotated[str, typer.Option(help="Address to serve on; 0.0.0.0 serves every network (no authentication).")]
    = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port; 0 picks a free one.")] = 8080,
) -> None:
    """Serve a live page of a study (trials, best so far, pruned curves, architectures,
    latent map) read-only from its journal, while a search writes it. Ctrl-C stops it."""
    from vaenas.dashboard.server import serve

    try:
        serve(out, host, port, announce=lambda url: console.print(f"dashboard of {out} at {url} (Ctrl-C stops it)",
                                                                  highlight=False, soft_wrap=True))
    except KeyboardInterrupt:  # Ctrl-C, or SIGTERM (console.py raises Terminated): uvicorn stops, then re-raises
        pass
    console.print("dashboard stopped", highlight=False)
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(0)  # now, whatever a request's thread still does (Python would wait for it)
