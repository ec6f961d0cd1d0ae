"""What a careless or hostile user can do to a study: each case ends in one VaenasError
(one line and exit status 2 from the CLI) or in success, never in a traceback, a folder
that no longer opens, a lost trial or code run from a data file."""

import os
import pickle
import signal
import sqlite3
import subprocess
import sys
import time

import pytest
from typer.testing import CliRunner

import vaenas
from library_objective import conv_count
from vaenas.cli import app
from vaenas.errors import ArchitectureFormatError, CheckpointError, DataError, InvalidArgumentError
from vaenas.objectives import Evaluation
from vaenas.objectives.image_data import CIFAR10_FILES, load_cifar10
from vaenas.spaces import CellSpace
from vaenas.study import TrialStatus

runner = CliRunner()
OPS = ["skip", "conv1x1", "conv3x3", "pool"]


def cells():
    return CellSpace(n_nodes=3, ops=OPS)


def one_line_exit_2(*args):
    result = runner.invoke(app, [str(a) for a in args])
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    assert len(result.output.strip().splitlines()) == 1, result.output
    return result.output


# --- 1. tell checks the architecture before anything is written ----------------------

@pytest.mark.parametrize("bad", [("skip", "NOSUCH", "pool"), ("skip", "pool"), None, 5, ["skip"] * 3, "|skip~0|+|x~0|"])
def test_tell_refuses_what_is_not_an_architecture_and_the_folder_still_opens(tmp_path, bad):
    study = vaenas.create_study(space=cells(), strategy="rs", storage=tmp_path)
    study.tell(("skip", "conv3x3", "pool"), 0.5)
    with pytest.raises(ArchitectureFormatError):
        study.tell(bad, 0.5)
    study.close()
    reopened = vaenas.create_study(space=cells(), strategy="rs", storage=tmp_path)
    assert [t.arch for t in reopened.trials] == [("skip", "conv3x3", "pool")]
    reopened.close()


def test_tell_reads_an_architecture_string_as_the_space_writes_it(tmp_path):
    with vaenas.create_study(space=cells(), strategy="rs") as study:
        study.tell("|skip~0|+|skip~0|pool~1|", 1.0)
        assert study.best_arch == ("skip", "skip", "pool")


def test_a_bad_row_already_in_a_journal_is_skipped_with_a_warning_that_names_it(tmp_path):
    with vaenas.create_study(space=cells(), strategy="rs", storage=tmp_path) as study:
        study.optimize(conv_count, n_trials=3)
    with sqlite3.connect(tmp_path / "study.db") as db:
        db.execute("UPDATE trials SET arch = '|skip~0|+|x~0|pool~1|' WHERE number = 1")
    with pytest.warns(UserWarning, match="trial 1 is skipped.*DELETE FROM trials WHERE number = 1"):
        study = vaenas.create_study(space=cells(), strategy="rs", storage=tmp_path)
    assert len(study.trials) == 3 and study.best_value is not None
    study.optimize(conv_count, n_trials=2)
    study.close()


# --- 2. CIFAR-10 batches are read without running anything ---------------------------

class _Payload:
    def __reduce__(self):
        return (os.system, (f"touch {_Payload.marker}",))


def test_a_crafted_cifar_batch_runs_no_code_and_the_message_names_the_file(tmp_path):
    _Payload.marker = tmp_path / "ran"
    for name in CIFAR10_FILES:
        (tmp_path / name).write_bytes(pickle.dumps({b"data": _Payload(), b"labels": [0]}, protocol=2))
    with pytest.raises(DataError, match="data_batch_1.*os.system|data_batch_1.*posix.system"):
        load_cifar10(tmp_path)
    assert not _Payload.marker.exists()


def test_an_official_style_batch_still_loads(tmp_path):
    import numpy as np

    for name in CIFAR10_FILES:
        batch = {b"batch_label": b"x", b"labels": [1, 2], b"data": np.zeros((2, 3072), np.uint8), b"filenames": [b"a", b"b"]}
        (tmp_path / name).write_bytes(pickle.dumps(batch, protocol=2))
    data = load_cifar10(tmp_path)
    assert data.shape == (3, 32, 32) and data.test_x is not None and len(data.test_x) == 2


# --- 3. compare's workers end with it ---------------------------------------------------

def _alive(pid):
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    with open(f"/proc/{pid}/stat") as f:
        return f.read().split()[2] != "Z"


def _children(pid):
    found = subprocess.run(["pgrep", "-P", str(pid)], capture_output=True, text=True).stdout.split()
    return [int(p) for p in found]


