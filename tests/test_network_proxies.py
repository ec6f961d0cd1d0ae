"""Zero-cost proxies computed at search time where no table ships: of a user's `build`
networks and of a classifier objective's, cached with the code's digest in the key, and
the warm start that reads them (refused in one line, before any pretraining, where no
network can be built)."""

import json
import pickle
import subprocess
import sys

import pytest
from torch import nn

import vaenas
from vaenas.errors import InvalidArgumentError
from vaenas.search.network_proxies import FINGERPRINT_SAMPLE, NetworkProxies, user_network_proxies
from vaenas.search.proxy_start import proxy_top_cells
from vaenas.spaces import CellSpace

OPS = ["skip", "conv1x1", "conv3x3", "pool"]
BUILT: list[str] = []


def build(arch):
    """A small network of a cell's ops (one layer per edge), counting its builds."""
    BUILT.append(str(arch))
    layers = {"skip": lambda: nn.Identity(), "conv1x1": lambda: nn.Conv2d(4, 4, 1),
              "conv3x3": lambda: nn.Conv2d(4, 4, 3, padding=1), "pool": lambda: nn.AvgPool2d(3, 1, 1)}
    return nn.Sequential(nn.Conv2d(3, 4, 1), *(layers[op]() for op in arch), nn.Flatten(), nn.LazyLinear(2))


def build_wider(arch):
    """Another network code: its proxies are another cache entry."""
    BUILT.append(str(arch))
    return nn.Sequential(nn.Conv2d(3, 8, 3, padding=1), nn.Flatten(), nn.Linear(8 * 8 * 8, 2 + len(arch)))


@pytest.fixture(autouse=True)
def own_cache(tmp_path, monkeypatch):
    monkeypatch.setenv("VAENAS_CACHE", str(tmp_path / "cache"))
    BUILT.clear()


def space():
    return CellSpace(n_nodes=3, ops=OPS)


def test_a_users_build_ranks_its_networks_and_the_warm_start_draws_from_the_top(tmp_path):
    ranking = user_network_proxies(space(), build, (3, 8, 8))
    top = proxy_top_cells(space(), "params", ranking)
    every = list(space().enumerate())
    params = dict(zip(map(space().key, every), ranking.scores(every, "params")))
    assert len(top) == 10 and min(params[space().key(a)] for a in top) >= sorted(params.values())[-10]
    with vaenas.create_study(space=space(), strategy="optuna-tpe", seed=3, build=build, input_shape=(3, 8, 8),
                             strategy_options={"warm_start": "params"}) as study:
        study.optimize(lambda arch: 1.0, n_trials=10)
        assert {space().key(t.arch) for t in study.trials} <= {space().key(a) for a in top}


def test_scores_are_cached_and_computed_again_when_the_code_changes():
    every = list(space().enumerate())
    first = user_network_proxies(space(), build, (3, 8, 8)).scores(every, "synflow")
    assert len(BUILT) == 64 + FINGERPRINT_SAMPLE  # and a fixed sample, to tell what the networks are
    again = NetworkProxies(space(), build, (3, 8, 8), {"build": "build"})
    assert again.scores(every, "synflow") == first and again.computed == 0 and len(BUILT) == 64 + 2 * FINGERPRINT_SAMPLE
    other = user_network_proxies(space(), build_wider, (3, 8, 8))
    other.scores(every, "synflow")
    assert other.computed == 64 and other.cache_file("synflow") != again.cache_file("synflow")


def test_warm_start_is_refused_in_one_line_before_pretraining_where_no_network_can_be_built():
    pretrained = []
    with pytest.raises(InvalidArgumentError, match="ships none and has no network") as refused:
        vaenas.create_study(space=space(), strategy="bo", strategy_options={"warm_start": "params"},
                            on_pretrain_epoch=lambda *args: pretrained.append(args))
    assert pretrained == [] and "\n" not in str(refused.value)
    with pytest.raises(InvalidArgumentError, match="input_shape"):
        vaenas.create_study(space=space(), strategy="optuna-tpe", build=build, strategy_options={"warm_start": "params"})
    not_a_network = user_network_proxies(space(), lambda arch: "a string", (3, 8, 8))
    first = next(iter(space().enumerate()))
    with pytest.raises(InvalidArgumentError, match="not a torch.nn.Module") as wrong:
        not_a_network.scores([first], "params")
    named = str(wrong.value).split("(", 1)[1].split(") returned", 1)[0]  # the architecture it was built for
    assert space().format(space().parse(named)) == named
    done = subprocess.run([sys.executable, "-m", "vaenas", "search", "--space", "nbgraph", "-S", "warm_start=params",
                           "--budget", "5", "--out", "unused"], capture_output=True, text=True, timeout=120)
    assert done.returncode == 2 and "ships none" in done.stderr and len(done.stderr.splitlines()) == 1


