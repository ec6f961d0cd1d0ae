"""Multi-objective search on NAS-Bench-Graph (accuracy against latency): Pareto ranks,
the expected hypervolume improvement, the nsga2 and mobo strategies, studies that keep
the front and resume, and `compare --objectives` with its hypervolume table."""

import json

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st
import pytest
from typer.testing import CliRunner

from vaenas.cli import app
from vaenas.objectives import make_objective
from vaenas.search import make_strategy
from vaenas.search.hypervolume_improvement import expected_hypervolume_improvement
from vaenas.search.pareto_ranking import crowding, dominates, front_ranks, survival_order
from vaenas.spaces import make_space
from vaenas.study import ConfiguredStudy, StudyConfig
from vaenas.study.pareto import Criterion, hypervolume, hypervolume_curve
from vaenas.vae import ArchVAE, VAEConfig
from vaenas.vae.pretrain import CHECKPOINT_FILE, cache_folder

SPACE = make_space("nbgraph")
CORA = make_objective("nbgraph", "cora")
BOTH_UP = [Criterion("a", True), Criterion("b", True)]


@pytest.fixture(scope="module")
def nbgraph_cache(tmp_path_factory):
    """A small nbgraph VAE where `vaenas search` looks for the default one."""
    folder = tmp_path_factory.mktemp("nbgraph-vae")
    archs = SPACE.enumerate_or_sample(2000, np.random.default_rng(0))
    vae = ArchVAE(SPACE, VAEConfig(epochs=3, min_steps=0)).fit(archs)
    vae.save(cache_folder(SPACE, VAEConfig(), folder) / CHECKPOINT_FILE)
    return folder, vae


def accuracy_and_speed(arch):
    """Higher-is-better scores a multi-objective study tells: accuracy and -latency."""
    evaluation = CORA.evaluate(arch)
    return evaluation.value, -evaluation.metrics["latency"]


def drive(strategy, n, batch=1):
    asked = []
    while len(asked) < n:
        archs = strategy.ask(batch)
        for arch in archs:
            strategy.tell(arch, accuracy_and_speed(arch))
        asked += archs
    return asked


def test_front_ranks_crowding_and_survival_order():
    points = np.array([[3.0, 1.0], [1.0, 3.0], [2.0, 2.0], [1.0, 1.0], [0.5, 0.5], [2.0, 2.0]])
    assert front_ranks(points).tolist() == [0, 0, 0, 1, 2, 0]
    spread = crowding(np.array([[0.0, 4.0], [1.0, 3.0], [3.0, 1.0], [4.0, 0.0]]))
    assert np.isinf(spread[[0, 3]]).all() and spread[1] == pytest.approx(spread[2])
    order = survival_order(points)
    assert set(order[:4]) == {0, 1, 2, 5} and order[4:].tolist() == [3, 4]


def test_expected_hypervolume_improvement_matches_monte_carlo():
    front, reference = np.array([[1.0, 3.0], [2.0, 2.0], [3.0, 1.0]]), np.zeros(2)
    certain = expected_hypervolume_improvement(
        np.array([[2.5, 2.5], [1.0, 1.0], [4.0, 4.0]]), np.full((3, 2), 1e-9), front, reference
    )
    assert certain == pytest.approx([1.25, 0.0, 10.0])  # plain improvements when nothing is uncertain
    mean, std = np.array([2.2, 2.1]), np.array([0.5, 0.8])
    samples = mean + std * np.random.default_rng(0).standard_normal((4000, 2))
    base = hypervolume(front, BOTH_UP, reference)
    monte_carlo = np.mean([hypervolume(np.vstack([front, s]), BOTH_UP, reference) - base for s in samples])
    exact = expected_hypervolume_improvement(mean[None], std[None], front, reference)[0]
    assert exact == pytest.approx(monte_carlo, rel=0.05)


def test_hypervolume_curve_grows_to_the_hypervolume_of_all_points():
    points = [[1.0, 3.0], None, [0.5, 0.5], [2.0, 2.0], [3.0, 1.0]]
    curve = hypervolume_curve(points, BOTH_UP, np.zeros(2))
    assert curve.tolist() == pytest.approx([3.0, 3.0, 3.0, 5.0, 6.0])


