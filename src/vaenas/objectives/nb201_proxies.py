"""The data-free zero-cost proxies of every NAS-Bench-201 cell, computed once on the
benchmark's network (`benchmarks/nb201_proxies.py` regenerates and checks them) and
shipped beside the accuracy table, so that a search can use them at no cost."""

from __future__ import annotations

import csv
import gzip
import math
from functools import lru_cache
from pathlib import Path

import torch

from vaenas.errors import DataError
from vaenas.objectives.nb201_network import Nb201Network
from vaenas.objectives.proxies import DATA_FREE
from vaenas.spaces.nb201 import Nb201Arch

PROXY_COLUMNS = ("synflow", "params", "flops")
"""synflow is stored as log10 (its values span 50 orders of magnitude)."""


def proxies_path() -> Path:
    return Path(__file__).parent / "data" / "nb201_proxies.csv.gz"


def compute_proxies(arch: Nb201Arch) -> dict[str, float]:
    """The data-free proxies of one cell, on its network built with torch seed 0."""
    torch.manual_seed(0)
    network = Nb201Network(arch)
    values = {name: proxy(network) for name, proxy in DATA_FREE.items()}
    values["synflow"] = math.log10(values["synflow"]) if values["synflow"] > 0 else -math.inf
    return values


@lru_cache(maxsize=1)
def load_proxies() -> dict[str, dict[str, float]]:
    """Cell string -> proxy name -> value."""
    path = proxies_path()
    try:
        with gzip.open(path, "rt") as f:
            return {row["arch"]: {c: float(row[c]) for c in PROXY_COLUMNS} for row in csv.DictReader(f)}
    except (OSError, KeyError, ValueError) as exc:
        raise DataError(f"{path} is missing or damaged ({exc}); reinstall vaenas") from None
