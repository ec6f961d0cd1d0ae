"""Data-free zero-cost proxies (synflow, params, flops) computed at search time for any
space vaenas can build a network for: macro and NAS-Bench-201 cells through the network
their training objective would train, any space through a user's `build(arch)`.

Scores are cached per space, input shape, network and proxy in the VAE cache folder,
under a key that holds the digest of the code that builds and scores the networks (the
proxies, the networks, the user's function) and of what the networks are (modules,
parameter shapes and initial values of a fixed sample), so a second search reads them
back and a change of that code, or of what a user's `build` closes over, computes them
anew. A cache file is checked whole (its key, its count, a digest of its scores, finite
numbers) and computed again, with one warning, where anything is off."""

from __future__ import annotations

import hashlib
import inspect
import json
import multiprocessing
import math
import pickle
import warnings
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor
from functools import cached_property, partial
from pathlib import Path
from typing import Any

import numpy as np
import torch
from torch import nn

from vaenas.errors import InvalidArgumentError
from vaenas.objectives import networks, proxies
from vaenas.objectives import nb201_network
from vaenas.saved_files import write_json_atomic
from vaenas.spaces.base import Arch, SearchSpace
from vaenas.vae.pretrain import default_cache_dir

Progress = Callable[[int, int], None]
"""progress(done, total) while scores are computed."""
CACHE_FORMAT = 2
MAX_PARAMETERS = 200_000_000
"""The largest network the proxies score (synflow copies it in double precision)."""
FINGERPRINT_SAMPLE = 3
"""Architectures built to tell one network function from another (what `build` closes over)."""