def test_a_training_search_warm_starts_from_its_own_networks(tmp_path):
    """`vaenas search --objective classifier -S warm_start=params`: the first trials are
    the biggest networks of the ranked pool, computed from the classifier's networks."""
    from vaenas.objectives import make_objective
    from vaenas.search.network_proxies import objective_proxies
    from vaenas.spaces import make_space

    macro = make_space("macro")
    objective = make_objective("classifier", "synthetic")
    ranking = objective_proxies(macro, objective)
    top = proxy_top_cells(macro, "params", ranking)
    assert len(top) == 10 and ranking.computed == 1000
    with vaenas.create_study(space=macro, strategy="optuna-tpe", proxies=ranking,
                             strategy_options={"warm_start": "params"}) as study:
        study.optimize(lambda arch: 1.0, n_trials=5)
        assert {macro.key(t.arch) for t in study.trials} <= {macro.key(a) for a in top}
    assert objective_proxies(macro, make_objective("nb201")) is None


# --- proxies as the surrogate's features ---------------------------------------------------

@pytest.mark.heavy
def test_proxy_features_reach_bos_gp_and_a_resumed_study_proposes_the_same(tmp_path, nb201_vae):
    from vaenas.objectives import make_objective

    table = make_objective("nb201")
    options = {"proxy_features": "synflow+params"}

    def run(folder, first, then):
        with vaenas.create_study(space="nb201", strategy="bo", seed=5, vae=nb201_vae, storage=folder,
                                 strategy_options=options) as study:
            study.optimize(lambda arch: table.evaluate(arch).value, n_trials=first)
        with vaenas.create_study(space="nb201", strategy="bo", seed=5, vae=nb201_vae, storage=folder,
                                 strategy_options=options) as study:
            if then:
                study.optimize(lambda arch: table.evaluate(arch).value, n_trials=then)
            columns = study.strategy._x(study.strategy._observed[:1]).shape[1]
            return [t.arch for t in study.trials], columns

    whole, columns = run(tmp_path / "whole", 14, 0)
    resumed, _ = run(tmp_path / "resumed", 8, 6)
    assert resumed == whole and len(whole) == 14
    widths = {}
    for chosen in ("none", "auto"):  # auto: the parameter count, on nb201
        with vaenas.create_study(space="nb201", strategy="bo", seed=5, vae=nb201_vae,
                                 strategy_options={"proxy_features": chosen}) as plain:
            plain.optimize(lambda arch: table.evaluate(arch).value, n_trials=1)
            widths[chosen] = plain.strategy._x(plain.strategy._observed[:1]).shape[1]
    assert columns == widths["none"] + 2 and widths["auto"] == widths["none"] + 1


def test_proxy_features_are_refused_before_pretraining_where_none_can_be_had():
    pretrained = []
    with pytest.raises(InvalidArgumentError, match="proxy_features=params needs zero-cost proxies"):
        vaenas.create_study(space=space(), strategy="bo", strategy_options={"proxy_features": "params"},
                            on_pretrain_epoch=lambda *args: pretrained.append(args))
    with pytest.raises(InvalidArgumentError, match="proxy_features"):
        vaenas.create_study(space="nb201", strategy="bo", strategy_options={"proxy_features": "naswot"})
    assert pretrained == []


