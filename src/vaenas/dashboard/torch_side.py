"""What the dashboard needs torch for, computed in a process of its own so that its server
never loads it (`python -m vaenas.dashboard.torch_side latent|optimum FOLDER` prints
JSON):

- the latent map: every architecture of the space placed in 2-D by the PCA of its
  embedding under the space's pretrained VAE (the cached or shipped one; the dashboard
  never pretrains); the page colours the study's trials on it by value;
- the optimum of a table objective (NAS-Bench-201, NAS-Bench-Graph), for regret."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

MAX_POINTS = 50_000
"""Spaces up to this size are mapped whole (NAS-Bench-201: 15,625; macro: 46,656)."""


def latent_points(folder: Path) -> dict[str, Any]:
    from vaenas.dashboard.folder_view import config_of
    from vaenas.search import STRATEGIES
    from vaenas.spaces import space_of

    config = config_of(folder, folder)
    strategy = config.get("strategy", "")
    if strategy not in STRATEGIES or not getattr(STRATEGIES.get(strategy), "needs_vae", False):
        return {"available": False, "reason": f"strategy {strategy!r} searches without a VAE: no latent map"}
    space = space_of(config["space"], config.get("space_definition"))
    if space is None or space.size is None or space.size > MAX_POINTS:
        return {"available": False, "reason": f"space {config['space']!r} is not a finite space of at most "
                                              f"{MAX_POINTS:,} architectures: no map of it"}
    vae = _pretrained_vae(space)
    if vae is None:
        return {"available": False, "reason": f"no pretrained VAE of space {space.name!r} is cached here"}
    from vaenas.reports.latent_map import project_2d

    archs = list(space.enumerate())
    coords = project_2d(vae.encode(archs))
    return {"available": True, "keys": [space.format(a) for a in archs],
            "x": [round(float(v), 4) for v in coords[:, 0]], "y": [round(float(v), 4) for v in coords[:, 1]]}


def _pretrained_vae(space: Any) -> Any:
    """The VAE a search of `space` would use, only where it is already made."""
    from vaenas.vae.archvae import ArchVAE
    from vaenas.vae.pretrain import CHECKPOINT_FILE, VAEConfig, cache_folder
    from vaenas.vae.shipped import shipped_checkpoint

    folder = cache_folder(space, VAEConfig())
    if (folder / CHECKPOINT_FILE).is_file():
        return ArchVAE.load(folder / CHECKPOINT_FILE, space)
    shipped = shipped_checkpoint(folder.name)
    return ArchVAE.load(shipped, space) if shipped else None


def objective_optimum(folder: Path) -> dict[str, Any]:
    """The best value the study's objective can reach, where it is a table (else null)."""
    from vaenas.dashboard.folder_view import config_of
    from vaenas.objectives import OBJECTIVES, make_objective

    config = config_of(folder, folder)
    name = config.get("objective")
    if name not in OBJECTIVES or not OBJECTIVES.get(name).is_lookup:
        return {"optimum": None}
    return {"optimum": make_objective(name, config.get("dataset"), **config.get("objective_options", {})).optimum}


VIEWS = {"latent": latent_points, "optimum": objective_optimum}

if __name__ == "__main__":
    print(json.dumps(VIEWS[sys.argv[1]](Path(sys.argv[2]))))
