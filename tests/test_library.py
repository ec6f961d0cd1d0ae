"""The Python API: create_study with objects or names, optimize / ask / tell, storages,
resume, the folder lock, user-declared spaces."""

import subprocess
import sys
import textwrap

import pytest
from library_objective import conv_count

import vaenas
from vaenas.errors import InvalidArgumentError, StudyConfigMismatchError, StudyLockedError
from vaenas.objectives import Evaluation
from vaenas.search import make_strategy
from vaenas.spaces import CellSpace, LayerSpace
from vaenas.study import InMemoryStorage, TrialStatus

CELL = CellSpace(n_nodes=4, ops=["skip", "conv", "pool"])


def test_optimize_a_callable_in_memory():
    study = vaenas.create_study(space=CELL, strategy="re", seed=3)
    study.optimize(conv_count, n_trials=20)
    trials = study.trials
    assert len(trials) == 20 and len({t.arch_key for t in trials}) == 20
    assert all(t.status is TrialStatus.COMPLETE for t in trials)
    assert study.best_value == max(t.value for t in trials)
    assert conv_count(study.best_arch) == study.best_value
    frame = study.trials_dataframe()
    assert list(frame.columns[:4]) == ["number", "arch", "status", "value"] and len(frame) == 20
    study.optimize(conv_count, n_trials=5)  # n_trials more, as in Optuna
    assert len(study.trials) == 25


def test_minimize_keeps_the_lowest_value():
    study = vaenas.create_study(space=CELL, strategy="rs", direction="minimize", seed=0)
    study.optimize(conv_count, n_trials=15)
    assert study.best_value == min(t.value for t in study.trials)


def test_ask_tell_loop_and_told_results():
    study = vaenas.create_study(space=CELL, strategy="ls", storage=InMemoryStorage(), seed=1)
    asked = [study.ask() for _ in range(3)]
    assert len({CELL.key(a) for a in asked}) == 3
    study.tell(asked[0], 2.0)
    study.tell(asked[1], Evaluation(value=1.0, metrics={"params": 7}))
    study.tell(asked[2], None)  # failed
    known = ("conv",) * 6
    study.tell(known, 6.0)  # a result the user had already: a new trial
    statuses = [t.status for t in study.trials]
    assert statuses == [TrialStatus.COMPLETE, TrialStatus.COMPLETE, TrialStatus.FAILED, TrialStatus.COMPLETE]
    assert study.best_arch == known and study.trials[1].metrics["params"] == 7
    with pytest.raises(InvalidArgumentError, match="already told"):
        study.tell(known, 5.0)
    assert all(CELL.key(study.ask()) not in {t.arch_key for t in study.trials[:4]} for _ in range(5))


def test_non_finite_told_value_counts_as_failed():
    study = vaenas.create_study(space=CELL, strategy="rs")
    study.tell(study.ask(), float("nan"))
    assert study.trials[0].status is TrialStatus.FAILED and "non-finite" in study.trials[0].metrics["error"]


def test_folder_storage_resumes_and_extends(tmp_path):
    with vaenas.create_study(space=CELL, strategy="re", storage=tmp_path, seed=2) as study:
        study.optimize(conv_count, n_trials=12)
        first = [t.arch for t in study.trials]
    with vaenas.create_study(space=CellSpace(4, ["skip", "conv", "pool"]), strategy="re", storage=tmp_path, seed=2) as again:
        assert [t.arch for t in again.trials] == first
        again.optimize(conv_count, n_trials=8)
        trials = again.trials
    assert [t.number for t in trials] == list(range(20)) and len({t.arch for t in trials}) == 20
    assert (tmp_path / "best_arch.json").is_file()


def test_other_settings_on_the_same_folder_are_refused(tmp_path):
    vaenas.create_study(space=CELL, strategy="re", storage=tmp_path).close()
    with pytest.raises(StudyConfigMismatchError, match="strategy='re' \\(asked 'rs'\\)"):
        vaenas.create_study(space=CELL, strategy="rs", storage=tmp_path)
    other_ops = CellSpace(n_nodes=4, ops=["skip", "conv"])
    with pytest.raises(StudyConfigMismatchError, match="space_definition"):
        vaenas.create_study(space=other_ops, strategy="re", storage=tmp_path)
    vaenas.create_study(space=CELL, strategy="re", storage=tmp_path).close()  # refusals left no lock