@pytest.mark.heavy  # among the slowest of the default suite (12:24 on 2 cores)
def test_mobo_reads_the_proxies_of_a_users_build_beside_its_features():
    def run(options):
        with vaenas.create_study(space=space(), strategy="mobo", seed=2, build=build, input_shape=(3, 8, 8),
                                 objectives={"value": "maximize", "pools": "minimize"},
                                 strategy_options=options) as study:
            study.optimize(lambda arch: vaenas.Evaluation(value=arch.count("conv3x3"),
                                                          metrics={"pools": arch.count("pool")}), n_trials=12)
            return study.strategy._x(study.strategy._observed[:1]).shape[1], len(study.trials)

    (plain, _), (with_params, trials) = run({}), run({"proxy_features": "params"})
    assert with_params == plain + 1 and trials == 12 and BUILT


def test_worker_processes_score_as_this_process_does(tmp_path):
    """A study's workers compute the proxies in processes of their own; a `build` that
    cannot be sent to one (a lambda) is scored here."""
    import numpy as np

    from vaenas.objectives import make_objective
    from vaenas.search.network_proxies import objective_proxies
    from vaenas.spaces import make_space

    macro, objective = make_space("macro"), make_objective("classifier", "synthetic")
    archs = list(macro.enumerate_or_sample(24, np.random.default_rng(1)))
    here = objective_proxies(macro, objective, cache_dir=tmp_path / "here").scores(archs, "synflow")
    done = []
    workers = objective_proxies(macro, objective, tmp_path / "workers", lambda n, total: done.append(n), workers=2)
    assert np.allclose(workers.scores(archs, "synflow"), here, rtol=1e-9)  # threads may round the last bit apart
    assert workers.computed == 24 and done == list(range(1, 25))
    assert len(pickle.dumps(workers.build)) < 1000 < len(pickle.dumps(objective))  # the images stay here
    local = NetworkProxies(space(), lambda arch: build(arch), (3, 8, 8), {"build": "lambda"}, tmp_path / "l", workers=2)
    assert local.scores(list(space().enumerate()), "params") == user_network_proxies(space(), build, (3, 8, 8)).scores(
        list(space().enumerate()), "params")


def make_build(widths):
    """Two calls, one source: what the networks are depends on what the function closes over."""
    def build(arch):
        return nn.Sequential(nn.Conv2d(3, widths[0], 1), nn.Flatten(), nn.Linear(widths[0] * 64, 2))
    return build


def test_a_build_that_closes_over_other_settings_reads_no_other_scores():
    every = list(space().enumerate())
    narrow = user_network_proxies(space(), make_build([4]), (3, 8, 8))
    wide = user_network_proxies(space(), make_build([16]), (3, 8, 8))
    assert narrow.cache_file("params") != wide.cache_file("params")
    assert narrow.scores(every, "params") != wide.scores(every, "params")
    assert wide.computed == len(every)


@pytest.mark.parametrize("edit", ["null", "string", "nested", "huge", "count", "truncated", "other key"])
def test_an_edited_cache_file_is_computed_again_with_one_warning(edit):
    every = list(space().enumerate())
    first = user_network_proxies(space(), build, (3, 8, 8))
    truth = first.scores(every, "params")
    path = first.cache_file("params")
    assert user_network_proxies(space(), build, (3, 8, 8)).scores(every, "params") == truth
    payload = json.loads(path.read_text())
    key = next(iter(payload["scores"]))
    if edit == "truncated":
        path.write_text(path.read_text()[:40])
    elif edit == "nested":
        payload["scores"][key] = "NESTED"
        path.write_text(json.dumps(payload).replace('"NESTED"', "[" * 100_000 + "1" + "]" * 100_000))
    else:
        if edit == "count":
            del payload["scores"][key]
        elif edit == "other key":
            payload["key"] = "0" * 40
        else:
            payload["scores"][key] = {"null": None, "string": "3", "huge": 1e300}[edit]
        path.write_text(json.dumps(payload))
    again = user_network_proxies(space(), build, (3, 8, 8))
    with pytest.warns(UserWarning, match="is not used") as caught:
        assert again.scores(every, "params") == truth
    assert len(caught) == 1 and again.computed == len(every)
    mended = user_network_proxies(space(), build, (3, 8, 8))
    assert mended.scores(every, "params") == truth and mended.computed == 0  # mended on disk
