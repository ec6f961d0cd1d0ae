"""Studies: the trial loop, its storages and the run folder."""

from vaenas.study.config import StudyConfig
from vaenas.study.configured_study import ConfiguredStudy, StudyResult
from vaenas.study.journal import Journal
from vaenas.study.run_folder import JOURNAL_FILE, RESULTS_FILE, RunFolder
from vaenas.study.storage import InMemoryStorage, Storage, TrialRecord, TrialStatus
from vaenas.study.study import Study

__all__ = [
    "JOURNAL_FILE", "RESULTS_FILE", "ConfiguredStudy", "InMemoryStorage", "Journal", "RunFolder", "Storage",
    "Study", "StudyConfig", "StudyResult", "TrialRecord", "TrialStatus",
]
