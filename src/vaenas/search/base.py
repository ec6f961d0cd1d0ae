"""The ask/tell interface that every search strategy implements."""

from __future__ import annotations

from abc import ABC, abstractmethod
from typing import Any, ClassVar

import numpy as np

from vaenas.search.option_rules import Option
from vaenas.spaces.base import Arch, SearchSpace

Score = float | tuple[float, ...]
"""What a strategy is told of a successful trial: one higher-is-better value, or one per
objective in a multi-objective study."""


class Strategy(ABC):
    """A search strategy behind one ask/tell interface.

    Lifecycle of a trial, as the study loop drives it:

    1. `ask(n)` returns up to `n` architectures to evaluate. Each is a *query*: distinct
       from every architecture evaluated or pending so far, so nothing is evaluated twice
       and a re-proposal is never charged to the budget. Fewer than `n` come back only
       when a finite space is exhausted.
    2. The study evaluates them (possibly asynchronously, in any order) and calls
       `tell(arch, score)` for each: `score` is higher-is-better (a tuple of such values
       in a multi-objective study), or None when the trial failed. Failed trials are remembered as seen but otherwise ignored.
    3. `ask` may be called again while earlier asks are still pending.

    On resume, the study replays finished trials by calling `tell` for architectures
    that were never asked in this process; strategies must accept that.

    A strategy never evaluates anything and never touches files: what it learns beyond
    its trials (a fine-tuned model) it hands the study as `learned_state`, which a study
    with a folder keeps there and gives back through `restore_learned_state` on resume.
    Subclasses implement `_propose` (one candidate, possibly already seen: the base class
    filters it) and `_observe` (learn from one successful trial). All randomness comes
    from `self.rng`.
    """

    name: ClassVar[str]
    max_proposal_tries: ClassVar[int] = 200
    objectives: ClassVar[str] = "one"
    """How many objectives the strategy searches: "one" (a score is a float), "many" (a
    score is a tuple, one higher-is-better entry per objective) or "any" (it never
    reads scores)."""

    declared_options: ClassVar[dict[str, Option]] = {}
    """The options a user sets (`-S`, `strategy_options`), with default, range and help;
    other constructor settings are for research (benchmark scripts, `-X`)."""

    learned_state_version: int = 0
    """Bumped each time `learned_state` changes, so the study knows when to keep it."""

    reads_proxies: ClassVar[bool] = False
    """Whether the constructor takes `proxies=` (a ProxyRanking, for a zero-cost warm
    start on spaces that ship no proxy table)."""

    @classmethod
    def check_space(cls, space: SearchSpace, options: dict[str, Any], proxies_computable: bool = False) -> None:
        """Refuses options that do not fit `space` (a VaenasError), before anything slow
        such as pretraining a VAE; `proxies_computable`: whether a network can be built for
        the space's architectures. The default accepts every space."""

    def __init__(self, space: SearchSpace, seed: int = 0) -> None:
        self.space = space
        self.rng = np.random.default_rng(seed)
        self._pending: dict[str, Arch] = {}
        self._scores: dict[str, Score | None] = {}

    @property
    def n_told(self) -> int:
        return len(self._scores)

    def is_seen(self, arch: Arch) -> bool:
        key = self.space.key(arch)
        return key in self._scores or key in self._pending

    def score_of(self, arch: Arch) -> Score | None:
        """The score told for `arch`; None when it failed or is not evaluated yet."""
        return self._scores.get(self.space.key(arch))

    def is_pending(self, arch: Arch) -> bool:
        return self.space.key(arch) in self._pending

    def ask(self, n: int = 1) -> list[Arch]:
        proposals: list[Arch] = []
        for _ in range(n):
            arch = self._next_query()
            if arch is None:
                break
            self._pending[self.space.key(arch)] = arch
            proposals.append(arch)
        return proposals

    def reserve(self, arch: Arch) -> None:
        """Marks an architecture as pending without asking for it (a trial the study
        re-runs after a crash), so that it is not proposed again meanwhile."""
        self._pending[self.space.key(arch)] = arch

    def tell(self, arch: Arch, score: Score | None) -> None:
        key = self.space.key(arch)
        self._pending.pop(key, None)
        if key in self._scores:
            return
        self._scores[key] = score
        if score is not None:
            self._observe(arch, score)

    def learned_state(self) -> dict[str, Any] | None:
        """What replaying the trials would not give back exactly (tensors and plain
        values only); None: nothing (the default: a replay rebuilds every strategy that
        learns only from its trials in order)."""
        return None

    def restore_learned_state(self, state: dict[str, Any]) -> None:
        """Called with the kept `learned_state` before the trials are replayed."""

    def _next_query(self) -> Arch | None:
        for _ in range(self.max_proposal_tries):
            arch = self._propose()
            if not self.is_seen(arch):
                return arch
        return self._random_unseen()

    def _random_unseen(self) -> Arch | None:
        """Fallback when the strategy keeps re-proposing seen architectures."""
        size = self.space.size
        n_seen = len(self._scores) + len(self._pending)
        if size is not None and n_seen >= size:
            return None
        for _ in range(self.max_proposal_tries):
            arch = self.space.sample(self.rng)
            if not self.is_seen(arch):
                return arch
        if size is None:
            return None
        unseen = [arch for arch in self.space.enumerate() if not self.is_seen(arch)]
        return unseen[int(self.rng.integers(len(unseen)))] if unseen else None

    @abstractmethod
    def _propose(self) -> Arch:
        """One candidate architecture; it may be one already seen."""

    def _observe(self, arch: Arch, score: Score) -> None:
        """Learns from one successful trial (default: nothing to learn)."""