@pytest.mark.heavy
@pytest.mark.parametrize("sig", ["SIGKILL", "SIGTERM"])
def test_compare_killed_leaves_no_worker_and_the_same_command_resumes(tmp_path, sig):
    cmd = [sys.executable, "-m", "vaenas", "compare", "--strategies", "rs,re", "--seeds", "2", "--budget", "15000",
           "--workers", "2", "--out", str(tmp_path)]
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 120
    while not list(tmp_path.glob("runs/*/seed*/study.db")):
        assert proc.poll() is None and time.monotonic() < deadline, proc.stderr.read()
        time.sleep(0.1)
    workers = [p for p in _children(proc.pid) if _alive(p)]
    assert workers
    os.kill(proc.pid, getattr(signal, sig))
    status = proc.wait(timeout=30)
    if sig == "SIGTERM":
        said = proc.stderr.read()
        assert status == 143 and "interrupted" in said and "Traceback" not in said, said
    time.sleep(5)
    assert not [p for p in workers if _alive(p)], "a worker outlived its compare"
    budget = cmd.index("--budget") + 1
    rerun = subprocess.run([*cmd[:budget], "400", *cmd[budget + 1:]], capture_output=True, text=True, timeout=300)
    assert rerun.returncode == 0, rerun.stderr
    for seed in (0, 1):
        with sqlite3.connect(tmp_path / "runs" / "rs" / f"seed{seed}" / "study.db") as db:
            assert db.execute("SELECT COUNT(*) FROM trials WHERE status = 'complete'").fetchone()[0] >= 400


# --- 4, 5. damaged journals are refused with one line, and left as they are -------------

def _search(out, *extra):
    return runner.invoke(app, ["search", "--strategy", "rs", "--budget", "8", "--out", str(out), *extra])


DAMAGE = {
    "study table dropped": "DROP TABLE study",
    "trials table dropped": "DROP TABLE trials",
    "study rows emptied": "DELETE FROM study",
    "value not a number": "UPDATE trials SET value = 'abc' WHERE number = 2",
    "metrics not JSON": "UPDATE trials SET metrics = '{oops' WHERE number = 2",
    "config not JSON": "UPDATE study SET value = 'not json' WHERE key = 'seed'",
    "column renamed": "ALTER TABLE trials RENAME COLUMN value TO worth",
}


@pytest.mark.parametrize("damage", list(DAMAGE))
def test_a_damaged_journal_is_refused_and_nothing_is_overwritten(tmp_path, damage):
    assert _search(tmp_path).exit_code == 0
    with sqlite3.connect(tmp_path / "study.db") as db:
        db.execute(DAMAGE[damage])
    before = {p.name: p.read_bytes() for p in tmp_path.iterdir() if p.suffix == ".json"}
    db_before = (tmp_path / "study.db").read_bytes()
    one_line_exit_2("search", "--strategy", "re", "--dataset", "cifar100", "--budget", "10", "--out", tmp_path)
    assert "study.db" in one_line_exit_2("search", "--strategy", "rs", "--budget", "10", "--out", tmp_path)
    assert {p.name: p.read_bytes() for p in tmp_path.iterdir() if p.suffix == ".json"} == before
    assert (tmp_path / "study.db").read_bytes() == db_before


def test_a_journal_with_garbage_after_its_first_page_is_one_line(tmp_path):
    assert runner.invoke(app, ["search", "--strategy", "rs", "--budget", "300", "--out", str(tmp_path)]).exit_code == 0
    with sqlite3.connect(tmp_path / "study.db") as db:
        db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    data = bytearray((tmp_path / "study.db").read_bytes())
    assert len(data) > 8192
    data[4096:] = os.urandom(len(data) - 4096)
    (tmp_path / "study.db").write_bytes(bytes(data))
    assert "study.db" in one_line_exit_2("search", "--strategy", "rs", "--budget", "300", "--out", tmp_path)


# --- 6. bad results fail the trial, the study goes on ------------------------------------

@pytest.mark.parametrize("result", [Evaluation(value="abc"), Evaluation(value=1.0, metrics={"o": object()}), "abc",
                                    [1.0], float("nan")])
def test_a_bad_objective_result_is_a_failed_trial_and_the_study_goes_on(tmp_path, result):
    with vaenas.create_study(space=cells(), strategy="rs", storage=tmp_path) as study:
        study.optimize(lambda arch: result if arch[0] == "pool" else 1.0, n_trials=20)
        statuses = {t.status for t in study.trials}
        assert TrialStatus.RUNNING not in statuses and len(study.trials) == 20
        assert TrialStatus.FAILED in statuses and study.best_value == 1.0
    vaenas.create_study(space=cells(), strategy="rs", storage=tmp_path).close()  # the folder opens again


