"""What a careless or hostile user can do with trial reports, pruners, the queue, the
kept learned state and read-only loads (issue 42): each case ends in success or one
VaenasError (the CLI: one line, exit status 2), never a hang, a traceback, a folder that
no longer opens, or a trial lost or counted twice."""

import shutil
import sqlite3
import warnings

import pytest
import torch
from typer.testing import CliRunner

import vaenas
from library_objective import conv_count
from pruning_objective import learning_curve
from vaenas.cli import app
from vaenas.errors import CheckpointError, InvalidArgumentError, JournalError, VaenasError
from vaenas.objectives import make_objective
from vaenas.spaces import CellSpace
from vaenas.study import StudyConfig, TrialStatus

runner = CliRunner()
OPS = ["skip", "conv1x1", "conv3x3", "pool"]


def cells():
    return CellSpace(n_nodes=3, ops=OPS)


def asha_study(storage=None, **options):
    return vaenas.create_study(space=cells(), strategy="rs", pruner="asha", storage=storage, **options)


def one_line_exit_2(*args):
    result = runner.invoke(app, [str(a) for a in args])
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output and len(result.output.strip().splitlines()) == 1, result.output
    return result.output


# --- pruner options --------------------------------------------------------------


@pytest.mark.parametrize("pruner, options", [
    ("asha", {"min_early_stopping_rate": 10**10}),
    ("asha", {"reduction_factor": 10**6}),
    ("hyperband", {"max_resource": 10**400}),
    ("median", {"n_warmup_steps": 10**12}),
])
def test_a_pruner_option_beyond_its_bound_is_refused_not_hung(pruner, options):
    with pytest.raises(InvalidArgumentError, match="at most"):
        vaenas.create_study(space=cells(), strategy="rs", pruner=pruner, pruner_options=options)


def test_the_largest_pruner_options_allowed_decide_at_once():
    study = asha_study(pruner_options={"min_early_stopping_rate": 60, "reduction_factor": 1000})
    trial = study.ask_trial()
    trial.report(0.5, 10**12)
    assert trial.should_prune() is False


def test_a_huge_pruner_option_on_the_command_line_is_one_line(tmp_path):
    out = one_line_exit_2("search", "--strategy", "rs", "--budget", "2", "--out", tmp_path / "o",
                          "--pruner", "asha", "-P", "min_early_stopping_rate=10000000000")
    assert "at most" in out


# --- reports ---------------------------------------------------------------------


def test_oversized_steps_and_values_are_one_line_and_nothing_is_kept(tmp_path):
    with asha_study(tmp_path / "s") as study:
        trial = study.ask_trial()
        for value, step in ((0.5, 2**63), (10**400, 8), (0.5, -1)):
            with pytest.raises(InvalidArgumentError):
                trial.report(value, step)
        assert trial.intermediate_values == {}
        trial.report(0.25, 3)
        study.tell(trial, vaenas.TrialPruned())
        record = study.trials[0]
        assert record.status is TrialStatus.PRUNED and record.metrics["pruned_at"] == 3
        assert study.storage.intermediate_values() == {0: {3: 0.25}}


def test_a_report_after_the_trial_ended_is_refused(tmp_path):
    with asha_study(tmp_path / "s") as study:
        trial = study.ask_trial()
        trial.report(0.5, 1)
        study.tell(trial, 0.6)
        with pytest.raises(InvalidArgumentError, match="not running"):
            trial.report(0.9, 1)
        assert study.storage.intermediate_values() == {0: {1: 0.5}}
        assert trial.intermediate_values == {1: 0.5}


def test_a_trial_handle_of_another_study_is_refused():
    first, second = asha_study(), asha_study()
    trial = first.ask_trial()
    trial.report(0.5, 1)
    with pytest.raises(InvalidArgumentError, match="another study"):
        second.tell(trial, vaenas.TrialPruned())
    assert second.trials == []
    first.tell(trial, vaenas.TrialPruned())
    assert first.trials[0].status is TrialStatus.PRUNED


# --- tell and the queue ----------------------------------------------------------


