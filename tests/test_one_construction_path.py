"""`vaenas search` and `create_study` build a study the same way: either resumes the
folder the other made, and a different study on it is refused by both."""

import json

from typer.testing import CliRunner

import vaenas
from vaenas.cli import app
from vaenas.objectives import make_objective
from vaenas.spaces import make_space
from vaenas.study import SQLiteStorage

runner = CliRunner()
TABLE = make_objective("nb201", "cifar10")


def table_value(arch):
    return TABLE.evaluate(arch).value


def search(out, budget, *extra):
    return runner.invoke(app, ["search", "--strategy", "re", "--seed", "3", "--budget", str(budget),
                               "-S", "population_size=8", "--out", str(out), *extra])


def test_a_folder_made_by_the_command_line_resumes_in_the_library(tmp_path):
    made = search(tmp_path, 10)
    assert made.exit_code == 0, made.output
    with vaenas.create_study(space="nb201", strategy="re", storage=tmp_path, seed=3,
                             strategy_options={"population_size": 8}) as study:
        assert len(study.trials) == 10
        study.optimize(table_value, n_trials=5)
        assert len(study.trials) == 15 and len({t.arch for t in study.trials}) == 15
    resumed = search(tmp_path, 20)  # and back: the command line takes it on to 20
    assert resumed.exit_code == 0, resumed.output
    assert json.loads((tmp_path / "results.json").read_text())["n_trials"] == 20


def test_a_folder_made_by_the_library_resumes_on_the_command_line(tmp_path):
    with vaenas.create_study(space="nb201", strategy="re", storage=tmp_path, seed=3,
                             strategy_options={"population_size": 8}) as study:
        study.optimize(table_value, n_trials=8)
        first = [t.arch for t in study.trials]
    resumed = search(tmp_path, 12)
    assert resumed.exit_code == 0, resumed.output
    with SQLiteStorage(tmp_path / "study.db") as journal:
        trials = journal.trials()
        stored = journal.stored_config()
    assert [make_space("nb201").parse(t.arch) for t in trials[:8]] == first and len(trials) == 12
    assert stored["objective"] == "nb201" and stored["dataset"] == "cifar10"  # the command line named it
    refused = search(tmp_path, 12, "--dataset", "cifar100")
    assert refused.exit_code == 2 and "dataset='cifar10' (asked 'cifar100')" in refused.output
    other_seed = runner.invoke(app, ["search", "--strategy", "re", "--seed", "4", "--budget", "12",
                                     "-S", "population_size=8", "--out", str(tmp_path)])
    assert other_seed.exit_code == 2 and "seed=3 (asked 4)" in other_seed.output


def test_the_command_line_and_the_library_write_one_identity(tmp_path):
    assert search(tmp_path / "cli", 4).exit_code == 0
    vaenas.create_study(space="nb201", strategy="re", storage=tmp_path / "lib", seed=3,
                        strategy_options={"population_size": 8},
                        evaluation={"objective": "nb201", "dataset": "cifar10"}).close()
    configs = []
    for folder in ("cli", "lib"):
        with SQLiteStorage(tmp_path / folder / "study.db") as journal:
            configs.append(journal.stored_config())
    assert configs[0] == configs[1]


def test_pareto_reads_a_multi_objective_folder_made_in_python(tmp_path):
    from vaenas.objectives import Evaluation
    from vaenas.spaces import CellSpace

    def two(arch):
        convs = sum(op == "conv" for op in arch)
        return Evaluation(value=float(convs), metrics={"latency": 1.0 + convs + 0.1 * (arch[0] == "pool")})

    with vaenas.create_study(space=CellSpace(n_nodes=3, ops=["skip", "conv", "pool"]), strategy="rs", storage=tmp_path,
                             objectives={"value": "maximize", "latency": "minimize"}) as study:
        study.optimize(two, n_trials=12)
        front = study.front
    done = runner.invoke(app, ["pareto", str(tmp_path)])
    assert done.exit_code == 0, done.output
    saved = json.loads((tmp_path / "pareto.json").read_text())
    assert sorted(r["number"] for r in saved["front"]) == sorted(r["number"] for r in front)
    wrong = runner.invoke(app, ["pareto", str(tmp_path), "--objectives", "value,params"])
    assert wrong.exit_code == 2 and "not 'params'" in wrong.output
