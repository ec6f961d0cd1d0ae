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
