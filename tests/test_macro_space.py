import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from vaenas.errors import ArchitectureFormatError
from vaenas.spaces import ArchGraph, make_space
from vaenas.spaces.macro import MacroSpace, Stage

SPACE = make_space("macro")
stages = st.builds(Stage, st.sampled_from(SPACE.depths), st.sampled_from(SPACE.widths), st.sampled_from(SPACE.kernels))
archs = st.tuples(stages, stages, stages)


@given(archs)
def test_round_trips(arch):
    assert SPACE.parse(SPACE.format(arch)) == arch
    graph = SPACE.to_graph(arch)
    assert graph.n_nodes == 2 + sum(s.depth for s in arch) + 2  # input, layers, 2 downsamples, output
    assert SPACE.from_graph(graph) == arch


@given(archs)
def test_graph_is_a_chain_within_max_nodes(arch):
    graph = SPACE.to_graph(arch)
    assert graph.n_nodes <= SPACE.max_nodes
    assert np.array_equal(graph.adjacency, np.eye(graph.n_nodes, k=1))
    assert all(op in SPACE.node_ops for op in graph.ops)


@given(archs, st.data())
def test_from_graph_rejects_broken_graphs(arch, data):
    graph = SPACE.to_graph(arch)
    ops = list(graph.ops)
    layer = data.draw(st.sampled_from([i for i, op in enumerate(ops) if op.startswith("conv")]))
    other = [op for op in SPACE.node_ops if op.startswith("conv") and op != ops[layer]]
    stage_sizes = [s.depth for s in arch]
    ops[layer] = data.draw(st.sampled_from(other))
    mixed = ArchGraph(graph.adjacency, tuple(ops))
    # a changed op is only valid when it was a whole one-layer stage
    changed = SPACE.from_graph(mixed)
    assert changed is None or 1 in stage_sizes
    skipped = graph.adjacency.copy()
    skipped[0, 2] = 1
    assert SPACE.from_graph(ArchGraph(skipped, graph.ops)) is None
    no_downsample = tuple(op for op in graph.ops if op != "downsample")
    n = len(no_downsample)
    assert SPACE.from_graph(ArchGraph(np.eye(n, k=1, dtype=np.uint8), no_downsample)) is None


def test_size_enumeration_and_neighbours():
    small = MacroSpace(stages=2, depths=(1, 2), widths=(8, 16), kernels=(3,))
    everything = list(small.enumerate())
    assert len(everything) == small.size == 16
    arch = everything[5]
    neighbours = small.neighbours(arch)
    assert len(neighbours) == 2 * (1 + 1)  # per stage: one other depth, one other width
    assert all(sum(a != b for a, b in zip(arch, n)) == 1 for n in neighbours)


def test_mutate_and_sample_are_seeded():
    rng_a, rng_b = np.random.default_rng(1), np.random.default_rng(1)
    assert SPACE.sample(rng_a) == SPACE.sample(rng_b)
    arch = SPACE.sample(rng_a)
    assert SPACE.mutate(arch, rng_a) in SPACE.neighbours(arch)


@pytest.mark.parametrize(
    ("text", "part"),
    [
        ("d1w32k3+d1w64k3", "2 stages"),
        ("d1w32k3+x+d1w64k3", "stage 2 'x' must read"),
        ("d9w32k3+d1w32k3+d1w64k3", "depth 9 is not one of"),
        ("d1w33k3+d1w32k3+d1w64k3", "width 33"),
        ("d1w32k7+d1w32k3+d1w64k3", "kernel 7"),
    ],
)
def test_malformed_strings_say_what_is_wrong(text, part):
    with pytest.raises(ArchitectureFormatError, match=part):
        SPACE.parse(text)