def test_a_refused_tell_writes_and_forgets_nothing(tmp_path):
    with asha_study(tmp_path / "s") as study:
        arch = ("conv3x3", "skip", "pool")
        with pytest.raises(InvalidArgumentError, match="pruned"):
            study.tell(arch, vaenas.TrialPruned())  # never asked
        assert study.trials == []
        study.tell(arch, 0.4)
        trial = study.ask_trial()
        with pytest.raises(InvalidArgumentError, match="pruned"):
            study.tell(trial, vaenas.TrialPruned())  # asked, never reported
        study.tell(trial, 0.3)
        assert [t.status for t in study.trials] == [TrialStatus.COMPLETE] * 2
    with asha_study(tmp_path / "s") as resumed:
        assert resumed._unfinished == [] and len(resumed.trials) == 2


def test_an_enqueued_architecture_told_by_hand_leaves_the_queue():
    study = vaenas.create_study(space=cells(), strategy="rs")
    arch = ("conv3x3", "conv3x3", "conv3x3")
    study.enqueue_trial(arch)
    study.tell(arch, 0.9)
    study.optimize(conv_count, n_trials=3)
    assert len(study.trials) == 4
    assert [t.arch for t in study.trials].count(arch) == 1


def test_enqueued_trials_are_journaled_and_a_resumed_study_runs_them(tmp_path):
    enqueued = [cells().format(a) for a in list(cells().enumerate())[:5]]
    study = vaenas.create_study(space=cells(), strategy="rs", storage=tmp_path / "s", seed=3)
    for text in enqueued:
        study.enqueue_trial(text)
    study.optimize(conv_count, n_trials=2)
    # what a kill leaves: the journal, without the process that held the queue in memory
    study.storage.close()
    study.folder.close()
    with vaenas.create_study(space=cells(), strategy="rs", storage=tmp_path / "s", seed=3) as resumed:
        resumed.optimize(conv_count, n_trials=3)
        assert [t.arch for t in resumed.storage.trials()] == enqueued
        assert resumed.storage.queued() == []


# --- read-only loads -------------------------------------------------------------


def test_an_empty_journal_is_one_line_and_a_read_never_writes_it(tmp_path):
    folder = tmp_path / "e1"
    folder.mkdir()
    (folder / "study.db").write_bytes(b"")
    with pytest.raises(JournalError, match="holds no study yet"):
        vaenas.load_study(folder)
    assert (folder / "study.db").read_bytes() == b""
    out = one_line_exit_2("train", "--arch", folder, "--top", "2", "--out", tmp_path / "t")
    assert "rerun" in out
    assert (folder / "study.db").read_bytes() == b""


def test_a_half_created_journal_is_one_line_for_a_reader_and_opens_for_its_creator(tmp_path):
    folder = tmp_path / "h"
    folder.mkdir()
    from vaenas.study.storages.sqlite import SCHEMA

    sqlite3.connect(folder / "study.db").executescript(SCHEMA)
    with pytest.raises(JournalError, match="holds no study yet"):
        vaenas.load_study(folder)
    with vaenas.create_study(space=cells(), strategy="rs", storage=folder) as study:
        study.optimize(conv_count, n_trials=2)
    assert len(vaenas.load_study(folder).trials) == 2


def test_retraining_the_top_of_a_study_of_another_space_is_one_line(tmp_path):
    with vaenas.create_study(space="macro", strategy="rs", storage=tmp_path / "m") as study:
        study.optimize(lambda arch: float(len(arch)), n_trials=2)
    with pytest.raises(InvalidArgumentError, match="space 'macro'"):
        from vaenas.reports.final_training import top_archs

        top_archs(tmp_path / "m", 2, make_objective("cell-classifier", "digits", epochs=1))


# --- saved files -----------------------------------------------------------------


@pytest.mark.parametrize("edit", [{"settings": {}}, {"state_dict": {}}, {"in_shape": [1]}])
def test_a_saved_model_that_does_not_rebuild_is_one_line(tmp_path, edit):
    from vaenas.objectives.trained_model import MODEL_FORMAT_VERSION

    payload = {"format_version": MODEL_FORMAT_VERSION, "kind": "classifier", "stages": [[1, 4, 3]],
               "in_shape": [1, 8, 8], "settings": {"n_classes": 10, "mean": [0.5], "std": [0.2]},
               "state_dict": {"w": torch.zeros(1)}, **edit}
    torch.save(payload, tmp_path / "model.pt")
    with pytest.raises(CheckpointError, match="model.pt"):
        vaenas.load_model(tmp_path / "model.pt")