def test_tell_with_a_value_that_is_not_a_number_records_a_failed_trial():
    with vaenas.create_study(space=cells(), strategy="rs") as study:
        arch = study.ask()
        study.tell(arch, "abc")
        assert study.trials[0].status is TrialStatus.FAILED and "not a number" in study.trials[0].metrics["error"]
        with pytest.raises(InvalidArgumentError, match="already told"):
            study.tell(arch, 1.0)


# --- tracebacks where one line is promised -----------------------------------------------

@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["search", "--seed", "-1"], "seed must be a whole number of at least 0"),
        (["search", "--strategy", "re", "-S", "sample_size=0"], "sample_size=0 must be at least 1"),
        (["search", "--strategy", "re", "-S", "sample_size=-1"], "sample_size=-1 must be at least 1"),
        (["search", "--strategy", "bo", "-S", "acquisition=nosuch"], "must be one of: ei, ucb"),
        (["search", "--strategy", "bo", "-X", "stay_local=maybe"], "is not true or false"),
        (["compare", "--workers", "-1"], "workers must be a whole number of at least 1"),
        (["compare", "--workers", "0"], "workers must be a whole number of at least 1"),
        (["compare", "--strategies", "rs,rs"], "strategy rs is named twice"),
        (["map", "--space", "macro", "--objective", "classifier", "--dataset", "digits"], "is not a lookup table"),
    ],
)
def test_bad_values_are_refused_before_any_work(tmp_path, args, message, monkeypatch):
    monkeypatch.setenv("VAENAS_CACHE", str(tmp_path / "empty-cache"))  # a VAE would be pretrained: it must not be
    out = ["--out", str(tmp_path / "o.png" if args[0] == "map" else tmp_path / "o")]
    assert message in one_line_exit_2(*args, *out)
    assert not (tmp_path / "empty-cache").exists()


def test_output_paths_under_a_file_are_refused_before_the_work(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    assert "is a file" in one_line_exit_2("train", "--arch", "1-16-3+1-16-3+1-16-3", "--dataset", "synthetic",
                                          "--out", blocker / "sub")
    assert "is a file" in one_line_exit_2("map", "--out", blocker / "m.png")
    study = tmp_path / "study"
    assert _search(study).exit_code == 0
    assert "is a file" in one_line_exit_2("pareto", study, "--out", blocker / "p.png")


def test_damaged_vae_checkpoints_are_one_line(tmp_path):
    import torch

    from vaenas.vae import ArchVAE, VAEConfig

    path = tmp_path / "vae.pt"
    ArchVAE(cells(), VAEConfig()).save(path)  # untrained: the format is what matters
    good = torch.load(path, weights_only=True)
    cases = {
        "space": {k: v for k, v in good.items() if k != "space"},
        "unknown": {**good, "config": {**good["config"], "nosuch": 1}},
        "mismatch": {**good, "state_dict": {k: v[..., :1] for k, v in good["state_dict"].items()}},
    }
    for case in cases.values():
        torch.save(case, path)
        with pytest.raises(CheckpointError) as caught:
            ArchVAE.load(path, cells())
        assert "\n" not in str(caught.value) and len(str(caught.value)) < 500


@pytest.mark.parametrize(
    "call",
    [
        lambda s: s.optimize(conv_count, n_trials=2.5),
        lambda s: s.optimize(conv_count, n_trials="3"),
        lambda s: s.optimize(42, n_trials=1),
        lambda s: s.optimize(lambda a: 1.0, n_trials=2, workers=2),
        lambda s: s.optimize(conv_count, n_trials=2, workers=-1),
    ],
)
def test_library_arguments_of_the_wrong_kind_are_one_clear_error(call):
    with vaenas.create_study(space=cells(), strategy="rs") as study:
        with pytest.raises(InvalidArgumentError):
            call(study)
        assert study.trials == []


def test_library_constructors_refuse_bad_arguments():
    for bad in ({"n_nodes": 2.5, "ops": OPS}, {"n_nodes": "4", "ops": OPS}, {"n_nodes": 3, "ops": None},
                {"n_nodes": 3, "ops": "abc"}):
        with pytest.raises(InvalidArgumentError):
            CellSpace(**bad)
    for bad in ({"storage": 5}, {"seed": -1}):
        with pytest.raises(InvalidArgumentError):
            vaenas.create_study(space=cells(), strategy="rs", **bad)
    study = vaenas.create_study(space=cells(), strategy="rs")
    study.close()
    with pytest.raises(InvalidArgumentError, match="closed"):
        study.ask()


def test_the_default_data_set_written_out_is_the_same_study(tmp_path):
    assert _search(tmp_path).exit_code == 0
    assert _search(tmp_path, "--dataset", "cifar10").exit_code == 0
    smaller = runner.invoke(app, ["search", "--strategy", "rs", "--budget", "3", "--out", str(tmp_path)])
    assert smaller.exit_code == 0 and "already had 8 trials" in " ".join(smaller.output.split())  # rich wraps


def test_search_resumes_a_compare_run_folder(tmp_path):
    assert runner.invoke(app, ["compare", "--strategies", "rs", "--seeds", "1", "--budget", "5", "--workers", "1",
                               "--out", str(tmp_path)]).exit_code == 0
    folder = tmp_path / "runs" / "rs" / "seed0"
    resumed = runner.invoke(app, ["search", "--strategy", "rs", "--budget", "7", "--out", str(folder)])
    assert resumed.exit_code == 0, resumed.output
    with vaenas.study.SQLiteStorage(folder / "study.db") as journal:
        assert len(journal.trials()) == 7


def test_ctrl_c_while_the_command_line_starts_is_one_line(monkeypatch, capsys):
    from vaenas import console

    class Interrupted:
        def __getattr__(self, name):
            raise KeyboardInterrupt

    monkeypatch.setitem(sys.modules, "vaenas.cli", Interrupted())
    handler = signal.getsignal(signal.SIGTERM)
    with pytest.raises(SystemExit) as stopped:
        console.main()
    signal.signal(signal.SIGTERM, handler)
    assert stopped.value.code == 130
    assert capsys.readouterr().err.strip() == "interrupted while starting; nothing was run"


def test_a_journal_cut_while_its_tables_are_created_opens_as_a_new_one(tmp_path, monkeypatch):
    """A kill between two CREATE TABLEs of a new journal (a compare stopped as a worker
    starts a study) must not leave a journal that every rerun refuses as damaged."""
    from vaenas.errors import JournalError
    from vaenas.study.storages import sqlite as journal

    path = tmp_path / "study.db"
    cut = f"{journal.STUDY_TABLE}; SELECT * FROM no_such_table; {journal.TRIALS_TABLE}; {journal.INTERMEDIATE_TABLE};"
    monkeypatch.setattr(journal, "SCHEMA", cut)
    with pytest.raises(JournalError):
        journal.SQLiteStorage(path)
    monkeypatch.undo()
    reopened = journal.SQLiteStorage(path)
    assert reopened.trials() == []
    reopened.close()


def _png_header_only(width: int, height: int) -> bytes:
    """A PNG that says it is width x height (its pixels would never fit in memory)."""
    import struct
    import zlib

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(b"\0" * 64)) + chunk(b"IEND", b""))


