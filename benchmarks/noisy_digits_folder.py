"""A harder image folder for the benchmarks that need one, made offline from scikit-learn's
digits: each 8x8 digit shifted by up to a pixel, dimmed, laid over a random brightness
gradient and noise, written as grey PNGs in torchvision's ImageFolder layout. Plain
digits saturate (99-100% validation accuracy after two epochs), so architectures barely
differ there; nothing downloads, so a natural-image folder cannot ship.

    python benchmarks/noisy_digits_folder.py /tmp/noisy-digits

writes DIR/search/<class>/*.png (1,437 images, what a search trains and validates on) and
DIR/test/<class>/*.png (360 held-out images, never seen by the search).
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np

N_TEST = 360
"""As many held-out images as vaenas' digits keep for their test set."""


def noisy_digits(seed: int = 0, noise: float = 0.1) -> tuple[np.ndarray, np.ndarray]:
    """The 1,797 digits in [0, 1], each shifted, dimmed and noised (`noise` is the std of the
    Gaussian pixel noise), and their labels."""
    from sklearn.datasets import load_digits

    digits = load_digits()
    rng = np.random.default_rng(seed)
    images = digits.images / 16.0
    out = np.empty_like(images)
    ramp = np.linspace(-1.0, 1.0, 8)
    for k, image in enumerate(images):
        dy, dx = rng.integers(-1, 2, size=2)
        shifted = np.zeros_like(image)
        shifted[max(dy, 0):8 + min(dy, 0), max(dx, 0):8 + min(dx, 0)] = \
            image[max(-dy, 0):8 - max(dy, 0), max(-dx, 0):8 - max(dx, 0)]
        gx, gy = rng.uniform(-0.25, 0.25, size=2)
        background = 0.3 + gx * ramp[None, :] + gy * ramp[:, None]
        out[k] = background + rng.uniform(0.4, 0.8) * shifted + rng.normal(0.0, noise, size=image.shape)
    return np.clip(out, 0.0, 1.0), digits.target


def write_folder(root: Path, seed: int = 0) -> None:
    """DIR/search and DIR/test, one subfolder per digit."""
    from PIL import Image

    x, y = noisy_digits(seed)
    order = np.random.default_rng(seed + 1).permutation(len(x))
    for part, indices in (("test", order[:N_TEST]), ("search", order[N_TEST:])):
        for index in indices:
            folder = root / part / str(y[index])
            folder.mkdir(parents=True, exist_ok=True)
            Image.fromarray(np.round(x[index] * 255).astype(np.uint8)).save(folder / f"{index:04d}.png")  # 2-D: grey


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folder", type=Path)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    write_folder(args.folder, args.seed)
    print(f"wrote {args.folder / 'search'} and {args.folder / 'test'}")


if __name__ == "__main__":
    main()