@pytest.fixture(scope="module")
def nb201_table():
    return make_objective("nb201", "cifar10")


def _learned_folder(folder, objective, strategy, options):
    with vaenas.create_study(space="nb201", strategy=strategy, storage=folder, strategy_options=options) as study:
        study.optimize(objective, n_trials=12)
    return folder


def _resumes_with_a_warning(source, tmp_path, objective, strategy, edit, options, reopen=False):
    folder = tmp_path / "edited"
    shutil.rmtree(folder, ignore_errors=True)
    shutil.copytree(source, folder)
    state = torch.load(folder / "learned_state.pt", weights_only=True)
    edit(state)
    torch.save(state, folder / "learned_state.pt")
    with pytest.warns(UserWarning, match="cannot be restored"):
        study = vaenas.create_study(space="nb201", strategy=strategy, storage=folder, strategy_options=options)
    with study:
        study.optimize(objective, n_trials=1)
        assert study.n_finished == 13
    if not reopen:
        return
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # rewritten after the replay: the next open is clean
        vaenas.create_study(space="nb201", strategy=strategy, storage=folder, strategy_options=options).close()


def test_a_damaged_learned_state_of_bo_is_a_warning_and_the_replay_goes_on(tmp_path, nb201_table):
    options = {"pool_size": 300}  # a small pool: the case is the learned state, not the search
    source = _learned_folder(tmp_path / "bo", nb201_table, "bo", options)
    for i, edit in enumerate((lambda s: s.update(gp={}), lambda s: s.update(rng="x"), lambda s: s.update(told="x"),
                              lambda s: s["gp"].update(state={"x": 1}))):
        _resumes_with_a_warning(source, tmp_path, nb201_table, "bo", edit, options, reopen=i == 0)


def test_a_damaged_learned_state_of_bo_retrain_is_a_warning(tmp_path, nb201_table):
    options = {"retrain_every": 12, "retrain_steps": 2, "pool_size": 300}
    source = _learned_folder(tmp_path / "bo-retrain", nb201_table, "bo-retrain", options)
    for edit in (lambda s: s["config"].update(latent_dim="x"), lambda s: s.update(format_version=99),
                 lambda s: s.update(observations="many")):
        _resumes_with_a_warning(source, tmp_path, nb201_table, "bo-retrain", edit, options)


# --- arguments -------------------------------------------------------------------


@pytest.mark.parametrize("arguments", [
    {"pruner": ["asha"]}, {"pruner": "asha", "pruner_options": "x"}, {"strategy_options": "x"}, {"strategy": 5},
    {"space": 5}, {"objectives": "x"}, {"max_retries": "x"}, {"max_retries": -1}, {"direction": ["maximize"]},
    {"vae": "x"}, {"evaluation": 3}, {"on_pretrain_epoch": 3},
])
def test_create_study_arguments_of_the_wrong_kind_are_one_line(arguments):
    with pytest.raises(InvalidArgumentError) as caught:
        vaenas.create_study(**{"space": cells(), "strategy": "rs", **arguments})
    assert "\n" not in str(caught.value)


def _hello(study, trial):
    return None


@pytest.mark.parametrize("arguments", [
    {"callbacks": [1]}, {"callbacks": 1}, {"callbacks": _hello}, {"progress": 1}, {"workers": "2"},
    {"timeout": 10**400}, {"timeout": float("nan")}, {"timeout": float("inf")}, {"executor": 5},
    {"executor": "foo"}, {"address": 5},
])
def test_optimize_arguments_of_the_wrong_kind_are_one_line_before_any_trial(arguments):
    with vaenas.create_study(space=cells(), strategy="rs") as study:
        with pytest.raises(VaenasError) as caught:
            study.optimize(conv_count, n_trials=2, **arguments)
        assert "\n" not in str(caught.value) and "worker processes" not in str(caught.value)
        assert study.trials == []


