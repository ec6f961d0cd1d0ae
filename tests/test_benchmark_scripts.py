"""The benchmark scripts run: a script that rots fails here, with tiny arguments."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.heavy  # subprocesses, kills and end-to-end runs: CI runs them after the default suite
BENCHMARKS = Path(__file__).resolve().parents[1] / "benchmarks"


def test_the_pruning_benchmark_runs_and_renders_its_page(tmp_path):
    result = tmp_path / "pruning.json"
    subprocess.run([sys.executable, str(BENCHMARKS / "pruning.py"), "--strategies", "re,optuna-native",
                    "--pruners", "none,asha", "--seeds", "0", "--trials", "3", "--epochs", "2", "--data", "synthetic",
                    "--processes", "1", "--out", str(result)], check=True, capture_output=True, text=True, timeout=600)
    saved = json.loads(result.read_text())
    assert saved["provenance"]["commit"] and len(saved["runs"]) == 4
    unpruned = [r for r in saved["runs"] if r["pruner"] == "none"]
    assert all(r["epochs_trained"] == 6 and r["n_pruned"] == 0 for r in unpruned)
    page = tmp_path / "pruning.md"
    subprocess.run([sys.executable, str(BENCHMARKS / "pruning.py"), "--markdown", str(page), str(result)], check=True)
    assert "| re | asha | 1 |" in page.read_text()


def test_the_supernet_trust_script_runs(tmp_path):
    result = tmp_path / "supernet.json"
    subprocess.run([sys.executable, str(BENCHMARKS / "supernet_trust.py"), "--archs", "3", "--standalone-epochs", "1",
                    "--supernet-epochs", "1", "--e2e-seeds", "", "--processes", "1", "--out", str(result)],
                   check=True, capture_output=True, text=True, timeout=600)
    saved = json.loads(result.read_text())
    assert len(saved["trust"]["supernet_scores"]) == 3 and saved["provenance"]["command"]


def test_the_proxy_script_checks_the_shipped_table(tmp_path):
    done = subprocess.run([sys.executable, str(BENCHMARKS / "nb201_proxies.py"), "--check", "2"], check=True,
                          capture_output=True, text=True, timeout=300)
    assert "2 cells recomputed" in done.stdout
    worst = float(done.stdout.split("largest relative difference")[1])
    assert worst < 1e-5


def test_the_nbgraph_proxy_script_prints_a_row_per_proxy():
    done = subprocess.run([sys.executable, str(BENCHMARKS / "nbgraph_proxies.py"), "--datasets", "cora"], check=True,
                          capture_output=True, text=True, timeout=300)
    rows = [line.split(" | ") for line in done.stdout.splitlines() if line.startswith("| cora |")]
    assert [row[1] for row in rows] == ["params", "latency"]
    assert all(-1 <= float(row[2]) <= 1 and float(row[5]) <= float(row[6].rstrip(" |")) for row in rows)


def _run(script, *args, timeout=300):
    return subprocess.run([sys.executable, str(BENCHMARKS / script), *args], check=True, capture_output=True,
                          text=True, timeout=timeout, cwd=str(BENCHMARKS))


def test_every_benchmark_script_starts():
    """The scripts no other test runs: each imports what it uses and parses its arguments."""
    for script in sorted(BENCHMARKS.glob("*.py")):
        if script.name in ("headless_browser.py", "provenance.py", "seed_range.py", "seed_runs.py", "standard_error.py"):
            continue  # helpers, not scripts
        assert "usage" in _run(script.name, "--help").stdout, script.name


def test_the_strategy_options_script_runs_and_renders_its_page(tmp_path):
    result = tmp_path / "options.jsonl"
    done = _run("strategy_options.py", "re", "--seeds", "0-1", "--budget", "20", "--processes", "1",
                "--options", '{"population_size": 5}', "--out", str(result))
    assert "seeds 0-1" in done.stdout
    saved = json.loads(result.read_text())
    assert saved["n_seeds"] == 2 and saved["options"] == {"population_size": 5} and saved["provenance"]["commit"]
    page = tmp_path / "page.md"
    _run("strategy_options.py", "--markdown", str(page), str(result))
    assert '| cifar10 | re | `{"population_size": 5}` | defaults | 0-1 |' in page.read_text()


def test_strategy_options_keeps_each_seed_and_a_rerun_takes_them(tmp_path):
    keep, first, again = tmp_path / "keep", tmp_path / "first.jsonl", tmp_path / "again.jsonl"
    args = ["re", "--seeds", "0-1", "--budget", "20", "--processes", "1", "--keep", str(keep)]
    _run("strategy_options.py", *args, "--out", str(first))
    kept = sorted(keep.glob("re-cifar10-seed*.json"))
    assert len(kept) == 2
    planted = json.loads(kept[0].read_text())
    planted["values"] = [50.0] * 20  # a rerun of the same settings must take this run, not redo it
    kept[0].write_text(json.dumps(planted))
    _run("strategy_options.py", *args, "--out", str(again))
    before, after = json.loads(first.read_text()), json.loads(again.read_text())
    assert after["per_seed"]["seed"] == [0, 1] and before["per_seed"]["seed"] == [0, 1]
    assert after["best_at_100"] < before["best_at_100"]  # seed 0's best is now 50
    _run("strategy_options.py", "re", "--seeds", "0-1", "--budget", "21", "--processes", "1", "--keep", str(keep))
    assert len(list(keep.glob("re-cifar10-seed*.json"))) == 4  # another budget is another run


def test_strategy_options_can_end_a_seed_at_its_first_query_of_the_optimum(tmp_path, monkeypatch):
    monkeypatch.syspath_prepend(str(BENCHMARKS))
    import strategy_options

    def low_optimum(space, dataset):  # most cells beat 60: a random search meets this "optimum" early
        objective = make_objective(space, dataset)
        objective._optimum = 60.0
        return objective

    make_objective = strategy_options.make_objective
    monkeypatch.setattr(strategy_options, "make_objective", low_optimum)
    result, tell_seconds = strategy_options.run_one("rs", "cifar10", 0, {}, 40, {}, keep=tmp_path, stop_at_optimum=True)
    kept = json.loads(next(tmp_path.glob("rs-cifar10-seed0-*.json")).read_text())["values"]
    assert kept[-1] >= 60.0 and all(v < 60.0 for v in kept[:-1]) and len(kept) < 40
    assert len(result.values) == 40 and result.best_value == max(kept) and result.regret <= 0 and tell_seconds >= 0


def test_the_results_table_counts_seeds_at_the_optimum_and_renders_a_page(tmp_path):
    out = tmp_path / "compare"
    subprocess.run([sys.executable, "-m", "vaenas", "compare", "--strategies", "rs,ls", "--budget", "3", "--seeds", "2",
                    "--workers", "1", "--out", str(out)], check=True, capture_output=True, text=True, timeout=300)
    found = json.loads((out / "runs" / "rs" / "seed0" / "results.json").read_text())
    (out / "runs" / "rs" / "seed0" / "results.json").write_text(json.dumps({**found, "regret": 0.0}))
    page = subprocess.run([sys.executable, str(BENCHMARKS / "results_table.py"), str(out), "--queries", "3",
                           "--title", "Two strategies", "--command", "vaenas compare ..."],
                          check=True, capture_output=True, text=True, timeout=60).stdout
    assert page.startswith("# Two strategies (generated by") and "Command: `vaenas compare ...`" in page
    rows = {line.split(" | ")[1]: line for line in page.splitlines() if " / 2 |" in line}
    assert "| 1 / 2 |" in rows["rs"] and "| 0 / 2 |" in rows["ls"]


def test_the_pretraining_cost_script_measures_a_small_space(tmp_path):
    result = tmp_path / "cost.json"
    _run("pretrain_cost.py", "--spaces", "cells64", "--json", str(result))
    row = json.loads(result.read_text())["rows"][0]
    assert row["size"] == 64 and row["steps"] >= 300 and row["validity"] == 1.0 and row["recon_all"] > 0.5
