"""A CNN macro space (the seed article's): per stage, its depth, width and kernel size."""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass

import numpy as np

from vaenas.errors import ArchitectureFormatError
from vaenas.spaces.base import SearchSpace
from vaenas.spaces.graph import END_OF_GRAPH, ArchGraph, chain_edges
from vaenas.spaces.registry import SPACES


@dataclass(frozen=True, order=True)
class Stage:
    """`depth` conv layers of `width` channels and `kernel` x `kernel` kernels."""

    depth: int
    width: int
    kernel: int

    def __str__(self) -> str:
        return f"d{self.depth}w{self.width}k{self.kernel}"


MacroArch = tuple[Stage, ...]
STAGE_PATTERN = re.compile(r"d(\d+)w(\d+)k(\d+)")
DOWNSAMPLE = "downsample"


@SPACES.register("macro")
class MacroSpace(SearchSpace):
    """A CNN as a sequence of stages with down-sampling between them.

    Written `d2w32k3+d1w64k5+d3w128k3` (stage by stage). The graph is a chain: input, one
    node per conv layer (op `conv{kernel}-{width}`), a `downsample` node between stages,
    output; variable depth means a variable node count. The defaults (3 stages, depth 1-3,
    width 16-128, kernel 3-5) hold the seed article's image VAE: d1w32k4+d1w64k4+d1w128k4.
    """

    name = "macro"

    def __init__(
        self,
        stages: int = 3,
        depths: tuple[int, ...] = (1, 2, 3),
        widths: tuple[int, ...] = (16, 32, 64, 128),
        kernels: tuple[int, ...] = (3, 4, 5),
    ) -> None:
        self.stages, self.depths, self.widths, self.kernels = stages, depths, widths, kernels
        self.choices = [Stage(d, w, k) for d in depths for w in widths for k in kernels]
        self.node_ops = ("input", *(self._op(w, k) for w in widths for k in kernels), DOWNSAMPLE, "output")
        self.max_nodes = 2 + stages * max(depths) + (stages - 1)

    @staticmethod
    def _op(width: int, kernel: int) -> str:
        return f"conv{kernel}-{width}"

    @property
    def size(self) -> int:
        return len(self.choices) ** self.stages

    def parse(self, text: str) -> MacroArch:
        parts = text.strip().split("+")
        example = "+".join(str(self.choices[0]) for _ in range(self.stages))
        if len(parts) != self.stages:
            raise ArchitectureFormatError(
                f"macro architecture {text!r} has {len(parts)} stages separated by '+', "
                f"not {self.stages}; expected e.g. {example}"
            )
        stages = []
        for i, part in enumerate(parts, start=1):
            match = STAGE_PATTERN.fullmatch(part)
            if not match:
                raise ArchitectureFormatError(
                    f"macro stage {i} {part!r} must read d<depth>w<width>k<kernel>, e.g. {self.choices[0]}"
                )
            stage = Stage(*(int(g) for g in match.groups()))
            for label, value, allowed in (
                ("depth", stage.depth, self.depths),
                ("width", stage.width, self.widths),
                ("kernel", stage.kernel, self.kernels),
            ):
                if value not in allowed:
                    raise ArchitectureFormatError(
                        f"macro stage {i} {part!r}: {label} {value} is not one of {list(allowed)}"
                    )
            stages.append(stage)
        return tuple(stages)

    def format(self, arch: MacroArch) -> str:
        return "+".join(str(stage) for stage in arch)

    def sample(self, rng: np.random.Generator) -> MacroArch:
        return tuple(self.choices[i] for i in rng.integers(len(self.choices), size=self.stages))

    def neighbours(self, arch: MacroArch) -> list[MacroArch]:
        """Every architecture with one stage's depth, width or kernel changed."""
        result = []
        for i, stage in enumerate(arch):
            for field, allowed in self._fields():
                for value in allowed:
                    if value != getattr(stage, field):
                        changed = Stage(**{**stage.__dict__, field: value})
                        result.append(arch[:i] + (changed,) + arch[i + 1 :])
        return result

    def _fields(self) -> tuple[tuple[str, tuple[int, ...]], ...]:
        return (("depth", self.depths), ("width", self.widths), ("kernel", self.kernels))

    def decisions(self) -> dict[str, tuple[int, ...]]:
        """Depth, width and kernel of every stage: `stage1.depth`, `stage1.width` ..."""
        return {
            f"stage{i}.{field}": allowed
            for i in range(1, self.stages + 1)
            for field, allowed in self._fields()
        }

    def from_decisions(self, values: Mapping[str, int]) -> MacroArch:
        return tuple(
            Stage(**{field: values[f"stage{i}.{field}"] for field, _ in self._fields()})
            for i in range(1, self.stages + 1)
        )

    def to_decisions(self, arch: MacroArch) -> dict[str, int]:
        return {
            f"stage{i}.{field}": getattr(stage, field)
            for i, stage in enumerate(arch, start=1)
            for field, _ in self._fields()
        }

    def enumerate(self) -> Iterator[MacroArch]:
        return itertools.product(self.choices, repeat=self.stages)

    def to_graph(self, arch: MacroArch) -> ArchGraph:
        ops = ["input"]
        for i, stage in enumerate(arch):
            if i:
                ops.append(DOWNSAMPLE)
            ops += [self._op(stage.width, stage.kernel)] * stage.depth
        ops.append("output")
        n = len(ops)
        return ArchGraph(np.eye(n, k=1, dtype=np.uint8), tuple(ops))

    def next_ops(self, prefix: ArchGraph) -> tuple[str, ...]:
        """Input; per stage a run of one conv op whose length is an allowed depth; a
        down-sampling node between stages; output after the last stage."""
        ops = prefix.ops
        if not ops:
            return ("input",)
        if ops[-1] == "output":
            return (END_OF_GRAPH,)
        if ops[-1] in ("input", DOWNSAMPLE):
            return self.node_ops[1:-2]  # the conv ops
        stage = ops.count(DOWNSAMPLE)
        run = len(ops) - 1 - max(i for i, op in enumerate(ops) if op in ("input", DOWNSAMPLE))
        allowed = (ops[-1],) if run < max(self.depths) else ()
        if run in self.depths:
            allowed += (DOWNSAMPLE,) if stage < self.stages - 1 else ("output",)
        return allowed

    def node_edges(self, prefix: ArchGraph) -> tuple[np.ndarray, np.ndarray]:
        return chain_edges(prefix)

    def from_graph(self, graph: ArchGraph) -> MacroArch | None:
        n, ops = graph.n_nodes, graph.ops
        if n < 3 or ops[0] != "input" or ops[-1] != "output":
            return None
        if not np.array_equal(graph.adjacency, np.eye(n, k=1, dtype=np.uint8)):
            return None
        stages = []
        for run in _split(ops[1:-1], DOWNSAMPLE):
            if not run or len(set(run)) != 1:
                return None
            match = re.fullmatch(r"conv(\d+)-(\d+)", run[0])
            if not match:
                return None
            stage = Stage(len(run), int(match.group(2)), int(match.group(1)))
            if stage.depth not in self.depths:
                return None
            stages.append(stage)
        return tuple(stages) if len(stages) == self.stages else None


def _split(items: tuple[str, ...], separator: str) -> list[list[str]]:
    runs: list[list[str]] = [[]]
    for item in items:
        if item == separator:
            runs.append([])
        else:
            runs[-1].append(item)
    return runs
