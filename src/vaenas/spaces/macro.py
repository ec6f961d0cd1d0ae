"""CNN layer spaces (the seed article's): per stage, its depth, width and kernel size.
`LayerSpace` takes any stages' choices; `macro` is the article's instance."""

from __future__ import annotations

import itertools
import math
import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from vaenas.errors import ArchitectureFormatError, InvalidArgumentError
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


FIELDS = ("depth", "width", "kernel")
MAX_STAGES, MAX_CHOICES = 16, 16
LARGEST = {"depth": 32, "width": 4096, "kernel": 15}
"""Bounds on a layer space (stages, choices per field, each value), checked before anything
is built: a definition read from a crafted journal must not build a huge graph or network."""


class LayerSpace(SearchSpace):
    """A CNN as a sequence of stages with down-sampling between them; each stage offers
    its own depths, widths and kernel sizes: `stages=[{"depth": [1, 2], "width": [16, 32],
    "kernel": [3, 5]}, ...]`.

    Written `d2w32k3+d1w64k5+d3w128k3` (stage by stage). The graph is a chain: input, one
    node per conv layer (op `conv{kernel}-{width}`), a `downsample` node between stages,
    output; variable depth means a variable node count.
    """

    name = "layers"

    def __init__(self, stages: Sequence[Mapping[str, Sequence[int]]]) -> None:
        if isinstance(stages, (str, Mapping)) or not isinstance(stages, Sequence) or not 1 <= len(stages) <= MAX_STAGES:
            raise InvalidArgumentError(f"a layer space needs a list of 1 to {MAX_STAGES} stages, got {stages!r:.80}")
        self.stage_options: list[dict[str, tuple[int, ...]]] = []
        for i, options in enumerate(stages, start=1):
            if not isinstance(options, Mapping) or set(options) != set(FIELDS):
                raise InvalidArgumentError(
                    f"stage {i} gives {options!r:.80}; each stage gives exactly {', '.join(FIELDS)} (lists of ints)"
                )
            chosen = {f: _choices(options[f], f, i) for f in FIELDS}
            self.stage_options.append(chosen)
        self.stage_choices = [
            [Stage(d, w, k) for d in o["depth"] for w in o["width"] for k in o["kernel"]] for o in self.stage_options
        ]
        convs = dict.fromkeys(self._op(w, k) for o in self.stage_options for w in o["width"] for k in o["kernel"])
        self.node_ops = ("input", *convs, DOWNSAMPLE, "output")
        self.max_nodes = 1 + sum(max(o["depth"]) for o in self.stage_options) + len(stages)

    def definition(self) -> dict[str, Any]:
        return {"stages": [{f: list(o[f]) for f in FIELDS} for o in self.stage_options]}

    @staticmethod
    def _op(width: int, kernel: int) -> str:
        return f"conv{kernel}-{width}"

    @property
    def size(self) -> int:
        return math.prod(len(choices) for choices in self.stage_choices)

    def parse(self, text: str) -> MacroArch:
        parts = text.strip().split("+")
        example = "+".join(str(choices[0]) for choices in self.stage_choices)
        if len(parts) != len(self.stage_options):
            raise ArchitectureFormatError(
                f"{self.name} architecture {text!r} has {len(parts)} stages separated by '+', "
                f"not {len(self.stage_options)}; expected e.g. {example}"
            )
        stages = []
        for i, (part, options) in enumerate(zip(parts, self.stage_options), start=1):
            match = STAGE_PATTERN.fullmatch(part)
            if not match:
                raise ArchitectureFormatError(
                    f"{self.name} stage {i} {part!r} must read d<depth>w<width>k<kernel>, e.g. {self.stage_choices[i - 1][0]}"
                )
            stage = Stage(*(int(g) for g in match.groups()))
            for field in FIELDS:
                if getattr(stage, field) not in options[field]:
                    raise ArchitectureFormatError(
                        f"{self.name} stage {i} {part!r}: {field} {getattr(stage, field)} is not one of {list(options[field])}"
                    )
            stages.append(stage)
        return tuple(stages)

    def format(self, arch: MacroArch) -> str:
        return "+".join(str(stage) for stage in arch)

    def sample(self, rng: np.random.Generator) -> MacroArch:
        return tuple(choices[int(rng.integers(len(choices)))] for choices in self.stage_choices)

    def neighbours(self, arch: MacroArch) -> list[MacroArch]:
        """Every architecture with one stage's depth, width or kernel changed."""
        result = []
        for i, (stage, options) in enumerate(zip(arch, self.stage_options)):
            for field in FIELDS:
                for value in options[field]:
                    if value != getattr(stage, field):
                        changed = Stage(**{**stage.__dict__, field: value})
                        result.append(arch[:i] + (changed,) + arch[i + 1 :])
        return result

    def decisions(self) -> dict[str, tuple[int, ...]]:
        """Depth, width and kernel of every stage: `stage1.depth`, `stage1.width` ..."""
        return {
            f"stage{i}.{field}": options[field]
            for i, options in enumerate(self.stage_options, start=1)
            for field in FIELDS
        }

    def from_decisions(self, values: Mapping[str, int]) -> MacroArch:
        return tuple(
            Stage(**{field: values[f"stage{i}.{field}"] for field in FIELDS})
            for i in range(1, len(self.stage_options) + 1)
        )

    def to_decisions(self, arch: MacroArch) -> dict[str, int]:
        return {
            f"stage{i}.{field}": getattr(stage, field)
            for i, stage in enumerate(arch, start=1)
            for field in FIELDS
        }

    def enumerate(self) -> Iterator[MacroArch]:
        return itertools.product(*self.stage_choices)

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
        """Input; per stage a run of one of the stage's conv ops whose length is one of its
        depths; a down-sampling node between stages; output after the last stage."""
        ops = prefix.ops
        if not ops:
            return ("input",)
        if ops[-1] == "output":
            return (END_OF_GRAPH,)
        options = self.stage_options[ops.count(DOWNSAMPLE)]
        if ops[-1] in ("input", DOWNSAMPLE):
            return tuple(self._op(w, k) for w in options["width"] for k in options["kernel"])
        run = len(ops) - 1 - max(i for i, op in enumerate(ops) if op in ("input", DOWNSAMPLE))
        allowed = (ops[-1],) if run < max(options["depth"]) else ()
        if run in options["depth"]:
            last = ops.count(DOWNSAMPLE) == len(self.stage_options) - 1
            allowed += ("output",) if last else (DOWNSAMPLE,)
        return allowed

    def node_edges(self, prefix: ArchGraph) -> tuple[np.ndarray, np.ndarray]:
        return chain_edges(prefix)

    def from_graph(self, graph: ArchGraph) -> MacroArch | None:
        n, ops = graph.n_nodes, graph.ops
        if n < 3 or ops[0] != "input" or ops[-1] != "output":
            return None
        if not np.array_equal(graph.adjacency, np.eye(n, k=1, dtype=np.uint8)):
            return None
        runs = _split(ops[1:-1], DOWNSAMPLE)
        if len(runs) != len(self.stage_options):
            return None
        stages = []
        for run, options in zip(runs, self.stage_options):
            if not run or len(set(run)) != 1:
                return None
            match = re.fullmatch(r"conv(\d+)-(\d+)", run[0])
            if not match:
                return None
            stage = Stage(len(run), int(match.group(2)), int(match.group(1)))
            if any(getattr(stage, field) not in options[field] for field in FIELDS):
                return None
            stages.append(stage)
        return tuple(stages)


