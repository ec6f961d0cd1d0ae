import json
import sqlite3

import pytest

from vaenas.errors import InvalidArgumentError, JournalError, StudyConfigMismatchError
from vaenas.objectives import Evaluation
from vaenas.study import SQLiteStorage, ConfiguredStudy, StudyConfig


def rows(out):
    with sqlite3.connect(out / "study.db") as db:
        return db.execute("SELECT number, arch_key, status, value, attempts FROM trials ORDER BY number").fetchall()


def test_study_journals_every_trial_and_writes_results(tmp_path):
    result = ConfiguredStudy(StudyConfig(strategy="re", budget=40, seed=1), tmp_path).run()
    trials = rows(tmp_path)
    assert [t[0] for t in trials] == list(range(40))
    assert len({t[1] for t in trials}) == 40
    assert all(t[2] == "complete" for t in trials)
    saved = json.loads((tmp_path / "results.json").read_text())
    for key in ("best_arch", "best_value", "n_trials", "regret", "space", "dataset", "strategy", "seed"):
        assert key in saved
    assert saved["n_trials"] == 40 and saved["best_value"] == max(t[3] for t in trials)
    assert saved["regret"] == pytest.approx(94.37333333 - saved["best_value"], abs=1e-6)
    assert result.best_arch == saved["best_arch"]


def test_rerun_resumes_without_counting_twice_and_extends_the_budget(tmp_path):
    ConfiguredStudy(StudyConfig(strategy="ls", budget=30), tmp_path).run()
    before = rows(tmp_path)
    again = ConfiguredStudy(StudyConfig(strategy="ls", budget=30), tmp_path).run()
    assert rows(tmp_path) == before and again.n_trials == 30
    extended = ConfiguredStudy(StudyConfig(strategy="ls", budget=50), tmp_path).run()
    after = rows(tmp_path)
    assert after[:30] == before and extended.n_trials == 50
    assert len({t[1] for t in after}) == 50


def test_unfinished_trials_are_run_again_under_their_number(tmp_path):
    config = StudyConfig(strategy="rs", budget=12, seed=3)
    ConfiguredStudy(config, tmp_path).run()
    with SQLiteStorage(tmp_path / "study.db") as journal:  # a crash left trial 12 running
        arch = "|none~0|+|none~0|none~1|+|none~0|none~1|none~2|"
        number = journal.start_trial(arch, arch)
    result = ConfiguredStudy(StudyConfig(strategy="rs", budget=14, seed=3), tmp_path).run()
    trials = rows(tmp_path)
    assert trials[number][1:3] == (arch, "complete") and trials[number][4] == 2
    assert result.n_trials == 14 and len({t[1] for t in trials}) == 14


def test_other_configuration_on_the_same_folder_is_refused(tmp_path):
    ConfiguredStudy(StudyConfig(dataset="cifar10", budget=5), tmp_path).run()
    with pytest.raises(StudyConfigMismatchError, match="dataset='cifar10' \\(asked 'cifar100'\\)"):
        ConfiguredStudy(StudyConfig(dataset="cifar100", budget=5), tmp_path).run()
    assert len(rows(tmp_path)) == 5


def test_failing_evaluations_are_recorded_and_the_study_goes_on(tmp_path):
    study = ConfiguredStudy(StudyConfig(strategy="re", budget=30), tmp_path)
    table = study.objective.evaluate

    def flaky(arch):
        if arch[0] == "none":
            raise RuntimeError("loss is NaN")
        if arch[0] == "skip_connect":
            return Evaluation(value=float("nan"))
        return table(arch)

    study.objective.evaluate = flaky
    result = study.run()
    trials = rows(tmp_path)
    failed = [t for t in trials if t[2] == "failed"]
    assert failed and result.n_failed == len(failed) and result.n_trials == 30
    assert all(t[3] is None for t in failed)
    assert result.best_value == max(t[3] for t in trials if t[2] == "complete")


def test_budget_beyond_the_space_is_refused():
    with pytest.raises(InvalidArgumentError, match="at most 15625"):
        StudyConfig(budget=20_000).check()


def test_corrupt_journal_gets_a_clear_error(tmp_path):
    (tmp_path / "study.db").write_bytes(b"this is not sqlite" * 100)
    with pytest.raises(JournalError, match="not a readable study journal"):
        ConfiguredStudy(StudyConfig(budget=5), tmp_path).run()


def test_output_folder_that_is_a_file_gets_a_clear_error(tmp_path):
    (tmp_path / "file").write_text("x")
    with pytest.raises(JournalError, match="cannot write to output folder"):
        ConfiguredStudy(StudyConfig(budget=5), tmp_path / "file").run()
