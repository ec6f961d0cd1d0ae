"""The study loop and its journal."""

from vaenas.study.config import StudyConfig
from vaenas.study.journal import Journal, TrialRecord
from vaenas.study.study import JOURNAL_FILE, RESULTS_FILE, Study, StudyResult

__all__ = ["JOURNAL_FILE", "RESULTS_FILE", "Journal", "Study", "StudyConfig", "StudyResult", "TrialRecord"]