def _choices(values: Any, field: str, stage: int) -> tuple[int, ...]:
    """A stage's distinct values of `field`, sorted, or one line saying what is wrong."""
    wrong = InvalidArgumentError(f"stage {stage}: {field} must be a list of 1 to {MAX_CHOICES} whole numbers from 1 to "
                                 f"{LARGEST[field]}, got {values!r:.80}")
    if isinstance(values, (str, bytes, Mapping)) or not isinstance(values, Sequence) or not 1 <= len(values) <= MAX_CHOICES:
        raise wrong
    if any(isinstance(v, bool) or not isinstance(v, (int, np.integer)) or not 1 <= v <= LARGEST[field] for v in values):
        raise wrong
    return tuple(sorted(set(int(v) for v in values)))


@SPACES.register("macro")
class MacroSpace(LayerSpace):
    """The seed article's CNN space: `stages` stages that offer the same choices. The
    defaults (3 stages, depth 1-3, width 16-128, kernel 3-5) hold the article's image
    VAE: d1w32k4+d1w64k4+d1w128k4."""

    name = "macro"

    def __init__(
        self,
        stages: int = 3,
        depths: tuple[int, ...] = (1, 2, 3),
        widths: tuple[int, ...] = (16, 32, 64, 128),
        kernels: tuple[int, ...] = (3, 4, 5),
    ) -> None:
        if isinstance(stages, bool) or not isinstance(stages, int) or not 1 <= stages <= MAX_STAGES:
            raise InvalidArgumentError(f"macro needs a whole number of 1 to {MAX_STAGES} stages, got {stages!r:.40}")
        self.depths, self.widths, self.kernels = depths, widths, kernels
        super().__init__([{"depth": depths, "width": widths, "kernel": kernels}] * stages)


def _split(items: tuple[str, ...], separator: str) -> list[list[str]]:
    runs: list[list[str]] = [[]]
    for item in items:
        if item == separator:
            runs.append([])
        else:
            runs[-1].append(item)
    return runs
