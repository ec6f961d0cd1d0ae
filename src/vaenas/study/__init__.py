"""Studies: the trial loop (`study.py`), how one is created (`create.py`) and read
(`load.py`), where trials are kept (`storages/`), where they run (`executors/`) and which
stop early (`pruners/`).

Names are imported on first use, so that a reader of journals (the dashboard) that
imports `vaenas.study.storages` does not load torch with the trial loop."""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from vaenas.study.config import StudyConfig
    from vaenas.study.configured_study import ConfiguredStudy
    from vaenas.study.storages import (
        JOURNAL_FILE,
        RESULTS_FILE,
        InMemoryStorage,
        RunFolder,
        SQLiteStorage,
        Storage,
        TrialRecord,
        TrialStatus,
        get_storage,
    )
    from vaenas.study.study import Study
    from vaenas.study.study_result import StudyResult

_LAZY = {
    **dict.fromkeys(("JOURNAL_FILE", "RESULTS_FILE", "InMemoryStorage", "RunFolder", "SQLiteStorage", "Storage",
                     "TrialRecord", "TrialStatus", "get_storage"), "vaenas.study.storages"),
    "StudyConfig": "vaenas.study.config",
    "ConfiguredStudy": "vaenas.study.configured_study",
    "Study": "vaenas.study.study",
    "StudyResult": "vaenas.study.study_result",
}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'vaenas.study' has no attribute {name!r}")


__all__ = [
    "JOURNAL_FILE", "RESULTS_FILE", "ConfiguredStudy", "InMemoryStorage", "RunFolder", "SQLiteStorage", "Storage",
    "Study", "StudyConfig", "StudyResult", "TrialRecord", "TrialStatus", "get_storage",
]
