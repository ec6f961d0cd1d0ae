"""Your own images: a folder with one subfolder per class, torchvision's ImageFolder
layout and class order, read with Pillow (torchvision has no CPU build for the pinned
torch), resized to a square, grey or RGB."""

from __future__ import annotations

import os
import warnings
from pathlib import Path

import numpy as np

from vaenas.errors import DataError
from vaenas.objectives.image_data import IMAGE_DATASETS, ImageData, split_normalised

IMAGE_EXTENSIONS = (".jpg", ".jpeg", ".png", ".ppm", ".bmp", ".pgm", ".tif", ".tiff", ".webp")
"""What torchvision's ImageFolder reads."""


def class_folders(root: Path) -> list[str]:
    """The class names, sorted as torchvision sorts them (class k is the k-th)."""
    if not root.is_dir():
        raise DataError(f"image folder {root} does not exist or is not a folder; pass --data folder:DIR with one "
                        "subfolder of images per class (DIR/cat/1.jpg, DIR/dog/2.png, ...)")
    classes = sorted(entry.name for entry in os.scandir(root) if entry.is_dir() and not entry.name.startswith("."))
    if len(classes) < 2:
        raise DataError(f"image folder {root} has {len(classes)} class subfolder(s); a classifier needs at least 2 "
                        "(one subfolder of images per class)")
    return classes


def load_image_folder(root: Path, image_size: int = 32, data_seed: int = 0) -> ImageData:
    """Every image of every class folder, resized to image_size x image_size (bilinear),
    grey when all are grey, else RGB; a fixed stratified train/validation/test split by
    `data_seed`, the folder names kept as class names. A file whose name is not an
    image's (notes.txt, Thumbs.db) is skipped with one warning naming it, as torchvision
    skips it; an image that does not decode, or a class without images, is one line
    naming it."""
    if isinstance(image_size, bool) or not isinstance(image_size, int) or not 4 <= image_size <= 1024:
        raise DataError(f"image size must be a whole number from 4 to 1024, got {image_size!r}")
    root = Path(root)
    images, labels, modes, skipped = [], [], set(), []
    names = class_folders(root)
    for label, name in enumerate(names):
        files = sorted(p for p in (root / name).rglob("*") if p.is_file() and not p.name.startswith("."))
        skipped += [p for p in files if p.suffix.lower() not in IMAGE_EXTENSIONS]
        files = [p for p in files if p.suffix.lower() in IMAGE_EXTENSIONS]
        if not files:
            raise DataError(f"class folder {root / name} holds no image ({', '.join(IMAGE_EXTENSIONS)}); put its "
                            "images there or remove it")
        for path in files:
            picture = resized(open_picture(path), (image_size, image_size))
            modes.add(picture.mode)
            images.append(picture)
            labels.append(label)
    if skipped:
        more = f" and {len(skipped) - 3} more" if len(skipped) > 3 else ""
        warnings.warn(f"skipped {len(skipped)} file(s) that are not images: {', '.join(map(str, skipped[:3]))}{more}",
                      stacklevel=2)
    channels = 1 if modes == {"L"} else 3
    x = np.stack([as_array(p, channels) for p in images])
    return split_normalised(f"folder:{root}", x, np.asarray(labels, dtype=np.int64), len(names), data_seed,
                            tuple(names))


def open_picture(path: Path):  # -> PIL.Image.Image
    """The decoded image at `path`, or one line saying why it is not one."""
    from PIL import Image, UnidentifiedImageError

    if not path.is_file():
        raise DataError(f"image {path} does not exist or is not a file")
    try:
        with Image.open(path) as opened:
            opened.load()
            return opened.copy()
    except Image.DecompressionBombError:
        raise DataError(f"{path} would decode to more than {2 * (Image.MAX_IMAGE_PIXELS or 0):,} pixels (a "
                        "decompression bomb or a huge image); resize it or remove it") from None
    except (UnidentifiedImageError, OSError, ValueError) as exc:
        raise DataError(f"{path} is not a readable image ({type(exc).__name__}); replace or remove it") from None


def resized(picture, size: tuple[int, int]):  # PIL in, PIL out
    """Grey (L) or RGB, then resized bilinearly: the first half of what a training image goes through."""
    from PIL import Image

    grey = picture.mode in ("1", "L", "I", "I;16", "F")
    return picture.convert("L" if grey else "RGB").resize(size, Image.Resampling.BILINEAR)


def as_array(picture, channels: int) -> np.ndarray:
    """(channels, h, w) float32 in [0, 1]: the second half."""
    x = np.asarray(picture.convert("L" if channels == 1 else "RGB"), dtype=np.float32) / 255.0
    return x[None] if channels == 1 else x.transpose(2, 0, 1)


def picture_array(picture, channels: int, size: tuple[int, int]) -> np.ndarray:
    """An image prepared exactly as `load_image_folder` prepares a training image."""
    return as_array(resized(picture, size), channels)


@IMAGE_DATASETS.register("folder")
def _folder(path: str, seed: int, image_size: int, data_seed: int) -> ImageData:
    if not path:
        raise DataError("folder needs its path: --data folder:DIR (one subfolder of images per class)")
    return load_image_folder(Path(path), image_size, data_seed)
