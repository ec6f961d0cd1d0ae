"""Zero-cost proxies: the NAS-Bench-201 network, the proxies themselves, the shipped
table against a fresh computation, the proxy objective and bo's warm start."""

import subprocess
import sys

import numpy as np
import pytest
import torch

import vaenas
from vaenas.errors import InvalidArgumentError
from vaenas.objectives import make_objective
from vaenas.objectives.nb201_network import Nb201Network
from vaenas.objectives.nb201_proxies import PROXY_COLUMNS, compute_proxies, load_proxies
from vaenas.search import make_strategy
from vaenas.search.proxy_start import default_proxy, proxy_top_cells
from vaenas.spaces import CellSpace, make_space

ALL_CONV = ("nor_conv_3x3",) * 6


def test_the_network_has_the_benchmarks_size_and_shape():
    network = Nb201Network(ALL_CONV)
    assert sum(p.numel() for p in network.parameters()) == 1_531_546  # NAS-Bench-201's largest cell: 1.53 M
    assert sum(p.numel() for p in Nb201Network(("none",) * 6).parameters()) == 73_306  # its smallest: 0.07 M
    assert network(torch.zeros(2, 3, 32, 32)).shape == (2, 10)


def test_proxies_leave_the_network_as_it_was_and_rank_bigger_cells_higher():
    torch.manual_seed(0)
    network = Nb201Network(ALL_CONV)
    before = [p.detach().clone() for p in network.parameters()]
    small, big = vaenas.proxies.synflow(Nb201Network(("skip_connect",) * 6)), vaenas.proxies.synflow(network)
    assert all(torch.equal(a, b) for a, b in zip(before, network.parameters()))
    assert big > small > 0
    images, labels = torch.randn(8, 3, 32, 32), torch.randint(0, 10, (8,))
    for value in (vaenas.proxies.naswot(network, images), vaenas.proxies.grad_norm(network, images, labels),
                  vaenas.proxies.snip(network, images, labels)):
        assert np.isfinite(value)


def test_the_shipped_table_holds_every_cell_and_matches_a_fresh_computation():
    table, space = load_proxies(), make_space("nb201")
    assert len(table) == 15_625
    rng = np.random.default_rng(7)
    for arch in [space.sample(rng) for _ in range(3)]:
        fresh, stored = compute_proxies(arch), table[space.format(arch)]
        for column in PROXY_COLUMNS:
            assert fresh[column] == pytest.approx(stored[column], rel=1e-5)


def test_the_proxy_objective_scores_by_the_proxy_and_reports_accuracy():
    objective = make_objective("nb201-proxy", "cifar100", proxy="params")
    evaluation = objective.evaluate(ALL_CONV)
    assert evaluation.value == 1_531_546 and 0 < evaluation.metrics["test_accuracy"] < 100


def test_bos_warm_start_draws_its_initial_design_from_the_proxy_top_by_default_on_nb201(nb201_vae):
    space = make_space("nb201")
    top = {space.key(a) for a in proxy_top_cells(space, "synflow")}
    assert len(top) == 156
    by_default = make_strategy("bo", space, vae=nb201_vae, seed=3)
    assert all(space.key(a) in top for a in by_default.ask(10))
    at_random = make_strategy("bo", space, vae=nb201_vae, seed=3, warm_start="none")
    assert sum(space.key(a) in top for a in at_random.ask(10)) < 5
    small = CellSpace(n_nodes=3, ops=["a", "b"])
    assert default_proxy(space) == "synflow" and default_proxy(small) == "none"
    with pytest.raises(InvalidArgumentError, match="nb201"):
        proxy_top_cells(small, "synflow")


def test_the_proxies_import_by_their_own_module_name():
    code = "from vaenas.proxies import synflow, naswot; import vaenas.proxies as p; print(synflow is p.synflow)"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.stdout.strip() == "True", done.stderr[-500:]


# --- proxies of any network vaenas builds: objectives proxy and cell-proxy ------------------

def test_the_proxy_objective_scores_the_classifiers_untrained_network():
    from vaenas.objectives.networks import build_classifier
    from vaenas.proxies import params, synflow

    space = make_space("macro")
    arch = space.parse("d1w16k3+d2w32k5+d1w64k3")
    by_synflow = make_objective("proxy", "synthetic", proxy="synflow")
    data = by_synflow.data
    torch.manual_seed(0)
    network = build_classifier(arch, data.shape, data.n_classes, data.mean, data.std)
    evaluation = by_synflow.evaluate(arch)
    assert evaluation.value == pytest.approx(synflow(network, data.shape), rel=1e-9)
    assert evaluation.metrics["params"] == params(network) and evaluation.metrics["proxy_seconds"] >= 0
    small, big = space.parse("d1w16k3+d1w16k3+d1w16k3"), space.parse("d3w128k5+d3w128k5+d3w128k5")
    by_params = make_objective("proxy", "synthetic", proxy="params")
    assert by_params.evaluate(big).value > by_params.evaluate(small).value


def test_data_dependent_proxies_read_one_seeded_batch_of_the_training_split():
    space = make_space("macro")
    arch = space.parse("d1w32k3+d1w32k3+d1w32k3")
    for proxy in ("naswot", "snip", "grad_norm"):
        scores = [make_objective("proxy", "synthetic", proxy=proxy, batch_size=32).evaluate(arch).value for _ in range(2)]
        assert scores[0] == scores[1] and np.isfinite(scores[0])  # the same batch and weights each time


def test_a_cell_proxy_scores_nb201_cells_on_the_users_data_shape():
    cell = make_space("nb201").parse("|nor_conv_3x3~0|+|nor_conv_3x3~0|nor_conv_3x3~1|+|skip_connect~0|none~1|nor_conv_3x3~2|")
    empty = make_space("nb201").parse("|none~0|+|none~0|none~1|+|none~0|none~1|none~2|")
    objective = make_objective("cell-proxy", "synthetic", proxy="synflow")
    assert objective.evaluate(cell).value > objective.evaluate(empty).value


def test_a_search_with_no_training_is_one_command(tmp_path):
    done = subprocess.run([sys.executable, "-m", "vaenas", "search", "--space", "macro", "--objective", "proxy",
                           "--proxy", "params", "--data", "synthetic", "--strategy", "re", "--budget", "12",
                           "--out", str(tmp_path)], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    best = vaenas.load_study(tmp_path).best_trial
    assert best is not None and best.metrics["params"] == best.value
    bad = subprocess.run([sys.executable, "-m", "vaenas", "search", "--space", "macro", "--objective", "proxy",
                          "--proxy", "accuracy", "--budget", "2", "--out", str(tmp_path / "bad")],
                         capture_output=True, text=True, timeout=300)
    assert bad.returncode == 2 and "unknown proxy 'accuracy'" in bad.stderr and len(bad.stderr.splitlines()) == 1
