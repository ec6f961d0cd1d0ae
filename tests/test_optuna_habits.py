"""What an Optuna user reaches for: timeout, callbacks, a log line per trial, enqueued
trials, reading a running study, re-creating a study in the same process, and clear
errors for storage URLs and incomplete multi-objective results."""

import logging
import subprocess
import sys
import textwrap
import time

import pytest
from typer.testing import CliRunner

import vaenas
from library_objective import conv_count
from vaenas.cli import app
from vaenas.errors import InvalidArgumentError
from vaenas.spaces import CellSpace

OPS = ["skip", "conv1x1", "conv3x3", "pool"]


def cells():
    return CellSpace(n_nodes=3, ops=OPS)


def test_timeout_stops_starting_trials():
    def slow(arch):
        time.sleep(0.1)
        return 1.0

    with vaenas.create_study(space=cells(), strategy="rs") as study:
        study.optimize(slow, n_trials=60, timeout=0.35)
        assert 2 <= len(study.trials) <= 6
        with pytest.raises(InvalidArgumentError, match="timeout"):
            study.optimize(slow, n_trials=1, timeout=-1)


def test_callbacks_see_every_finished_trial_and_can_stop_the_study():
    seen = []

    def stop_at_three(study, trial):
        seen.append(trial.number)
        if len(seen) == 3:
            raise StopIteration

    with vaenas.create_study(space=cells(), strategy="rs") as study:
        with pytest.raises(StopIteration):
            study.optimize(conv_count, n_trials=10, callbacks=[stop_at_three])
        assert seen == [0, 1, 2] and len(study.trials) == 3


def test_a_log_line_per_trial_that_can_be_quieted(caplog):
    with vaenas.create_study(space=cells(), strategy="rs") as study:
        vaenas.set_verbosity(logging.INFO)
        logging.getLogger("vaenas").propagate = True  # so that caplog sees it
        with caplog.at_level(logging.INFO, logger="vaenas"):
            study.optimize(conv_count, n_trials=2)
        assert "trial 1 finished with value" in caplog.text
        caplog.clear()
        vaenas.set_verbosity(logging.WARNING)
        study.optimize(conv_count, n_trials=2)
        assert "finished" not in caplog.text
        logging.getLogger("vaenas").propagate = False


def test_enqueued_architectures_are_evaluated_first():
    with vaenas.create_study(space=cells(), strategy="re", seed=2) as study:
        study.enqueue_trial(("conv3x3", "conv3x3", "conv3x3"))
        study.enqueue_trial("|pool~0|+|pool~0|pool~1|")
        study.enqueue_trial(("conv3x3", "conv3x3", "conv3x3"))  # already queued: once
        study.optimize(conv_count, n_trials=4)
        assert [t.arch for t in study.trials[:2]] == [("conv3x3", "conv3x3", "conv3x3"), ("pool", "pool", "pool")]
        assert len({t.arch for t in study.trials}) == 4
        study.enqueue_trial(("pool", "pool", "pool"))  # already a trial: left out
        assert study.ask() != ("pool", "pool", "pool")


def test_an_architecture_has_one_type_wherever_a_user_reads_it(tmp_path):
    received = []

    def objective(arch):
        received.append(arch)
        return conv_count(arch)

    with vaenas.create_study(space=cells(), strategy="rs", seed=1, storage=tmp_path) as study:
        study.optimize(objective, n_trials=6)
        assert [t.arch for t in study.trials] == received
        assert list(study.trials_dataframe()["arch"]) == received
        assert study.best_arch == study.best_trial.arch and study.best_arch in received
        asked = study.ask()
        assert asked in study.space.enumerate() and asked == study.trials[-1].arch
        study.tell(asked, 1.0)
    seen = vaenas.load_study(tmp_path)
    assert [t.arch for t in seen.trials] == [*received, asked]


def test_storage_urls_are_refused_with_one_line(tmp_path):
    with pytest.raises(InvalidArgumentError, match="database URLs are not supported"):
        vaenas.create_study(space=cells(), strategy="rs", storage="sqlite:///x.db")


def test_creating_a_study_twice_in_one_process_takes_the_folder_over(tmp_path):
    first = vaenas.create_study(space=cells(), strategy="rs", storage=tmp_path)
    first.optimize(conv_count, n_trials=2)
    second = vaenas.create_study(space=cells(), strategy="rs", storage=tmp_path)  # a notebook cell run again
    second.optimize(conv_count, n_trials=2)
    assert len(second.trials) == 4
    with pytest.raises(InvalidArgumentError, match="closed"):
        first.ask()
    second.close()


HOLDER = textwrap.dedent("""
    import sys, vaenas
    from library_objective import conv_count
    from vaenas.spaces import CellSpace
    study = vaenas.create_study(space=CellSpace(n_nodes=3, ops={ops!r}), strategy="rs", storage=sys.argv[1])
    study.optimize(conv_count, n_trials=5)
    print("holding", flush=True)
    sys.stdin.readline()
""")


def test_load_study_reads_a_study_that_another_process_holds(tmp_path):
    holder = subprocess.Popen([sys.executable, "-c", HOLDER.format(ops=OPS), str(tmp_path)], stdin=subprocess.PIPE,
                              stdout=subprocess.PIPE, text=True, cwd=str(__import__("pathlib").Path(__file__).parent))
    try:
        assert holder.stdout.readline().strip() == "holding"
        seen = vaenas.load_study(tmp_path)
        assert len(seen.trials) == 5 and seen.best_value == max(t.value for t in seen.trials)
        assert seen.best_arch in list(seen.trials_dataframe()["arch"])
        assert isinstance(seen.best_arch, tuple) and seen.best_arch == seen.best_trial.arch  # the holder's Arch
    finally:
        holder.communicate("\n", timeout=60)


def test_a_multi_objective_study_names_an_objective_its_trials_lack():
    with vaenas.create_study(space=cells(), strategy="rs", objectives={"value": "maximize", "latency": "minimize"}) as s:
        with pytest.raises(InvalidArgumentError, match="without objective latency"):
            s.optimize(conv_count, n_trials=3)
        assert len(s.trials) == 1  # the trial is kept


def test_several_objectives_without_a_strategy_search_with_mobo(tmp_path):
    result = CliRunner().invoke(app, ["search", "--space", "nbgraph", "--objectives", "accuracy,latency",
                                      "-S", "population_size=3", "--out", str(tmp_path)])
    assert result.exit_code == 2 and "strategy 'mobo' has no option 'population_size'" in result.output


def test_the_dataframe_gives_datetimes_and_durations(tmp_path):
    import pandas

    with vaenas.create_study(space=cells(), strategy="rs", storage=tmp_path) as study:
        study.optimize(conv_count, n_trials=3)
        frame = study.trials_dataframe()
    assert pandas.api.types.is_datetime64_any_dtype(frame["started_at"])
    assert (frame["duration"] >= pandas.Timedelta(0)).all()
    assert list(vaenas.load_study(tmp_path).trials_dataframe().columns) == list(frame.columns)
