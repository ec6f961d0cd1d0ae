"""Studies: the trial loop (`study.py`), how one is created (`create.py`) and read
(`load.py`), where trials are kept (`storages/`), where they run (`executors/`) and which
stop early (`pruners/`)."""

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

__all__ = [
    "JOURNAL_FILE", "RESULTS_FILE", "ConfiguredStudy", "InMemoryStorage", "RunFolder", "SQLiteStorage", "Storage",
    "Study", "StudyConfig", "StudyResult", "TrialRecord", "TrialStatus", "get_storage",
]
