import numpy as np
import pytest
from strategy_driver import OBJECTIVE, drive

from vaenas.search import STRATEGIES, make_strategy, needs_vae
from vaenas.spaces import make_space

SPACE = make_space("nb201")
BASELINES = ["rs", "re", "ls"]  # model-based ones: test_latent_strategies, test_optuna_strategies


def test_every_registered_strategy_is_tested():
    assert set(STRATEGIES.names()) == {*BASELINES, "bo", "bo-retrain", "rl", "grad", "bananas", "optuna-tpe", "optuna-gp", "mobo", "nsga2"}
    assert not any(needs_vae(n) for n in BASELINES)


@pytest.mark.parametrize("name", BASELINES)
def test_queries_are_distinct(name):
    asked = drive(make_strategy(name, SPACE, seed=3), 400)
    assert len({SPACE.key(a) for a in asked}) == 400


@pytest.mark.parametrize("name", BASELINES)
def test_same_seed_same_queries(name):
    runs = [drive(make_strategy(name, SPACE, seed=11), 60) for _ in range(2)]
    assert runs[0] == runs[1]
    assert runs[0] != drive(make_strategy(name, SPACE, seed=12), 60)


@pytest.mark.parametrize("name", BASELINES)
def test_pending_architectures_are_never_proposed_again(name):
    strategy = make_strategy(name, SPACE, seed=0)
    drive(strategy, 30)
    pending = strategy.ask(20) + strategy.ask(20)
    assert len({SPACE.key(a) for a in pending}) == 40


def test_regularized_evolution_mutates_tournament_winners_after_the_initial_population():
    strategy = make_strategy("re", SPACE, seed=5)
    drive(strategy, 10)
    population = [arch for arch, _ in strategy._population]
    for child in strategy.ask(5):
        assert any(sum(a != b for a, b in zip(child, parent)) == 1 for parent in population)


def test_regularized_evolution_keeps_failed_trials_out_of_the_population():
    strategy = make_strategy("re", SPACE, seed=5)
    for arch in strategy.ask(4):
        strategy.tell(arch, None)
    assert len(strategy._population) == 0 and strategy.n_told == 4


def test_local_search_climbs_to_a_local_optimum_then_restarts():
    strategy = make_strategy("ls", SPACE, seed=2)
    start = drive(strategy, 1)[0]
    first_round = drive(strategy, 24)
    assert {SPACE.key(a) for a in first_round} == {SPACE.key(n) for n in SPACE.neighbours(start)}
    best = max(first_round, key=lambda a: OBJECTIVE.evaluate(a).value)
    nxt = drive(strategy, 1)[0]
    if OBJECTIVE.evaluate(best).value > OBJECTIVE.evaluate(start).value:
        assert SPACE.key(nxt) in {SPACE.key(n) for n in SPACE.neighbours(best)}


def test_local_search_reaches_a_local_optimum():
    strategy = make_strategy("ls", SPACE, seed=4)
    drive(strategy, 300)
    visited = strategy._scores
    # every restart happened at an architecture none of whose neighbours is better
    optima = [
        SPACE.parse(k)
        for k, v in visited.items()
        if v is not None
        and all(k2 in visited for k2 in map(SPACE.key, SPACE.neighbours(SPACE.parse(k))))
        and all(visited[SPACE.key(n)] <= v for n in SPACE.neighbours(SPACE.parse(k)))
    ]
    assert optima, "300 queries of local search should have reached at least one local optimum"


def test_strategy_handles_replayed_tells_and_exhausts_a_finite_space():
    strategy = make_strategy("rs", SPACE, seed=0)
    everything = list(SPACE.enumerate())
    rng = np.random.default_rng(0)
    for i in rng.permutation(len(everything))[:15_600]:
        strategy.tell(everything[i], 1.0)  # replayed without being asked
    rest = strategy.ask(100)
    assert len(rest) == 25
    assert strategy.ask(1) == []


def test_every_numeric_setting_of_every_strategy_has_a_finite_range():
    """No value a user can type makes the work endless or the study unresumable."""
    from vaenas.search.options import option_rules, strategy_options

    for name in STRATEGIES.names():
        cls = STRATEGIES.get(name)
        rules = option_rules(cls)
        for key, default in strategy_options(cls).items():
            if isinstance(default, (int, float, tuple)) and not isinstance(default, bool):
                rule = rules.get(key)
                assert rule is not None and rule.low is not None and rule.high is not None, (name, key)
                assert rule.problem(default) is None, (name, key)


@pytest.mark.parametrize("strategy, tier, setting", [
    ("rl", "strategy_options", {"lr": 1e308}),
    ("bo", "research_options", {"fixed_noise": 1e308}),
    ("grad", "strategy_options", {"steps": 10**12}),
    ("grad", "research_options", {"step_sizes": [0.1] * 1000}),
    ("grad", "research_options", {"step_sizes": [0.1, float("nan")]}),
    ("bananas", "strategy_options", {"ensemble": 10**9}),
    ("re", "strategy_options", {"population_size": float("inf")}),
])
def test_values_past_a_settings_range_are_refused_before_any_work(strategy, tier, setting):
    import vaenas
    from vaenas.errors import InvalidArgumentError

    with pytest.raises(InvalidArgumentError, match="must be at most|must list at most|finite|is not a int"):
        vaenas.create_study(strategy=strategy, **{tier: setting})
