import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from vaenas.errors import ArchitectureFormatError, UnknownNameError
from vaenas.spaces import ArchGraph, make_space
from vaenas.spaces.nb201 import OPS

SPACE = make_space("nb201")
archs = st.tuples(*[st.sampled_from(OPS)] * 6)
EXAMPLE = "|nor_conv_3x3~0|+|nor_conv_3x3~0|nor_conv_3x3~1|+|skip_connect~0|nor_conv_3x3~1|nor_conv_3x3~2|"


def test_parses_the_standard_string_in_edge_order():
    arch = SPACE.parse(EXAMPLE)
    assert arch == ("nor_conv_3x3",) * 3 + ("skip_connect", "nor_conv_3x3", "nor_conv_3x3")
    assert SPACE.format(arch) == EXAMPLE


@given(archs)
def test_string_round_trip(arch):
    assert SPACE.parse(SPACE.format(arch)) == arch
    assert SPACE.key(SPACE.parse(SPACE.key(arch))) == SPACE.key(arch)


@given(archs)
def test_graph_round_trip(arch):
    graph = SPACE.to_graph(arch)
    assert graph.n_nodes == 8 and graph.ops[0] == "input" and graph.ops[-1] == "output"
    assert np.all(np.tril(graph.adjacency) == 0)
    assert SPACE.from_graph(graph) == arch


def test_graph_wiring_follows_the_cell():
    adjacency = SPACE.to_graph(SPACE.parse(EXAMPLE)).adjacency
    # edge nodes 1..6 are (0->1), (0->2), (1->2), (0->3), (1->3), (2->3)
    assert set(np.flatnonzero(adjacency[0])) == {1, 2, 4}  # input feeds the edges leaving node 0
    assert set(np.flatnonzero(adjacency[1])) == {3, 5}  # 0->1 feeds the edges leaving node 1
    assert set(np.flatnonzero(adjacency[:, 7])) == {4, 5, 6}  # edges into node 3 feed output


@given(archs, st.integers(0, 7), st.sampled_from(["input", "output", "conv5x5"]))
def test_from_graph_rejects_a_wrong_op(arch, node, op):
    graph = SPACE.to_graph(arch)
    ops = list(graph.ops)
    if ops[node] == op:
        return
    ops[node] = op
    assert SPACE.from_graph(ArchGraph(graph.adjacency, tuple(ops))) is None


@given(archs, st.integers(0, 7), st.integers(0, 7))
def test_from_graph_rejects_a_changed_edge(arch, i, j):
    graph = SPACE.to_graph(arch)
    adjacency = graph.adjacency.copy()
    adjacency[i, j] ^= 1
    assert SPACE.from_graph(ArchGraph(adjacency, graph.ops)) is None


def test_from_graph_rejects_a_wrong_size():
    graph = SPACE.to_graph(SPACE.parse(EXAMPLE))
    smaller = ArchGraph(graph.adjacency[:7, :7], graph.ops[:7])
    assert SPACE.from_graph(smaller) is None


def test_enumerates_all_distinct_cells():
    keys = {SPACE.key(a) for a in SPACE.enumerate()}
    assert len(keys) == SPACE.size == 15_625


@given(archs)
def test_neighbours_are_the_24_one_edge_changes(arch):
    neighbours = SPACE.neighbours(arch)
    assert len({SPACE.key(n) for n in neighbours}) == 24
    assert all(sum(a != b for a, b in zip(arch, n)) == 1 for n in neighbours)


@given(archs, st.integers(0, 2**32 - 1))
def test_mutate_changes_exactly_one_edge(arch, seed):
    child = SPACE.mutate(arch, np.random.default_rng(seed))
    assert sum(a != b for a, b in zip(arch, child)) == 1


def test_sample_is_seeded_and_covers_all_ops():
    draws = [SPACE.sample(np.random.default_rng(7)) for _ in range(2)]
    assert draws[0] == draws[1]
    many = [SPACE.sample(np.random.default_rng(s)) for s in range(200)]
    assert {op for a in many for op in a} == set(OPS)


@pytest.mark.parametrize(
    ("text", "part"),
    [
        ("|nor_conv_3x3~0|+|nor_conv_3x3~0|nor_conv_3x3~1|", "2 node groups"),
        ("|conv~0|+|nor_conv_3x3~0|nor_conv_3x3~1|+|skip_connect~0|nor_conv_3x3~1|none~2|", "unknown op 'conv'"),
        ("|nor_conv_3x3~1|+|nor_conv_3x3~0|nor_conv_3x3~1|+|skip_connect~0|nor_conv_3x3~1|none~2|", "node 1 input"),
        ("|none~0|+|none~0|+|none~0|none~1|none~2|", "node 2 group"),
        ("none~0|+|none~0|none~1|+|none~0|none~1|none~2|", "must start and end"),
    ],
)
def test_malformed_strings_say_which_part_is_wrong(text, part):
    with pytest.raises(ArchitectureFormatError, match=part):
        SPACE.parse(text)


def test_unknown_space_lists_valid_names():
    with pytest.raises(UnknownNameError, match="nb201"):
        make_space("nb999")
