"""A folder of generated shapes (circle, cross, square, triangle) in torchvision's
ImageFolder layout: random colours, positions, sizes, rotations and noise, 24 to 96
pixels, PNG and JPEG. Small and real enough to tell training recipes and architectures
apart (8x8 digits cannot), and made offline, so tests, benchmarks and the docs' walk-through
all have a folder of images.

    python -m vaenas.objectives.shapes DIR [--per-class 100] [--seed 0]
"""

from __future__ import annotations

import argparse
import math
from pathlib import Path

import numpy as np

SHAPES = ("circle", "cross", "square", "triangle")


def draw_shape(kind: str, rng: np.random.Generator):  # -> PIL.Image.Image
    """One RGB image of `kind`: a random size, background, colour (at least a little
    contrast), place, scale, rotation and stroke, plus Gaussian pixel noise."""
    from PIL import Image, ImageDraw

    side = int(rng.integers(24, 97))
    background = rng.integers(0, 256, size=3)
    colour = rng.integers(0, 256, size=3)
    while np.abs(colour - background).sum() < 200:
        colour = rng.integers(0, 256, size=3)
    picture = Image.new("RGB", (side, side), tuple(int(c) for c in background))
    pen = ImageDraw.Draw(picture)
    radius = side * rng.uniform(0.26, 0.4)
    cx, cy = (side / 2 + rng.uniform(-0.12, 0.12, size=2) * side)
    turn = rng.uniform(-0.3, 0.3)
    fill = tuple(int(c) for c in colour)

    def turned(points: list[tuple[float, float]]) -> list[tuple[float, float]]:
        c, s = math.cos(turn), math.sin(turn)
        return [(cx + radius * (x * c - y * s), cy + radius * (x * s + y * c)) for x, y in points]

    if kind == "circle":
        pen.ellipse((cx - radius, cy - radius, cx + radius, cy + radius), fill=fill)
    elif kind == "square":
        pen.polygon(turned([(-0.8, -0.8), (0.8, -0.8), (0.8, 0.8), (-0.8, 0.8)]), fill=fill)
    elif kind == "triangle":
        pen.polygon(turned([(0.0, -1.0), (0.87, 0.5), (-0.87, 0.5)]), fill=fill)
    elif kind == "cross":
        arm = rng.uniform(0.18, 0.3)
        pen.polygon(turned([(-1, -arm), (1, -arm), (1, arm), (-1, arm)]), fill=fill)
        pen.polygon(turned([(-arm, -1), (arm, -1), (arm, 1), (-arm, 1)]), fill=fill)
    else:
        raise ValueError(f"unknown shape {kind!r}; one of {', '.join(SHAPES)}")
    pixels = np.asarray(picture, dtype=np.float32) + rng.normal(0.0, rng.uniform(4, 20), size=(side, side, 3))
    return Image.fromarray(np.clip(pixels, 0, 255).astype(np.uint8))


def write_shapes_folder(root: Path | str, per_class: int = 100, seed: int = 0) -> Path:
    """`per_class` images of each shape under root/<shape>/, every other one a JPEG."""
    root = Path(root)
    rng = np.random.default_rng(seed)
    for kind in SHAPES:
        folder = root / kind
        folder.mkdir(parents=True, exist_ok=True)
        for number in range(per_class):
            picture = draw_shape(kind, rng)
            if number % 2:
                picture.save(folder / f"{number:04d}.jpg", quality=90)
            else:
                picture.save(folder / f"{number:04d}.png")
    return root


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folder", type=Path)
    parser.add_argument("--per-class", type=int, default=100)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    write_shapes_folder(args.folder, args.per_class, args.seed)
    print(f"wrote {args.per_class * len(SHAPES)} images of {len(SHAPES)} shapes to {args.folder}")


if __name__ == "__main__":
    main()
