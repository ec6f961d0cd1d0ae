"""Each space's decode rules (`next_ops`, `node_edges`) against its own validity: they
allow every architecture, and whatever they allow ends in a valid one."""

import numpy as np
import pytest
from decode_rules import follows_rules, rule_walk
from toy_space import ToyChainSpace

from vaenas.spaces import CellSpace, LayerSpace, make_space

USER_CELL = CellSpace(n_nodes=5, ops=["skip", "conv", "pool"])
USER_LAYERS = LayerSpace([
    {"depth": [1, 2], "width": [8, 16], "kernel": [3]},
    {"depth": [2, 4], "width": [32], "kernel": [3, 5, 7]},
])
SPACES = [make_space("nb201"), make_space("macro"), make_space("nbgraph"), ToyChainSpace(), USER_CELL, USER_LAYERS]


@pytest.mark.parametrize("space", SPACES, ids=lambda s: s.name)
def test_decode_rules_allow_every_architecture(space):
    rng = np.random.default_rng(0)
    assert all(follows_rules(space, space.to_graph(space.sample(rng))) for _ in range(1000))


@pytest.mark.parametrize("space", SPACES, ids=lambda s: s.name)
def test_following_the_decode_rules_always_ends_in_a_valid_architecture(space):
    rng = np.random.default_rng(0)
    walked = [space.from_graph(rule_walk(space, rng)) for _ in range(1000)]
    assert all(a is not None for a in walked)
    distinct = len({space.key(a) for a in walked})
    assert distinct >= min(700, space.size // 2)  # the rules leave the space open
