import numpy as np
import pytest
from missing_package import hide_package
from strategy_driver import OBJECTIVE, drive
from toy_space import ToyChainSpace

from vaenas.errors import InvalidArgumentError, MissingExtraError
from vaenas.search import make_strategy
from vaenas.spaces import make_space

SPACE = make_space("nb201")
OPTUNA = ["optuna-tpe", "optuna-gp"]


@pytest.mark.parametrize("name", OPTUNA)
def test_distinct_queries_and_same_seed_same_queries(name):
    first = drive(make_strategy(name, SPACE, seed=7), 30)
    assert len({SPACE.key(a) for a in first}) == 30
    assert first == drive(make_strategy(name, SPACE, seed=7), 30)
    assert first != drive(make_strategy(name, SPACE, seed=8), 30)


def test_re_proposals_are_answered_and_not_charged():
    strategy = make_strategy("optuna-tpe", SPACE, seed=0)
    asked = drive(strategy, 120)
    trials = strategy._study.trials
    # TPE proposes some architectures twice by 120 queries; each extra Optuna trial is
    # told the known value, and none of them becomes a query
    assert len(trials) > len(asked) == len({SPACE.key(a) for a in asked})
    for trial in trials:
        arch = SPACE.from_decisions(trial.params)
        assert trial.value == OBJECTIVE.evaluate(arch).value


def test_pending_and_failed_architectures():
    strategy = make_strategy("optuna-tpe", SPACE, seed=1)
    drive(strategy, 12)
    batch = strategy.ask(5) + strategy.ask(5)
    assert len({SPACE.key(a) for a in batch}) == 10
    for arch in batch:
        strategy.tell(arch, None)
    states = {t.state.name for t in strategy._study.trials}
    assert "FAIL" in states and "RUNNING" not in states


def test_replayed_trials_enter_the_optuna_study():
    strategy = make_strategy("optuna-gp", SPACE, seed=0)
    replayed = [SPACE.sample(strategy.rng) for _ in range(12)]
    for arch in replayed:  # told without being asked, as on resume
        strategy.tell(arch, OBJECTIVE.evaluate(arch).value)
    assert [SPACE.from_decisions(t.params) for t in strategy._study.trials] == replayed
    proposal = strategy.ask(1)[0]
    assert SPACE.key(proposal) not in {SPACE.key(a) for a in replayed}


@pytest.mark.parametrize("name", OPTUNA)
def test_a_proxy_warm_start_makes_the_first_trials_proxy_top_cells(name):
    from vaenas.search.proxy_start import proxy_top_cells

    top = {SPACE.key(a) for a in proxy_top_cells(SPACE, "synflow")}
    warm = drive(make_strategy(name, SPACE, seed=3, warm_start="synflow"), 12)
    cold = drive(make_strategy(name, SPACE, seed=3), 12)
    assert all(SPACE.key(a) in top for a in warm[:10])
    assert sum(SPACE.key(a) in top for a in cold[:10]) <= 2  # 1% of the space: chance gives about none


@pytest.mark.parametrize("space_name", ["nb201", "macro", "nbgraph"])
def test_decisions_round_trip(space_name):
    space = make_space(space_name)
    rng = np.random.default_rng(0)
    for _ in range(50):
        arch = space.sample(rng)
        decisions = space.to_decisions(arch)
        assert list(decisions) == list(space.decisions())
        assert all(decisions[name] in options for name, options in space.decisions().items())
        assert space.from_decisions(decisions) == arch


def test_macro_has_nine_decisions():
    assert len(make_space("macro").decisions()) == 9


def test_space_without_decisions_is_refused_with_one_line():
    with pytest.raises(InvalidArgumentError, match="fixed categorical decisions"):
        make_strategy("optuna-tpe", ToyChainSpace(), seed=0)


def test_missing_extra_names_the_install_command(monkeypatch):
    hide_package(monkeypatch, "optuna")
    with pytest.raises(MissingExtraError, match=r"pip install 'vaenas\[optuna\]'"):
        make_strategy("optuna-gp", SPACE, seed=0)