def test_a_decompression_bomb_in_an_image_folder_is_one_line_naming_it(tmp_path):
    from PIL import Image

    from vaenas.objectives.image_folder import load_image_folder

    for name in ("a", "b"):
        (tmp_path / name).mkdir()
        Image.new("L", (8, 8)).save(tmp_path / name / "fine.png")
    (tmp_path / "b" / "bomb.png").write_bytes(_png_header_only(30000, 30000))
    with pytest.raises(DataError, match=r"bomb.png would decode to more than .* pixels") as caught:
        load_image_folder(tmp_path)
    assert "\n" not in str(caught.value)


def test_a_precision_typed_in_capitals_is_the_same_study():
    from vaenas.study.identity import identity_differences, study_identity

    def identity(precision: str) -> dict:
        return study_identity(cells(), "rs", 0, "maximize", {}, None, {}, {
            "objective": "cell-classifier", "dataset": "digits", "objective_options": {"precision": precision}})

    assert identity("BF16")["objective_options"] == {"precision": "bf16"}
    assert identity_differences(identity("BF16"), identity("bf16")) == []
    assert identity_differences({**identity("bf16"), "objective_options": {"precision": "BF16"}}, identity("bf16")) == []


def test_a_build_of_a_network_too_large_to_score_is_one_line(tmp_path, monkeypatch):
    from torch import nn

    monkeypatch.setenv("VAENAS_CACHE", str(tmp_path / "cache"))

    def huge(arch):
        return nn.Sequential(nn.Flatten(), nn.Linear(1000, 300_000))  # 3 * 10^8 parameters

    with pytest.raises(InvalidArgumentError, match="300,300,000 parameters") as caught:
        with vaenas.create_study(space=cells(), strategy="optuna-tpe", build=huge, input_shape=(1, 10, 100),
                                 strategy_options={"warm_start": "params"}) as study:
            study.optimize(lambda arch: 1.0, n_trials=2)
    assert "\n" not in str(caught.value)
