import csv
import json
import sqlite3

import pytest
from typer.testing import CliRunner

from vaenas.cli import app
from vaenas.study import SQLiteStorage

runner = CliRunner()


def run(*args):
    return runner.invoke(app, list(args))


def test_strategy_options_reach_the_strategy_and_the_journal(tmp_path):
    out = tmp_path / "s"
    result = run("search", "--strategy", "re", "-S", "population_size=4", "--budget", "12", "--out", str(out))
    assert result.exit_code == 0, result.output
    with SQLiteStorage(out / "study.db") as journal:  # the defaults of the options not given written out
        assert journal.stored_config()["strategy_options"] == {"population_size": 4, "sample_size": 3}
    other = run("search", "--strategy", "re", "-S", "population_size=5", "--budget", "12", "--out", str(out))
    assert other.exit_code == 2 and "strategy_options" in other.output


def test_a_journal_that_stored_only_the_options_given_resumes(tmp_path):
    out = tmp_path / "s"
    assert run("search", "--strategy", "re", "-S", "population_size=4", "--budget", "6", "--out", str(out)).exit_code == 0
    with sqlite3.connect(out / "study.db") as db:  # as versions before the resolved identity wrote it
        db.execute("""UPDATE study SET value = '{"population_size": 4}' WHERE key = 'strategy_options'""")
    again = run("search", "--strategy", "re", "-S", "population_size=4", "--budget", "8", "--out", str(out))
    assert again.exit_code == 0, again.output
    other = run("search", "--strategy", "re", "-S", "sample_size=2", "-S", "population_size=4", "--budget", "9",
                "--out", str(out))
    assert other.exit_code == 2 and "strategy_options" in other.output


def test_research_settings_are_not_options_but_reach_the_strategy_with_x(tmp_path):
    refused = run("search", "--strategy", "grad", "-S", "step_sizes=5", "--budget", "3", "--out", str(tmp_path / "a"))
    assert refused.exit_code == 2 and "has no option 'step_sizes'" in refused.output
    wrong = run("search", "--strategy", "grad", "-X", "step_sizes=5", "--budget", "3", "--out", str(tmp_path / "a"))
    assert wrong.exit_code == 2 and "list of numbers" in wrong.output
    assert "warp" not in run("search", "--help").output


def test_search_prints_the_result_table_and_resumes(tmp_path):
    out = tmp_path / "s"
    first = run("search", "--strategy", "ls", "--budget", "20", "--out", str(out))
    assert first.exit_code == 0, first.output
    assert "regret" in first.output and "queries" in first.output
    saved = json.loads((out / "results.json").read_text())
    assert saved["n_trials"] == 20 and saved["strategy"] == "ls"
    assert run("search", "--strategy", "ls", "--budget", "20", "--out", str(out)).exit_code == 0
    assert json.loads((out / "results.json").read_text())["n_trials"] == 20


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["search", "--space", "nb999"], "unknown space 'nb999'; choose one of: macro, nb201, nbgraph"),
        (["search", "--dataset", "svhn"], "choose one of: cifar10, cifar100, imagenet16-120"),
        (["search", "--strategy", "xx"], "unknown strategy 'xx'; choose one of: bananas, bo, bo-retrain, grad, ls, mobo, nsga2, optuna-gp, optuna-tpe, re, rl, rs"),
        (["search", "--budget", "0"], "budget must be a whole number of at least 1"),
        (["compare", "--seeds", "0"], "seeds must be at least 1"),
        (["compare", "--strategies", "rs,zz"], "unknown strategy 'zz'"),
        (["compare", "--first-seed", "-1"], "first seed must be at least 0"),
        (["search", "--strategy", "re", "-S", "pop=3"], "strategy 're' has no option 'pop'; its options (defaults): population_size=10"),
        (["search", "--strategy", "re", "-S", "population_size"], "must read KEY=VALUE"),
        (["search", "--strategy", "re", "-S", "sample_size=0.5"], "sample_size=0.5 is not a int"),
        (["compare", "--strategies", "rs,re", "-S", "population_size=4"], "must name its strategy when several are compared"),
        (["compare", "--strategies", "rs,re", "-S", "ls:population_size=4"], "options given for ls, which is not among"),
    ],
)
def test_bad_input_is_one_line_and_exit_status_2(tmp_path, args, message):
    result = runner.invoke(app, [*args, "--out", str(tmp_path / "o")])
    assert result.exit_code == 2
    assert message in result.output
    assert "Traceback" not in result.output
    assert len(result.output.strip().splitlines()) == 1