def test_nsga2_keeps_a_population_ranked_by_pareto_order():
    strategy = make_strategy("nsga2", SPACE, seed=0, population_size=10)
    asked = drive(strategy, 60)
    assert len({SPACE.key(a) for a in asked}) == 60
    scores = np.array([s for _, s in strategy._population])
    everything = np.array([accuracy_and_speed(a) for a in asked])
    on_front = front_ranks(everything) == 0
    # every non-dominated cell seen is kept (fewer than 10 of them here), and the kept ones come first
    assert on_front.sum() <= 10
    kept = {tuple(s) for s in scores[: on_front.sum()]}
    assert kept == {tuple(s) for s in everything[on_front]}


def test_mobo_proposes_distinct_pool_cells_in_batches(nbgraph_cache):
    _, vae = nbgraph_cache
    strategy = make_strategy("mobo", SPACE, seed=0, vae=vae, pool_size=2000, n_init=8)
    asked = drive(strategy, 24, batch=3)
    assert len({SPACE.key(a) for a in asked}) == 24
    assert len(strategy._gps) == 2  # one GP per objective
    assert strategy._x.kind == "embedding+onehot" and strategy._x.counts  # mobo's default inputs (README)
    assert type(strategy._gps[0].model.covar_module.kernels[1]).__name__ == "LinearKernel"


def test_mobo_with_patience_searches_around_a_front_that_stopped_growing(nbgraph_cache):
    _, vae = nbgraph_cache
    strategy = make_strategy("mobo", SPACE, seed=0, vae=vae, pool_size=2000, n_init=5, patience=3)
    first = strategy.ask(5)
    for arch, score in zip(first, [(10.0, 10.0), (1.0, 1.0), (1.2, 0.5), (0.8, 2.0), (1.1, 1.1)]):
        strategy.tell(arch, score)
    around = {SPACE.key(a) for a in SPACE.neighbours(first[0])}  # the front is first[0] alone
    for _ in range(4):
        (proposal,) = strategy.ask(1)
        assert SPACE.key(proposal) in around
        strategy.tell(proposal, (0.0, 0.0))


def test_single_and_multi_objective_strategies_are_matched_to_the_study():
    base = StudyConfig(space="nbgraph", dataset="cora", budget=10)
    with pytest.raises(Exception, match="'bo' searches one objective; with several use one of: mobo, nsga2, rs"):
        StudyConfig(**{**base.__dict__, "strategy": "bo", "objectives": ["accuracy", "latency"]}).check_names()
    with pytest.raises(Exception, match="'nsga2' searches several objectives; name them, e.g. --objectives accuracy,latency"):
        StudyConfig(**{**base.__dict__, "strategy": "nsga2"}).check_names()


def test_a_multi_objective_study_keeps_its_front_and_resumes(tmp_path):
    config = StudyConfig(space="nbgraph", dataset="cora", strategy="nsga2", budget=30, objectives=["accuracy", "latency"])
    first = ConfiguredStudy(config, tmp_path).run()
    assert first.n_trials == 30
    resumed = ConfiguredStudy(StudyConfig(**{**config.__dict__, "budget": 45}), tmp_path).run()
    assert resumed.n_trials == 45 and resumed.values[:30] == first.values
    saved = json.loads((tmp_path / "results.json").read_text())
    assert saved["objectives"] == ["accuracy", "latency"] and len(saved["points"]) == 45
    front = np.array([[row["accuracy"], -row["latency"]] for row in saved["front"]])
    everything = np.array([[p[0], -p[1]] for p in saved["points"]])
    assert len(front) == (front_ranks(everything) == 0).sum()
    pareto = json.loads((tmp_path / "pareto.json").read_text())
    assert [c["name"] for c in pareto["criteria"]] == ["accuracy", "latency"] and pareto["front"] == saved["front"]


@pytest.mark.heavy
def test_compare_reports_hypervolume_against_the_true_front(tmp_path, nbgraph_cache):
    cache, _ = nbgraph_cache
    out = tmp_path / "c"
    result = CliRunner().invoke(app, [
        "compare", "--space", "nbgraph", "--strategies", "mobo,nsga2,rs", "--objectives", "accuracy,latency",
        "--budget", "20", "--seeds", "2", "--out", str(out), "--vae-cache", str(cache),
        "-S", "mobo:pool_size=2000", "-S", "mobo:n_init=8",
    ])
    assert result.exit_code == 0, result.output
    text = " ".join(result.output.split())  # rich wraps long lines
    assert "reference: accuracy 15.67, latency 0.008463 (the worst value of each criterion in the table)" in text
    rows = (out / "hypervolume.csv").read_text().splitlines()
    assert rows[0].startswith("strategy,queries,mean_hypervolume_share,std_hypervolume_share")
    shares = {(r.split(",")[0], int(r.split(",")[1])): float(r.split(",")[2]) for r in rows[1:]}
    assert set(shares) == {(s, q) for s in ("mobo", "nsga2", "rs") for q in (10, 20)}
    assert all(0 < v <= 1 for v in shares.values())
    assert all(shares[(s, 20)] >= shares[(s, 10)] for s in ("mobo", "nsga2", "rs"))
    assert (out / "hypervolume.png").read_bytes()[:4] == b"\x89PNG"