def test_strategy_options_reach_a_named_strategy_and_the_identity(tmp_path):
    with vaenas.create_study(space=CELL, strategy="re", storage=tmp_path, strategy_options={"population_size": 4}) as study:
        assert study.strategy.population_size == 4
        study.optimize(conv_count, n_trials=6)
    with pytest.raises(StudyConfigMismatchError, match="strategy_options"):
        vaenas.create_study(space=CELL, strategy="re", storage=tmp_path, strategy_options={"population_size": 5})
    with pytest.raises(InvalidArgumentError, match="has no option 'size'.*population_size=10"):
        vaenas.create_study(space=CELL, strategy="re", strategy_options={"size": 5})
    with pytest.raises(InvalidArgumentError, match="go with a strategy name"):
        vaenas.create_study(space=CELL, strategy=make_strategy("re", CELL), strategy_options={"population_size": 4})


HOLDER = textwrap.dedent("""
    import sys, vaenas
    study = vaenas.create_study(space="nb201", strategy="rs", storage=sys.argv[1])
    print("holding", flush=True)
    sys.stdin.readline()
""")


def test_a_second_process_on_the_same_folder_is_refused(tmp_path):
    holder = subprocess.Popen([sys.executable, "-c", HOLDER, str(tmp_path)], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "holding"
        with pytest.raises(StudyLockedError, match="in use by another running study"):
            vaenas.create_study(space="nb201", strategy="rs", storage=tmp_path)
        cli = subprocess.run(
            [sys.executable, "-m", "vaenas", "search", "--strategy", "rs", "--budget", "3", "--out", str(tmp_path)],
            capture_output=True, text=True,
        )
        assert cli.returncode == 2 and "in use by another running study" in cli.stderr
    finally:
        holder.communicate("\n", timeout=60)
    vaenas.create_study(space="nb201", strategy="rs", storage=tmp_path).close()  # released when it ended


def test_pool_workers_evaluate_a_module_level_callable():
    study = vaenas.create_study(space=CELL, strategy="rs", seed=4)
    study.optimize(conv_count, n_trials=6, workers=2)
    assert len(study.trials) == 6 and all(t.status is TrialStatus.COMPLETE for t in study.trials)


def test_layer_space_with_its_own_stages_runs_every_strategy_kind():
    space = LayerSpace([{"depth": [1, 2], "width": [8, 16], "kernel": [3]}, {"depth": [1], "width": [32, 64], "kernel": [3, 5]}])
    assert space.size == 16 and space.parse("d2w16k3+d1w64k5") in set(space.enumerate())
    with pytest.raises(vaenas.errors.ArchitectureFormatError, match="width 32 is not one of \\[8, 16\\]"):
        space.parse("d1w32k3+d1w32k3")
    study = vaenas.create_study(space=space, strategy="optuna-tpe", seed=0)
    study.optimize(lambda arch: sum(s.depth * s.width for s in arch), n_trials=10)
    assert len({t.arch for t in study.trials}) == 10


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda: CellSpace(n_nodes=1, ops=["a"]), "2 to 12 nodes"),
        (lambda: CellSpace(ops=["a", "a"]), "distinct"),
        (lambda: CellSpace(ops=["input"]), "not allowed"),
        (lambda: LayerSpace([{"depth": [1], "width": [8]}]), "exactly depth, width, kernel"),
        (lambda: LayerSpace([{"depth": [0], "width": [8], "kernel": [3]}]), "whole numbers from 1 to 32"),
        (lambda: vaenas.create_study(space=CELL, strategy="rs", direction="up"), "maximize or minimize"),
    ],
)
def test_bad_declarations_get_one_clear_line(make, message):
    with pytest.raises(InvalidArgumentError, match=message):
        make()