class NetworkProxies:
    """A ProxyRanking: `build(arch)` makes the untrained network (seeded, so a score does
    not change between searches), which takes inputs of `in_shape` (channels, height,
    width). `network` names what `build` makes (e.g. the objective and its settings) and
    goes into the cache key with the code's digest. `workers`: processes that score at
    once (the study's workers)."""

    def __init__(self, space: SearchSpace, build: Callable[[Arch], nn.Module], in_shape: tuple[int, ...],
                 network: dict[str, Any], cache_dir: Path | None = None, progress: Progress | None = None,
                 workers: int = 1) -> None:
        if len(in_shape) != 3 or not all(isinstance(n, int) and n > 0 for n in in_shape):
            raise InvalidArgumentError(f"input_shape must be (channels, height, width) in whole numbers, got {in_shape}")
        self.space, self.build, self.in_shape = space, build, tuple(in_shape)
        self.network, self.progress, self.workers = network, progress, workers
        self.cache_dir = (cache_dir or default_cache_dir()) / "proxies"
        self.computed = 0
        """Scores computed (not read from the cache) by this object: what tests watch."""
        self._known: dict[str, dict[str, float]] = {}
        """Per proxy, the scores read or computed so far: a strategy asks on every step."""

    @cached_property
    def code(self) -> str:
        return code_digest(self.build)

    @cached_property
    def networks(self) -> str:
        return network_fingerprint(self.space, self.build)

    def cache_key(self, proxy: str) -> str:
        settings = {"space": self.space.name, "definition": self.space.definition(), "in_shape": self.in_shape,
                    "network": self.network, "proxy": proxy, "code": self.code, "networks": self.networks}
        return hashlib.sha1(json.dumps(settings, sort_keys=True, default=str).encode()).hexdigest()

    def cache_file(self, proxy: str) -> Path:
        return self.cache_dir / f"{self.space.name}-{proxy}-{self.cache_key(proxy)[:12]}.json"

    def scores(self, archs: list[Arch], proxy: str) -> list[float]:
        if proxy not in proxies.DATA_FREE:
            raise InvalidArgumentError(f"a warm start computes data-free proxies: {', '.join(proxies.DATA_FREE)}; "
                                       f"got {proxy!r}")
        if proxy not in self._known:  # the file is read once; later asks find every score here
            self._known[proxy] = read_cache(self.cache_file(proxy), self.cache_key(proxy))
        cached = self._known[proxy]
        keys = [self.space.key(arch) for arch in archs]
        missing = [(key, arch) for key, arch in zip(keys, archs) if key not in cached]
        try:
            for done, (key, value) in enumerate(zip([k for k, _ in missing], self._compute(missing, proxy)), 1):
                cached[key] = value
                self.computed += 1
                if self.progress is not None:
                    self.progress(done, len(missing))
        finally:  # what was computed before an interruption is kept
            if missing:
                write_json_atomic(self.cache_file(proxy), cache_payload(self.cache_key(proxy), cached))
        return [cached[key] for key in keys]

    def _compute(self, named: list[tuple[str, Arch]], proxy: str) -> Iterator[float]:
        """The scores of the (name, architecture) pairs in order: over `workers` processes
        where there are enough of them and `build` can be sent to a process (a lambda
        cannot), else here."""
        if self.workers < 2 or len(named) < 2 * self.workers or not _picklable(self.build):
            yield from (score_network(self.build, self.in_shape, arch, proxy, name) for name, arch in named)
            return
        with ProcessPoolExecutor(self.workers, mp_context=multiprocessing.get_context("spawn"),
                                 initializer=_hold_builder, initargs=(self.build, self.in_shape)) as pool:
            chunk = max(1, len(named) // (self.workers * 8))
            yield from pool.map(_held_score, named, [proxy] * len(named), chunksize=chunk)


_HELD: dict[str, Any] = {}
"""A proxy worker process's `build` and input shape, sent once rather than with each task."""


def _hold_builder(build: Callable[[Arch], nn.Module], in_shape: tuple[int, ...]) -> None:
    torch.set_num_threads(1)  # one process per core
    _HELD.update(build=build, in_shape=in_shape)


def _held_score(named: tuple[str, Arch], proxy: str) -> float:
    name, arch = named
    return score_network(_HELD["build"], _HELD["in_shape"], arch, proxy, name)


def _picklable(build: Callable[..., Any]) -> bool:
    try:
        pickle.dumps(build)
    except Exception:  # pickling raises many kinds (PicklingError, AttributeError, TypeError)
        return False
    return True


def score_network(build: Callable[[Arch], nn.Module], in_shape: tuple[int, ...], arch: Arch, proxy: str,
                  name: str | None = None) -> float:
    """A data-free proxy of the network `build(arch)` makes with torch seed 0, its lazy
    layers materialised by one zero input; `name`: the architecture's string form, for
    the error a wrong `build` gets."""
    model = seeded_network(build, arch, name)
    if any(isinstance(p, nn.parameter.UninitializedParameter) for p in model.parameters()):
        with torch.no_grad(), torch.random.fork_rng():  # a lazy layer takes its shape from a first input
            torch.manual_seed(0)
            model.eval()(torch.zeros(1, *in_shape))
    return float(proxies.DATA_FREE[proxy](model, in_shape))


def seeded_network(build: Callable[[Arch], nn.Module], arch: Arch, name: str | None = None) -> nn.Module:
    """`build(arch)` with torch seed 0, or one line where it is no network the proxies can
    score (not a Module, more than MAX_PARAMETERS parameters, more memory than there is)."""
    what = f"build({name or repr(arch)})"
    try:
        with torch.random.fork_rng():
            torch.manual_seed(0)
            model = build(arch)
    except (MemoryError, RuntimeError) as exc:
        if not isinstance(exc, MemoryError) and "memory" not in str(exc).lower():
            raise
        raise InvalidArgumentError(f"{what} needs more memory than this machine has: make smaller networks") from None
    if not isinstance(model, nn.Module):
        raise InvalidArgumentError(f"{what} returned {type(model).__name__}, not a torch.nn.Module")
    count = sum(p.numel() for p in model.parameters() if not isinstance(p, nn.parameter.UninitializedParameter))
    if count > MAX_PARAMETERS:
        raise InvalidArgumentError(f"{what} made a network of {count:,} parameters; proxies score networks of at most "
                                   f"{MAX_PARAMETERS:,}")
    return model


def code_digest(build: Callable[..., Any]) -> str:
    """The digest of the proxies' and networks' code and of `build`'s own source (its
    name where the source cannot be read)."""
    sources = [inspect.getsource(module) for module in (proxies, networks, nb201_network)]
    if isinstance(build, partial):  # the objective's network function with its data's settings bound
        build = build.func
    try:
        sources.append(inspect.getsource(build))
    except (OSError, TypeError):
        sources.append(getattr(build, "__qualname__", repr(type(build))))
    return hashlib.sha1("\n".join(sources).encode()).hexdigest()[:12]


def network_fingerprint(space: SearchSpace, build: Callable[[Arch], nn.Module]) -> str:
    """What `build` makes, as a digest of the modules, parameter shapes and seeded initial
    values of a fixed sample of its networks: two functions of the same source that close
    over different settings (a width table) make different networks, so different keys."""
    rng = np.random.default_rng(0)
    digest = hashlib.sha1()
    for arch in [space.sample(rng) for _ in range(FINGERPRINT_SAMPLE)]:
        model = seeded_network(build, arch, space.format(arch))
        digest.update(repr(model).encode())
        for name, parameter in model.named_parameters():
            if isinstance(parameter, nn.parameter.UninitializedParameter):
                digest.update(f"{name} lazy".encode())
                continue
            digest.update(f"{name} {tuple(parameter.shape)} ".encode())
            digest.update(parameter.detach().double().flatten()[:64].numpy().tobytes())
    return digest.hexdigest()[:12]


def cache_payload(key: str, scores: dict[str, float]) -> dict[str, Any]:
    return {"format": CACHE_FORMAT, "key": key, "count": len(scores), "digest": _scores_digest(scores),
            "scores": scores}


def _scores_digest(scores: dict[str, float]) -> str:
    return hashlib.sha1(json.dumps(scores, sort_keys=True).encode()).hexdigest()


def read_cache(path: Path, key: str) -> dict[str, float]:
    """The cached scores, checked whole; a file that is missing is nothing cached, and one
    that is damaged or edited (it is only a cache) is computed again, saying so once."""
    try:
        data = json.loads(path.read_text())
    except FileNotFoundError:
        return {}
    except (OSError, ValueError, RecursionError) as exc:
        return _unusable(path, f"it cannot be read ({type(exc).__name__})")
    if not isinstance(data, dict) or data.get("format") != CACHE_FORMAT or data.get("key") != key:
        return _unusable(path, "it is not a vaenas proxy cache of these networks")
    scores = data.get("scores")
    if not isinstance(scores, dict) or data.get("count") != len(scores):
        return _unusable(path, "its scores are not the count it records")
    if not all(type(v) in (int, float) and math.isfinite(v) for v in scores.values()):
        return _unusable(path, "it holds a score that is not a finite number")
    if data.get("digest") != _scores_digest(scores):
        return _unusable(path, "its scores were changed after they were computed")
    return {str(k): float(v) for k, v in scores.items()}


def _unusable(path: Path, why: str) -> dict[str, float]:
    warnings.warn(f"proxy cache {path} is not used ({why}): its scores are computed again", stacklevel=3)
    return {}


def user_network_proxies(space: SearchSpace, build: Callable[[Arch], nn.Module],
                         input_shape: tuple[int, ...] | None) -> NetworkProxies:
    """The proxies of a user's `build(arch)` networks, for inputs of `input_shape`."""
    if not callable(build):
        raise InvalidArgumentError(f"build must be a function arch -> torch.nn.Module, got {build!r}")
    if input_shape is None:
        raise InvalidArgumentError("build= needs input_shape=(channels, height, width): the proxies feed the "
                                   "network an input of that shape")
    return NetworkProxies(space, build, tuple(input_shape), {"build": getattr(build, "__qualname__", "build")})


def objective_proxies(space: SearchSpace, objective: Any, cache_dir: Path | None = None,
                      progress: Progress | None = None, workers: int = 1) -> NetworkProxies | None:
    """The proxies of the networks a classifier objective (classifier, cell-classifier,
    proxy, cell-proxy) trains on its data, scored by `workers` processes; None for an
    objective that builds none."""
    if not builds_networks(type(objective)):
        return None
    network = {"objective": objective.kind, **objective.settings()}
    return NetworkProxies(space, objective.network_builder(), tuple(objective.data.shape), network, cache_dir,
                          progress, workers)


def builds_networks(objective_class: type) -> bool:
    """Whether an objective class builds a classifier network per architecture."""
    from vaenas.objectives.classifier import ClassifierObjective

    return isinstance(objective_class, type) and issubclass(objective_class, ClassifierObjective)
