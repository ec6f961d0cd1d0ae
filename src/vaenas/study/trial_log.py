"""The `vaenas` logger: one line per finished trial and the progress of a VAE pretrained
on first use, as Optuna logs its trials. It prints to stderr at INFO from the first
study on; `vaenas.set_verbosity(logging.WARNING)` (or any level) quiets it, and the
command line, which draws progress bars, sets WARNING."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # the trial log is imported by every command, torch only where one runs
    from vaenas.vae.archvae import EpochCallback

logger = logging.getLogger("vaenas")
_configured = False


def ensure_handler() -> None:
    """Adds a stderr handler at INFO the first time a study is created, unless the user
    configured the `vaenas` logger (a level or a handler) before."""
    global _configured
    if _configured:
        return
    _configured = True
    if logger.handlers or logger.level != logging.NOTSET:
        return
    handler = logging.StreamHandler()
    handler.setFormatter(logging.Formatter("[vaenas %(asctime)s] %(message)s", "%H:%M:%S"))
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    logger.propagate = False


def set_verbosity(level: int) -> None:
    """The least level the `vaenas` logger prints (logging.INFO, logging.WARNING ...)."""
    global _configured
    ensure_handler()
    _configured = True
    logger.setLevel(level)


def pretraining_logger(space: str, every: int = 10) -> EpochCallback:
    """An epoch callback that logs VAE pretraining every `every` epochs and at the end."""

    def on_epoch(epoch: int, epochs: int, loss: float) -> None:
        if epoch == 1 or epoch % every == 0 or epoch == epochs:
            logger.info("pretraining the VAE of space %s (first use, then cached): epoch %d/%d, loss %.3f",
                        space, epoch, epochs, loss)

    return on_epoch