def test_warm_start_without_proxies_is_refused_before_any_vae_is_pretrained():
    """Off nb201 a warm start needs networks to compute proxies from: a Python study of
    macro without build=, and nbgraph, are refused first; a classifier search of macro
    builds its networks, so it is accepted."""
    def pretraining(*args):
        raise AssertionError("a VAE was pretrained before the option was checked")

    with pytest.raises(InvalidArgumentError, match="warm_start"):
        vaenas.create_study(space="macro", strategy="bo", strategy_options={"warm_start": "synflow"},
                            on_pretrain_epoch=pretraining)
    with pytest.raises(InvalidArgumentError, match="warm_start"):
        StudyConfig(space="nbgraph", objective="nbgraph", strategy="bo",
                    strategy_options={"warm_start": "synflow"}).check_names()
    StudyConfig(space="macro", objective="classifier", dataset="digits", strategy="bo",
                strategy_options={"warm_start": "synflow"}).check_names()


def test_a_pruner_on_a_table_is_ignored_with_a_warning_and_kept_out_of_the_identity(tmp_path):
    config = StudyConfig(strategy="rs", pruner="asha")
    with pytest.warns(UserWarning, match="ignored"):
        config.check_names()
    assert "pruner" not in config.identity()
    result = runner.invoke(app, ["search", "--strategy", "rs", "--budget", "3", "--pruner", "asha",
                                 "--out", str(tmp_path / "o")])
    assert result.exit_code == 0, result.output
    assert result.output.count("warning: --pruner asha is ignored") == 1
    assert "pruner" not in vaenas.load_study(tmp_path / "o").config


# --- callbacks -------------------------------------------------------------------


def test_a_callback_that_closes_the_study_says_so(tmp_path):
    study = vaenas.create_study(space=cells(), strategy="rs", storage=tmp_path / "s")
    with pytest.raises(InvalidArgumentError, match="a callback closed the study"):
        study.optimize(conv_count, n_trials=5, callbacks=[lambda s, t: s.close()])
    with vaenas.create_study(space=cells(), strategy="rs", storage=tmp_path / "s") as again:
        assert again.n_finished == 1


def test_stop_from_a_callback_ends_optimize_with_the_study_open():
    study = vaenas.create_study(space=cells(), strategy="rs")
    study.optimize(conv_count, n_trials=10, callbacks=[lambda s, t: t.number == 2 and s.stop()])
    assert study.n_finished == 3
    study.optimize(learning_curve, n_trials=2)
    assert study.n_finished == 5


# --- found by the long fuzzing campaign ------------------------------------------


def test_a_journal_whose_configuration_key_is_not_text_is_one_line(tmp_path):
    with vaenas.create_study(space=cells(), strategy="rs", storage=tmp_path / "s") as study:
        study.optimize(conv_count, n_trials=2)
    with sqlite3.connect(tmp_path / "s" / "study.db") as db:
        db.execute("UPDATE study SET key = CAST(key AS BLOB) WHERE key = 'seed'")
    with pytest.raises(JournalError, match="key is not text"):
        vaenas.create_study(space=cells(), strategy="rs", storage=tmp_path / "s")


def test_a_progress_function_of_the_wrong_signature_is_refused_before_any_trial():
    with vaenas.create_study(space=cells(), strategy="rs") as study:
        with pytest.raises(InvalidArgumentError, match="fn\\(finished, target, best\\)"):
            study.optimize(conv_count, n_trials=2, progress=conv_count)
        with pytest.raises(InvalidArgumentError, match="fn\\(study, trial\\)"):
            study.optimize(conv_count, n_trials=2, callbacks=[conv_count])
        assert study.trials == []


def test_a_value_beyond_any_float_is_a_failed_trial_and_a_nul_in_a_path_is_one_line(tmp_path):
    with vaenas.create_study(space=cells(), strategy="rs", storage=tmp_path / "s") as study:
        study.tell(("conv3x3", "skip", "pool"), 10**400)
        (record,) = study.trials
        assert record.status is TrialStatus.FAILED and "float" in record.metrics["error"]
    with pytest.raises(InvalidArgumentError, match="NUL"):
        vaenas.create_study(space=cells(), strategy="rs", storage=str(tmp_path / "a\x00b"))
