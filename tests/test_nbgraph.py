"""NAS-Bench-Graph: the space's canonical cells against the package's tables, the
objective's protocol (search on validation, report test), every strategy on it, and
the one-line errors."""

import json
import subprocess
import sys

import numpy as np
import pytest
from missing_package import hide_package
from strategy_driver import drive
from typer.testing import CliRunner

from vaenas.cli import app
from vaenas.errors import ArchitectureFormatError, MissingExtraError, UnknownNameError
from vaenas.objectives import OPTIMUM_TOLERANCE, make_objective
from vaenas.search import make_strategy
from vaenas.spaces import make_space
from vaenas.vae import ArchVAE, VAEConfig

SPACE = make_space("nbgraph")
CORA = make_objective("nbgraph", "cora")


def test_the_space_is_the_benchmarks_26206_cells():
    cells = list(SPACE.enumerate())
    assert SPACE.size == len(cells) == 26206
    assert len({SPACE.key(c) for c in cells}) == 26206
    assert all(SPACE.key(c) == SPACE.format(c) for c in cells[::50])  # listed in canonical form
    values = [CORA.evaluate(c).value for c in cells]
    assert max(values) == CORA.optimum


def test_isomorphic_cells_share_a_key_and_a_table_entry():
    # three nodes reading the input side by side: which of them holds which op is not a difference
    a, b = ((0, 0, 0, 0), ("gcn", "gat", "gat", "gat")), ((0, 0, 0, 0), ("gat", "gat", "gcn", "gat"))
    assert a != b and SPACE.key(a) == SPACE.key(b)
    assert CORA.evaluate(a) == CORA.evaluate(b)
    assert SPACE.key(a) != SPACE.key(((0, 1, 2, 3), ("gcn", "gat", "gat", "gat")))


def test_string_form_round_trips_and_bad_strings_get_one_line():
    rng = np.random.default_rng(0)
    for _ in range(100):
        arch = SPACE.sample(rng)
        assert SPACE.parse(SPACE.format(arch)) == arch
    for text, message in [
        ("gcn~0|gat~1|fc~2", "has 3 nodes, not 4"),
        ("gcn~0|gat~2|fc~2|fc~3", "node 2 'gat~2' must read op~j with j < 2"),
        ("gcn~0|gat~1|mlp~2|fc~3", "unknown op 'mlp'"),
        ("skip~0|skip~1|skip~2|skip~3", "skips only"),
    ]:
        with pytest.raises(ArchitectureFormatError, match=message):
            SPACE.parse(text)


def test_neighbours_are_distinct_cells_one_change_away():
    rng = np.random.default_rng(1)
    for _ in range(20):
        arch = SPACE.sample(rng)
        keys = [SPACE.key(n) for n in SPACE.neighbours(arch)]
        assert keys and len(set(keys)) == len(keys) and SPACE.key(arch) not in keys
        assert all(CORA.evaluate(n).value > 0 for n in SPACE.neighbours(arch))


def test_operation_counts_merge_tokens_that_differ_only_in_the_node_read():
    from vaenas.search.encodings import operation_counts

    assert SPACE.operation("gcn~2") == "gcn" and make_space("nb201").operation("skip_connect") == "skip_connect"
    counts = operation_counts(SPACE, [SPACE.parse("skip~0|skip~1|skip~2|fc~3")])[0] * SPACE.max_nodes
    kinds = sorted({SPACE.operation(op) for op in SPACE.node_ops})
    assert dict(zip(kinds, counts)) == {**{k: 0 for k in kinds}, "skip": 3, "fc": 1, "input": 1, "output": 1}


def test_objective_searches_validation_and_reports_test():
    arch = SPACE.parse("gcn~0|gat~1|gat~1|gcn~1")
    evaluation = CORA.evaluate(arch)
    assert set(evaluation.metrics) == {"test", "latency", "params"}
    assert 0 < evaluation.value <= CORA.optimum <= 100 and 0 < evaluation.metrics["test"] <= 100
    assert CORA.reported_metric == "test"
    at_optimum = [c for c in SPACE.enumerate() if CORA.optimum - CORA.evaluate(c).value <= OPTIMUM_TOLERANCE]
    tests = [CORA.evaluate(c).metrics["test"] for c in at_optimum]
    assert len(at_optimum) == 2  # cora's two best cells tie, up to float rounding
    assert CORA.test_at_optimum == pytest.approx(sum(tests) / 2) and min(tests) < CORA.test_at_optimum < max(tests)


