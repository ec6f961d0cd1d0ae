"""What a benchmark result file records of how it was made, so that every figure in the
docs names the run it came from."""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path


def provenance(argv: list[str] | None = None) -> dict:
    import torch

    import vaenas

    try:
        commit = subprocess.run(["git", "rev-parse", "HEAD"], capture_output=True, text=True, check=True).stdout.strip()
        dirty = bool(subprocess.run(["git", "status", "--porcelain", "src"], capture_output=True, text=True).stdout)
    except (OSError, subprocess.CalledProcessError):
        commit, dirty = None, None
    args = sys.argv[1:] if argv is None else argv
    return {"command": " ".join([Path(sys.argv[0]).as_posix(), *args]), "vaenas": vaenas.__version__,
            "commit": commit, "uncommitted_source_changes": dirty, "torch": torch.__version__,
            "python": platform.python_version(), "cores": os.cpu_count(), "date": time.strftime("%Y-%m-%d %H:%M:%S")}


def provenance_line(prov: dict) -> str:
    """One markdown line naming the command and the build that made a result."""
    return (f"Command: `python {prov['command']}`; vaenas {prov['vaenas']}, commit {prov['commit']}"
            f"{' (with uncommitted changes)' if prov.get('uncommitted_source_changes') else ''}, torch {prov['torch']}, "
            f"Python {prov['python']}, {prov['cores']} cores, {prov['date']}.")


def save_result(path: Path | None, result: dict) -> None:
    """Writes a result file (when a path is given), its folder created."""
    if path is None:
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(result) + "\n")


def arguments_or_page(parser: argparse.ArgumentParser, write_page: Callable[[Path, Path], None]) -> argparse.Namespace | None:
    """Adds `--out RESULT` (the result file to write) and `--page RESULT MARKDOWN` to a
    benchmark's parser and parses; with --page, writes the docs page of a result file
    and returns None (nothing to measure)."""
    parser.add_argument("--out", type=Path, help="the result file to write")
    parser.add_argument("--page", nargs=2, type=Path, metavar=("RESULT", "MARKDOWN"),
                        help="write the docs page of a result file instead of measuring")
    args = parser.parse_args()
    if args.page:
        write_page(*args.page)
        return None
    return args