def test_unwritable_out_is_one_line_and_exit_status_2(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    result = run("search", "--budget", "3", "--out", str(blocker / "sub"))
    assert result.exit_code == 2 and "cannot write to output folder" in result.output


def test_compare_from_a_first_seed_runs_those_seeds(tmp_path):
    out = tmp_path / "c"
    result = run("compare", "--strategies", "rs,optuna-tpe", "--budget", "12", "--seeds", "2",
                 "--first-seed", "100", "--workers", "2", "--out", str(out))
    assert result.exit_code == 0, result.output
    for strategy in ("rs", "optuna-tpe"):
        seeds = sorted(p.name for p in (out / "runs" / strategy).iterdir())
        assert seeds == ["seed100", "seed101"]
        assert json.loads((out / "runs" / strategy / "seed100" / "results.json").read_text())["seed"] == 100


def test_compare_gives_each_strategy_its_own_options(tmp_path):
    out = tmp_path / "c"
    result = run("compare", "--strategies", "rs,re", "-S", "re:population_size=4", "--budget", "8",
                 "--seeds", "1", "--workers", "1", "--out", str(out))
    assert result.exit_code == 0, result.output
    with SQLiteStorage(out / "runs" / "re" / "seed0" / "study.db") as journal:
        assert journal.stored_config()["strategy_options"] == {"population_size": 4, "sample_size": 3}
    with SQLiteStorage(out / "runs" / "rs" / "seed0" / "study.db") as journal:
        assert "strategy_options" not in journal.stored_config()


def test_compare_writes_summary_and_regret_plot(tmp_path):
    out = tmp_path / "c"
    result = run("compare", "--strategies", "rs,re", "--budget", "30", "--seeds", "3",
                 "--workers", "2", "--out", str(out))
    assert result.exit_code == 0, result.output
    with (out / "summary.csv").open() as f:
        rows = list(csv.DictReader(f))
    assert [(r["strategy"], r["queries"]) for r in rows] == [
        (s, q) for s in ("rs", "re") for q in ("10", "25", "30")
    ]
    for strategy in ("rs", "re"):
        best = [json.loads((out / "runs" / strategy / f"seed{k}" / "results.json").read_text())["best_value"]
                for k in range(3)]
        final = next(r for r in rows if r["strategy"] == strategy and r["queries"] == "30")
        assert float(final["mean_best"]) == pytest.approx(sum(best) / 3, abs=1e-3)
    assert (out / "regret.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    with (out / "queries_to_regret.csv").open() as f:
        reached = {r["strategy"]: r for r in csv.DictReader(f)}
    assert set(reached) == {"rs", "re"}
    assert set(reached["re"]) == {"strategy", "regret<=0.5", "regret<=0.2", "regret<=0.1", "regret<=0", "ask_seconds"}


def test_default_search_is_latent_bo(tmp_path, vae_cache):
    out = tmp_path / "bo"
    result = run("search", "--budget", "12", "--vae-cache", str(vae_cache), "--out", str(out))
    assert result.exit_code == 0, result.output
    saved = json.loads((out / "results.json").read_text())
    assert saved["strategy"] == "bo" and saved["n_trials"] == 12


@pytest.mark.heavy
def test_pretrain_then_map(tmp_path):
    out = tmp_path / "vae"
    result = run("pretrain", "--space", "nb201", "--epochs", "1", "--latent-dim", "8", "--out", str(out))
    assert result.exit_code == 0, result.output
    metrics = json.loads((out / "metrics.json").read_text())
    assert {"recon_acc", "op_acc", "adj_acc", "validity", "uniqueness", "novelty", "seconds"} <= set(metrics)
    assert metrics["n_train"] + metrics["n_held_out"] == 15_625 and metrics["n_held_out"] == 1563
    picture = tmp_path / "map.png"
    result = run("map", "--vae", str(out / "vae.pt"), "--interpolate", "6", "--out", str(picture))
    assert result.exit_code == 0, result.output
    assert picture.read_bytes()[:4] == b"\x89PNG"
    assert "decoded along the line from A to B" in result.output
    steps = [line for line in result.output.splitlines() if "|" in line and "~0|" in line]
    assert len(steps) >= 2  # rows of decoded nb201 cells
    result = run("map", "--vae", str(out / "vae.pt"), "--interpolate", "1", "--out", str(picture))
    assert result.exit_code == 2 and "--interpolate must be 0" in result.output


def test_map_with_a_corrupt_checkpoint_is_one_line_and_exit_status_2(tmp_path):
    bad = tmp_path / "vae.pt"
    bad.write_bytes(b"not a checkpoint")
    result = run("map", "--vae", str(bad), "--out", str(tmp_path / "m.png"))
    assert result.exit_code == 2 and "not a readable VAE checkpoint" in result.output


@pytest.mark.heavy
def test_end_to_end_bo_search_on_digits_exports_a_model_that_reloads(tmp_path, vae_cache):
    import torch

    import vaenas
    from vaenas.objectives.image_data import load_image_data

    out = tmp_path / "macro"
    result = run("search", "--space", "macro", "--objective", "classifier", "--data", "digits",
                 "--epochs", "1", "--budget", "5", "--strategy", "bo", "--vae-cache", str(vae_cache),
                 "--out", str(out))
    assert result.exit_code == 0, result.output
    best = json.loads((out / "best_arch.json").read_text())
    saved = json.loads((out / "results.json").read_text())
    assert best["arch"] == saved["best_arch"] and best["space"] == "macro"
    model = vaenas.load_model(out / "best_model.pt")
    data = load_image_data("digits")
    with torch.no_grad():
        predictions = model(torch.as_tensor(data.val_x)).argmax(1).numpy()
    accuracy = float((predictions == data.val_y).mean() * 100)
    assert accuracy == pytest.approx(best["value"], abs=1e-3)  # the exported weights are the scored ones

    trained = tmp_path / "trained"
    result = run("train", "--arch", str(out / "best_arch.json"), "--data", "digits", "--epochs", "2",
                 "--out", str(trained))
    assert result.exit_code == 0, result.output
    assert vaenas.load_model(trained / "model.pt")(torch.rand(2, 1, 8, 8)).shape == (2, 10)


def test_train_with_a_bad_arch_file_is_one_line_and_exit_status_2(tmp_path):
    bad = tmp_path / "best_arch.json"
    bad.write_text("{not json")
    result = run("train", "--arch", str(bad), "--data", "digits", "--out", str(tmp_path / "t"))
    assert result.exit_code == 2 and "is not a best_arch.json" in result.output
    result = run("train", "--arch", "d1w32k3", "--data", "digits", "--out", str(tmp_path / "t"))
    assert result.exit_code == 2 and "1 stages separated by '+'" in result.output


@pytest.mark.heavy
def test_ctrl_c_says_the_study_is_saved_exits_130_and_resume_goes_on(tmp_path):
    import signal
    import sqlite3
    import subprocess
    import sys
    import time

    out = tmp_path / "study"
    study = ["--space", "macro", "--objective", "classifier", "--data", "digits", "--epochs", "1", "--strategy", "rs", "--out", str(out)]
    # SIGINT back to its default in the child: a suite started in the background (nohup,
    # `&` in a script) passes SIGINT on as ignored, and Python then never sees Ctrl-C
    search = subprocess.Popen([sys.executable, "-m", "vaenas", "search", *study, "--budget", "500"],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                              preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline and not (out / "best_arch.json").exists():
        time.sleep(0.2)
    time.sleep(1.0)  # Ctrl-C in the middle of training a later trial
    search.send_signal(signal.SIGINT)
    _, stderr = search.communicate(timeout=120)
    assert search.returncode == 130
    lines = [line for line in stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and "saved" in lines[0] and "resume" in lines[0] and "Traceback" not in stderr
    with sqlite3.connect(out / "study.db") as db:
        done = db.execute("SELECT COUNT(*) FROM trials WHERE status != 'running'").fetchone()[0]
    assert 0 < done < 500
    result = run("search", *study, "--budget", str(done + 1))
    assert result.exit_code == 0, result.output
    assert json.loads((out / "results.json").read_text())["n_trials"] == done + 1