@pytest.mark.parametrize(("dataset", "message"), [
    ("proteins", "uses another op set"),
    ("reddit", "unknown data set 'reddit' for objective nbgraph; choose one of: cora, citeseer"),
])
def test_unknown_data_sets_are_refused(dataset, message):
    with pytest.raises(UnknownNameError, match=message):
        make_objective("nbgraph", dataset)


@pytest.mark.parametrize("name", ["rs", "re", "ls", "bananas", "optuna-tpe", "optuna-gp"])
def test_every_non_latent_strategy_finds_distinct_cells(name):
    asked = drive(make_strategy(name, SPACE, seed=0), 25, objective=CORA)
    assert len({SPACE.key(a) for a in asked}) == 25


@pytest.mark.heavy  # among the slowest of the default suite (12:24 on 2 cores)
def test_latent_bo_searches_nbgraph_with_a_vae_whose_decodes_are_valid():
    archs = SPACE.enumerate_or_sample(2000, np.random.default_rng(0))
    vae = ArchVAE(SPACE, VAEConfig(epochs=2, min_steps=0)).fit(archs)
    decoded = vae.decode(vae.sample_prior(500, np.random.default_rng(1)))
    assert all(a is not None for a in decoded)
    assert all(CORA.evaluate(a).value > 0 for a in decoded)
    asked = drive(make_strategy("bo", SPACE, seed=0, vae=vae), 15, objective=CORA)
    assert len({SPACE.key(a) for a in asked}) == 15


def test_compare_reports_test_at_the_best_validation_cell(tmp_path):
    out = tmp_path / "c"
    result = CliRunner().invoke(app, ["compare", "--space", "nbgraph", "--dataset", "pubmed", "--strategies", "rs,re",
                                      "--budget", "20", "--seeds", "2", "--workers", "1", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert "test at the best" in result.output
    saved = json.loads((out / "runs" / "re" / "seed0" / "results.json").read_text())
    values, tests = saved["values"], saved["reported"]
    best = int(np.argmax(values))
    assert saved["reported_metric"] == "test" and saved["best_value"] == values[best]
    summary = (out / "summary.csv").read_text().splitlines()
    assert "mean_test_at_best" in summary[0]
    final = [line for line in summary if line.startswith("re,20,")][0].split(",")
    tests_at_best = [json.loads((out / "runs" / "re" / f"seed{k}" / "results.json").read_text()) for k in (0, 1)]
    expected = np.mean([r["reported"][int(np.argmax(r["values"]))] for r in tests_at_best])
    assert float(final[summary[0].split(",").index("mean_test_at_best")]) == pytest.approx(expected, abs=1e-3)
    assert tests[best] == make_objective("nbgraph", "pubmed").evaluate(SPACE.parse(saved["best_arch"])).metrics["test"]


def test_missing_package_is_one_line_naming_the_extra(monkeypatch):
    hide_package(monkeypatch, "nas_bench_graph")
    with pytest.raises(MissingExtraError, match=r"pip install 'vaenas\[nbgraph\]'"):
        make_space("nbgraph")


def test_cli_without_the_package_exits_2_with_one_line(tmp_path):
    script = ("import sys; sys.modules['nas_bench_graph'] = None; sys.argv = ['vaenas', 'search', '--space', "
              f"'nbgraph', '--objective', 'nbgraph', '--out', {str(tmp_path / 'o')!r}]; from vaenas.cli import main; main()")
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True)
    assert done.returncode == 2 and "pip install 'vaenas[nbgraph]'" in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1


def test_reported_metric_follows_the_first_best_trial():
    from vaenas.reports.metrics import reported_at_best
    from vaenas.study import StudyConfig, StudyResult

    values = [70.0, None, 72.0, 72.0, 71.0, 73.0]
    tests = [69.0, None, 70.5, 99.0, 80.0, 72.5]
    result = StudyResult(StudyConfig(), None, 73.0, None, 6, 1, values, 0.0, reported_metric="test", reported=tests)
    assert reported_at_best(result).tolist() == [69.0, 69.0, 70.5, 70.5, 70.5, 72.5]
