"""Pretrains the default VAE of each space in SHIPPED_SPACES and puts it in the package
(src/vaenas/vae/data/), replacing what shipped before; run it after a change to the VAE's
code or defaults (tests/test_shipped_vae.py says when).

    python tools/ship_vae.py
"""

from __future__ import annotations

import json

from vaenas.spaces import make_space
from vaenas.vae import VAEConfig, pretrain
from vaenas.vae.pretrain import cache_folder
from vaenas.vae.shipped import SHIPPED_DIR, SHIPPED_SPACES


def main() -> None:
    SHIPPED_DIR.mkdir(exist_ok=True)
    for name in SHIPPED_SPACES:
        space = make_space(name)
        key = cache_folder(space, VAEConfig()).name
        for old in SHIPPED_DIR.glob(f"{name}-*.pt"):
            old.unlink()
        vae, metrics = pretrain(space, VAEConfig())
        vae.save(SHIPPED_DIR / f"{key}.pt")
        print(f"{name}: shipped {key}.pt; {json.dumps(metrics)}")


if __name__ == "__main__":
    main()
