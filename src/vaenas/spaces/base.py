"""What every search space provides; strategies and the VAE see nothing else."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Hashable, Iterator, Mapping
from typing import Any, ClassVar

import numpy as np

from vaenas.errors import ArchitectureFormatError
from vaenas.spaces.graph import END_OF_GRAPH, ArchGraph

Arch = Hashable
"""An architecture: an immutable value whose form each space defines."""


class SearchSpace(ABC):
    """A set of architectures with the moves that search strategies make in it.

    `key(arch)` is canonical: two architectures share a key exactly when the space
    treats them as the same query. `to_graph` / `from_graph` convert to the DAG that
    the architecture VAE models; `from_graph` returns None for a graph that is not a
    valid architecture of the space. `next_ops` and `node_edges` are the space's rules
    for growing a graph node by node: the VAE's decoder follows them, so that every
    latent point decodes to a valid architecture.
    """

    name: ClassVar[str]
    node_ops: tuple[str, ...]
    """Vocabulary of graph node ops, in the order the VAE one-hot encodes them."""
    max_nodes: int

    def operation(self, op: str) -> str:
        """The operation that the node op token `op` applies: the token itself, unless
        a space's tokens also carry wiring (nbgraph's name the node they read)."""
        return op

    def definition(self) -> dict[str, Any]:
        """The settings that make this space what it is (JSON values); two spaces of one
        name and one definition are the same space, e.g. for the VAE cache."""
        return {}

    @property
    def size(self) -> int | None:
        """Number of architectures when the space is finite, else None."""
        return None

    @abstractmethod
    def parse(self, text: str) -> Arch:
        """The architecture a string names; raises ArchitectureFormatError."""

    @abstractmethod
    def format(self, arch: Arch) -> str:
        """The string form that `parse` reads back."""

    def key(self, arch: Arch) -> str:
        return self.format(arch)

    def check(self, arch: Any) -> Arch:
        """`arch` as an architecture of this space: its string form is parsed, any other
        value must be one that `format` writes and `parse` reads back unchanged. Raises
        ArchitectureFormatError naming what is wrong, so nothing malformed reaches a
        strategy or a journal."""
        if isinstance(arch, str):
            return self.parse(arch)
        try:
            text = self.format(arch)
            same = self.parse(text) == arch
        except ArchitectureFormatError as exc:
            raise ArchitectureFormatError(f"{arch!r} is not an architecture of space {self.name!r}: {exc}") from None
        except Exception as exc:  # a value of another shape fails inside format in many ways
            raise ArchitectureFormatError(
                f"{arch!r} is not an architecture of space {self.name!r} ({type(exc).__name__}); "
                f"pass one that the space samples or parses, e.g. {self.format(self.sample(np.random.default_rng(0)))}"
            ) from None
        if not same:
            raise ArchitectureFormatError(
                f"{arch!r} is not an architecture of space {self.name!r}: it reads back as {self.parse(text)!r}"
            )
        return arch

    @abstractmethod
    def sample(self, rng: np.random.Generator) -> Arch:
        """A uniformly random architecture."""

    @abstractmethod
    def neighbours(self, arch: Arch) -> list[Arch]:
        """Every architecture one elementary change away."""

    def mutate(self, arch: Arch, rng: np.random.Generator) -> Arch:
        """One random elementary change."""
        options = self.neighbours(arch)
        return options[int(rng.integers(len(options)))]

    def decisions(self) -> dict[str, tuple[Hashable, ...]]:
        """The space as independent categorical choices, name -> options, in a fixed
        order: the flat parameters that samplers such as Optuna's work on. A space whose
        architectures are not a fixed set of choices raises NotImplementedError."""
        raise NotImplementedError(f"space {self.name!r} does not list its decisions")

    def from_decisions(self, values: Mapping[str, Hashable]) -> Arch:
        """The architecture that one option per decision makes."""
        raise NotImplementedError(f"space {self.name!r} does not list its decisions")

    def to_decisions(self, arch: Arch) -> dict[str, Hashable]:
        """The option of every decision that `arch` takes; inverse of `from_decisions`."""
        raise NotImplementedError(f"space {self.name!r} does not list its decisions")

    def enumerate(self) -> Iterator[Arch]:
        raise NotImplementedError(f"space {self.name!r} is not finite")

    def enumerate_or_sample(self, n: int, rng: np.random.Generator) -> list[Arch]:
        """Every architecture when the space is finite and holds at most `n`, else up to
        `n` distinct random ones (fewer only if 20 n draws did not find them)."""
        if self.size is not None and self.size <= n:
            return list(self.enumerate())
        found: dict[str, Arch] = {}
        for _ in range(n * 20):
            arch = self.sample(rng)
            found.setdefault(self.key(arch), arch)
            if len(found) == n:
                break
        return list(found.values())

    def next_ops(self, prefix: ArchGraph) -> tuple[str, ...]:
        """The ops the node after `prefix` may take, END_OF_GRAPH where the graph may stop
        there. Every op offered must leave a prefix that some valid graph extends. The
        default allows any op and any length, and leaves validity to `from_graph`."""
        if prefix.n_nodes == 0:
            return self.node_ops
        if prefix.n_nodes == self.max_nodes:
            return (END_OF_GRAPH,)
        return (*self.node_ops, END_OF_GRAPH)

    def node_edges(self, prefix: ArchGraph) -> tuple[np.ndarray, np.ndarray]:
        """For the last node of `prefix` (its op set, its inputs not yet), which earlier
        nodes must feed it and which may: two boolean arrays of length n_nodes - 1.
        The default: none must, all may."""
        n = prefix.n_nodes - 1
        return np.zeros(n, dtype=bool), np.ones(n, dtype=bool)

    @abstractmethod
    def to_graph(self, arch: Arch) -> ArchGraph:
        """The DAG form of an architecture."""

    @abstractmethod
    def from_graph(self, graph: ArchGraph) -> Arch | None:
        """The architecture of a DAG, or None when it is not a valid one."""
