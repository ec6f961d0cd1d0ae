"""Where a study's trials are kept: the interface (`base.py`), in memory
(`in_memory.py`), SQLite (`sqlite.py`) and a study's folder with its lock and result
files (`folder.py`). `get_storage` turns what a user passes into one of them."""

from __future__ import annotations

from pathlib import Path

from vaenas.errors import InvalidArgumentError
from vaenas.study.storages.base import FORMAT_VERSION, Storage, TrialRecord, TrialStatus
from vaenas.study.storages.folder import JOURNAL_FILE, RESULTS_FILE, RunFolder
from vaenas.study.storages.in_memory import InMemoryStorage
from vaenas.study.storages.sqlite import SQLiteStorage


def get_storage(spec: Storage | str | Path | None) -> tuple[Storage, RunFolder | None]:
    """The storage a user names, and the folder that holds it (locked until the storage's
    study closes it): None keeps trials in memory; a folder path keeps them in that
    folder's SQLite file; a Storage is used as it is. A URL is refused with one line."""
    check_storage_spec(spec)
    if spec is None:
        return InMemoryStorage(), None
    if isinstance(spec, Storage):
        return spec, None
    folder = RunFolder(spec)
    return folder.open(), folder


def check_storage_spec(spec: object) -> None:
    """Refuses, before any slow work, what names no storage."""
    if spec is None or isinstance(spec, Storage):
        return
    if not isinstance(spec, (str, Path)):
        raise InvalidArgumentError(f"storage must be None (in memory), a folder path or a Storage, got {spec!r}")
    if "\x00" in str(spec):
        raise InvalidArgumentError(f"storage {str(spec)!r} holds a NUL character, which no file name may hold")
    if isinstance(spec, str) and "://" in spec:
        raise InvalidArgumentError(
            f"storage {spec!r}: database URLs are not supported; pass a folder path, whose SQLite journal is "
            "DIR/study.db (one study per folder)"
        )


__all__ = ["FORMAT_VERSION", "JOURNAL_FILE", "RESULTS_FILE", "InMemoryStorage", "RunFolder", "SQLiteStorage",
           "Storage", "TrialRecord", "TrialStatus", "check_storage_spec", "get_storage"]
