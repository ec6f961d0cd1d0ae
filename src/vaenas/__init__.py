"""vaenas: neural architecture search driven by a variational autoencoder over architectures.

The library in a few names (imported on first use, so that `import vaenas` stays light):

    study = vaenas.create_study(space=vaenas.spaces.CellSpace(n_nodes=4, ops=[...]), strategy="bo")
    study.optimize(my_training_function, n_trials=20)
    study.best_arch, study.best_value, study.trials_dataframe()
"""

from __future__ import annotations

import importlib
import sys
from typing import TYPE_CHECKING, Any

from vaenas.cpu_share import apply_to_environment

if "torch" not in sys.modules:  # the library, like the command line, computes on its fair share of the
    apply_to_environment()  # CPUs (torch sizes its thread pools when it loads; a user who loaded it first chose)

if TYPE_CHECKING:
    from vaenas.objectives import Evaluation
    from vaenas.objectives.reporting import Trial, TrialPruned
    from vaenas.objectives.trained_model import load_model
    from vaenas.study import Study, TrialStatus
    from vaenas.study.create import create_study
    from vaenas.study.load import load_study
    from vaenas.study.trial_log import set_verbosity

__version__ = "0.1.0"

_LAZY = {
    "create_study": "vaenas.study.create",
    "Study": "vaenas.study",
    "TrialStatus": "vaenas.study",
    "Evaluation": "vaenas.objectives",
    "Trial": "vaenas.objectives.reporting",
    "TrialPruned": "vaenas.objectives.reporting",
    "load_model": "vaenas.objectives.trained_model",
    "load_study": "vaenas.study.load",
    "set_verbosity": "vaenas.study.trial_log",
}
"""Public name -> the module that defines it. load_model reloads a network saved by a
search (best_model.pt) or by `vaenas train` (model.pt), in eval mode."""


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        return getattr(importlib.import_module(_LAZY[name]), name)
    if name in ("spaces", "search", "objectives", "study", "vae", "proxies"):
        return importlib.import_module(f"vaenas.{name}")
    raise AttributeError(f"module 'vaenas' has no attribute {name!r}")


__all__ = ["Evaluation", "Study", "Trial", "TrialPruned", "TrialStatus", "create_study", "load_model", "load_study",
           "set_verbosity"]
