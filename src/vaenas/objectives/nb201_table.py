"""NAS-Bench-201 by lookup in the bundled NATS-Bench table (no download)."""

from __future__ import annotations

import csv
import gzip
import io
from functools import cache
from importlib import resources
from typing import ClassVar

from vaenas.errors import DataError, UnknownNameError
from vaenas.objectives.base import Evaluation, Objective
from vaenas.objectives.registry import OBJECTIVES
from vaenas.objectives.reporting import Trial
from vaenas.spaces.nb201 import Nb201Arch, Nb201Space

COLUMNS = {
    "cifar10": "CIFAR10TestAccuracy200Epochs",
    "cifar100": "CIFAR100TestAccuracy200Epochs",
    "imagenet16-120": "ImageNetTestAccuracy200Epochs",
}
TABLE_FILE = "nats_bench.csv.gz"


@cache
def load_table() -> dict[str, tuple[float, ...]]:
    """Architecture string -> test accuracies in the order of COLUMNS (read once per process)."""
    try:
        raw = resources.files("vaenas.objectives").joinpath("data", TABLE_FILE).read_bytes()
        text = gzip.decompress(raw).decode()
    except (OSError, EOFError) as exc:
        raise DataError(
            f"the bundled NAS-Bench-201 table {TABLE_FILE} is missing or corrupt ({exc}); "
            "reinstall vaenas"
        ) from None
    rows = csv.DictReader(io.StringIO(text))
    return {
        row["ArchitectureString"]: tuple(float(row[col]) for col in COLUMNS.values())
        for row in rows
    }


@OBJECTIVES.register("nb201")
class Nb201Table(Objective):
    """Test accuracy (%) after 200 epochs, mean over the trained seeds, from NATS-Bench.

    The table holds no training times, so an evaluation's cost is 0 seconds.
    """

    name = "nb201"
    is_lookup = True
    space_name = "nb201"
    value_name = "accuracy"
    datasets: ClassVar[tuple[str, ...]] = tuple(COLUMNS)

    default_dataset = "cifar10"

    def __init__(self, dataset: str = default_dataset) -> None:
        if dataset not in COLUMNS:
            raise UnknownNameError(
                f"unknown data set {dataset!r} for objective nb201; "
                f"choose one of: {', '.join(COLUMNS)}"
            )
        self.dataset = dataset
        self._column = list(COLUMNS).index(dataset)
        self._space = Nb201Space()
        self._values = {key: accs[self._column] for key, accs in load_table().items()}
        self._optimum = max(self._values.values())

    @property
    def optimum(self) -> float:
        return self._optimum

    def evaluate(self, arch: Nb201Arch, trial: Trial | None = None) -> Evaluation:
        key = self._space.key(arch)
        try:
            value = self._values[key]
        except KeyError:
            raise DataError(f"architecture {key} is not in the NAS-Bench-201 table") from None
        return Evaluation(value=value, metrics={"test_accuracy": value})