@pytest.mark.parametrize(("args", "message"), [
    (["--strategy", "bo", "--objectives", "accuracy,latency"], "searches one objective"),
    (["--strategy", "nsga2"], "searches several objectives"),
    (["--strategy", "nsga2", "--objectives", "accuracy,flops"], "provides no 'flops'"),
    (["--strategy", "rs", "--objectives", "accuracy"], "at least two different objectives"),
])
def test_bad_objectives_get_one_line_and_exit_2(tmp_path, args, message):
    result = CliRunner().invoke(app, ["search", "--space", "nbgraph", "--budget", "5", "--out", str(tmp_path / "s"), *args])
    assert result.exit_code == 2 and message in result.output
    assert not (tmp_path / "s").exists()


def test_search_prints_the_front_and_pareto_draws_the_studys_objectives(tmp_path):
    runner = CliRunner()
    out = tmp_path / "s"
    args = ["search", "--space", "nbgraph", "--strategy", "nsga2", "--objectives", "accuracy,params", "--budget", "25"]
    result = runner.invoke(app, [*args, "--out", str(out)])
    assert result.exit_code == 0, result.output
    front = json.loads((out / "results.json").read_text())["front"]
    assert f"Pareto front over accuracy, params: {len(front)} of 25 trials" in " ".join(result.output.split())
    drawn = runner.invoke(app, ["pareto", str(out)])
    assert drawn.exit_code == 0, drawn.output
    assert [c["name"] for c in json.loads((out / "pareto.json").read_text())["criteria"]] == ["accuracy", "params"]


def test_library_study_of_two_objectives_keeps_a_front(tmp_path):
    import vaenas
    from vaenas.errors import InvalidArgumentError, StudyConfigMismatchError
    from vaenas.objectives import Evaluation
    from vaenas.spaces import CellSpace

    space = CellSpace(n_nodes=3, ops=["skip", "conv1x1", "conv3x3"])
    weight, size = {"skip": 0.2, "conv1x1": 0.5, "conv3x3": 1.0}, {"skip": 0, "conv1x1": 1, "conv3x3": 9}

    def score(arch):
        return Evaluation(sum(weight[op] for op in arch), metrics={"params": sum(size[op] for op in arch)})

    wanted = {"value": "maximize", "params": "minimize"}
    with vaenas.create_study(space=space, strategy="nsga2", storage=tmp_path / "s", objectives=wanted) as study:
        study.optimize(score, n_trials=27)  # the whole space: the front is known
        front = {(row["value"], row["params"]) for row in study.front}
    every = [score(arch) for arch in space.enumerate()]
    true = {(e.value, e.metrics["params"]) for e in every
            if not any(o.value >= e.value and o.metrics["params"] <= e.metrics["params"]
                       and (o.value, o.metrics["params"]) != (e.value, e.metrics["params"]) for o in every)}
    assert front == true
    with pytest.raises(InvalidArgumentError, match="searches one objective"):
        vaenas.create_study(space=space, strategy="re", objectives=wanted)
    with pytest.raises(InvalidArgumentError, match="maximize or minimize"):
        vaenas.create_study(space=space, strategy="nsga2", objectives={"value": "up", "params": "minimize"})
    with pytest.raises(StudyConfigMismatchError, match="holds a study with another configuration"):
        vaenas.create_study(space=space, strategy="nsga2", storage=tmp_path / "s", objectives={"value": "maximize", "params": "maximize"})


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 4), st.integers(0, 4), st.integers(0, 4)), min_size=1, max_size=25))
def test_front_ranks_are_a_non_dominated_sorting(rows):
    points = np.array(rows, dtype=float)
    ranks = front_ranks(points)
    beats = dominates(points, points)
    for i, j in zip(*np.nonzero(beats)):
        assert ranks[i] < ranks[j]  # whoever dominates sits in an earlier front
    for j in range(len(points)):  # and every later front is dominated by the one before
        assert ranks[j] == 0 or beats[ranks == ranks[j] - 1, j].any()
