"""What every command of the `vaenas` command line shares: the Typer app, the console,
one line per error or warning, progress bars, and the options several commands take.

Nothing here imports torch, BoTorch or a back-end: each command imports what it runs
when it runs, so that `vaenas --help` starts at once."""

from __future__ import annotations

import contextlib
import functools
import logging
import sys
import time
import warnings
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Annotated, Any, TypeVar

import typer
from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TaskID, TextColumn, TimeElapsedColumn

from vaenas.errors import EXIT_INTERRUPTED, EXIT_TERMINATED, Terminated, VaenasError

app = typer.Typer(
    help="Neural architecture search driven by a variational autoencoder over architectures.",
    add_completion=False,
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)
console = Console()
F = TypeVar("F", bound=Callable[..., Any])
EpochCallback = Callable[[int, int, float], None]


def user_errors(command: F) -> F:
    """Turns a VaenasError into one line on stderr and exit status 2, and a warning into
    one line; the command line shows progress bars and tables, not a log line per trial."""

    @functools.wraps(command)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        from vaenas.study.trial_log import set_verbosity

        set_verbosity(logging.ERROR)
        try:
            with warnings.catch_warnings():
                warnings.showwarning = _one_line_warning
                return command(*args, **kwargs)
        except VaenasError as exc:
            Console(stderr=True).print(f"[red]error:[/red] {escape(str(exc))}", highlight=False, soft_wrap=True)
            raise typer.Exit(2) from None
        except KeyboardInterrupt as exc:  # commands with nothing to resume
            Console(stderr=True).print("interrupted", highlight=False)
            raise typer.Exit(interrupted_status(exc)) from None

    return wrapper  # type: ignore[return-value]


def _one_line_warning(message: Warning | str, *args: Any, **kwargs: Any) -> None:
    """A warning as one line on stderr, without Python's file and source line."""
    Console(stderr=True).print(f"[yellow]warning:[/yellow] {escape(str(message))}", highlight=False, soft_wrap=True)


@contextlib.contextmanager
def saved_on_interrupt(message: str) -> Iterator[None]:
    """Ctrl-C: one line saying what is kept and how to go on, exit status 130."""
    try:
        yield
    except KeyboardInterrupt as exc:
        Console(stderr=True).print(f"interrupted: {escape(message)}", highlight=False, soft_wrap=True)
        raise typer.Exit(interrupted_status(exc)) from None


def interrupted_status(exc: KeyboardInterrupt) -> int:
    """130 after Ctrl-C, 143 after SIGTERM, as a shell reports a process those signals end."""
    return EXIT_TERMINATED if isinstance(exc, Terminated) else EXIT_INTERRUPTED


class LoggedProgress(Progress):
    """Rich's bars on a terminal. Elsewhere (a pipe, a log file, CI) bars are off and each
    task prints log lines instead: at its first update (started), at every step of a task of at most 100
    (a trial finished, the best so far), at each tenth of a longer one or after 30 s, and
    when it ends, so a logged run is never silent for minutes."""

    QUIET_SECONDS = 30.0

    def __init__(self, *columns: Any, log: bool, **options: Any) -> None:
        super().__init__(*columns, disable=log, **options)
        self.log = log
        self._logged: dict[TaskID, tuple[float, float]] = {}  # task: (completed, time) of its last line

    def update(self, task_id: TaskID, *args: Any, **fields: Any) -> None:
        super().update(task_id, *args, **fields)
        if not self.log:
            return
        task = self._tasks[task_id]
        total = task.total or 0
        if task_id not in self._logged:  # announced at its first update: a run refused at once prints one line
            console.print(f"{task.description}: started{f' ({total:g} to do)' if total else ''}", highlight=False,
                          soft_wrap=True)
            self._logged[task_id] = (0.0, time.monotonic())
        last, when = self._logged[task_id]
        if task.completed == last:
            return
        tenth = total and int(10 * task.completed / total) > int(10 * last / total)
        if total <= 100 or tenth or task.completed >= total or time.monotonic() - when >= self.QUIET_SECONDS:
            status = task.fields.get("status", "")
            console.print(f"{task.description}: {task.completed:g}/{total:g}{f' {status}' if status else ''} "
                          f"({task.elapsed or 0:.0f} s)", highlight=False, soft_wrap=True)
            self._logged[task_id] = (task.completed, time.monotonic())


def progress_bars() -> Progress:
    return LoggedProgress(
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("{task.fields[status]}"),
        TimeElapsedColumn(),
        console=console,
        transient=False,
        log=not sys.stderr.isatty() and not sys.stdout.isatty(),
    )


def pretraining_bar(progress: Progress, space: str) -> EpochCallback:
    """An epoch callback that shows a bar for a VAE pretrained on first use (and nothing
    when the cache already holds it): the bar appears before the first epoch (epoch 0),
    and after it the time the first epoch took gives the estimate of the whole."""
    task: list[TaskID] = []
    started: list[float] = []

    def on_epoch(epoch: int, epochs: int, loss: float) -> None:
        if not task:
            started.append(time.monotonic())
            task.append(progress.add_task(f"pretraining the architecture VAE of {space} on first use (cached after)",
                                          total=epochs, status=""))
        status = "" if epoch == 0 else f"loss {loss:.3f}"
        if epoch == 1:
            status += f", about {_duration((time.monotonic() - started[0]) * epochs)} in all"
        progress.update(task[0], completed=epoch, total=epochs, status=status)

    return on_epoch


def _duration(seconds: float) -> str:
    return f"{seconds:.0f} s" if seconds < 120 else f"{seconds / 60:.0f} min"


def counting_bar(progress: Progress, label: str) -> Callable[[int, int], None]:
    """A progress(done, total) callback that shows a bar once there is work to count."""
    task: list[TaskID] = []

    def on_progress(done: int, total: int) -> None:
        if not task:
            task.append(progress.add_task(label, total=total, status=""))
        progress.update(task[0], completed=done, total=total)

    return on_progress


def names(listing: str | None) -> list[str]:
    """A comma-separated option as a list (empty when not given)."""
    return [n.strip() for n in (listing or "").split(",") if n.strip()]


def pruner_options(texts: list[str] | None) -> dict[str, Any]:
    from vaenas.search.options import parse_option

    return dict(parse_option(t, "pruner option", "reduction_factor=2") for t in texts or [])


def objective_options(**options: int | str | None) -> dict[str, int | str]:
    """The options a user gave (None means: the objective's default)."""
    return {k: v for k, v in options.items() if v is not None}


StrategyOptions = Annotated[
    list[str] | None,
    typer.Option(
        "--strategy-option", "-S",
        help="KEY=VALUE option of the strategy (repeatable), e.g. n_init=5; "
        "STRATEGY:KEY=VALUE in compare; `vaenas strategies` lists them.",
    ),
]
ResearchOptions = Annotated[
    list[str] | None,
    typer.Option(
        "--research-option", "-X", hidden=True,
        help="KEY=VALUE research setting of the strategy (what docs/results pages measure; docs/decisions).",
    ),
]
PrunerName = Annotated[
    str,
    typer.Option(help="Stop trials whose per-epoch values lag: none, median, asha or hyperband (trained objectives)."),
]
PrunerOptions = Annotated[
    list[str] | None,
    typer.Option("--pruner-option", "-P", help="KEY=VALUE option of the pruner (repeatable), e.g. reduction_factor=2."),
]
Space = Annotated[str, typer.Option(help="Search space.")]
Dataset = Annotated[str, typer.Option(help="Data set of the objective.")]
Objective = Annotated[
    str | None, typer.Option(help="Objective; default: the space's own table benchmark.")
]
SpaceOrDefault = Annotated[
    str | None, typer.Option(help="Search space; default nb201, or the objective's space.")
]
DataOrDefault = Annotated[
    str | None,
    typer.Option(
        "--dataset", "--data",
        help="Data set: cifar10 / cifar100 / imagenet16-120 for nb201; digits, synthetic, "
        "cifar10:PATH or folder:DIR (one subfolder of images per class) for trained objectives. "
        "Default: the objective's own.",
    ),
]
Objectives = Annotated[
    str | None,
    typer.Option(
        help="Search several objectives at once, comma-separated: the value (or its name, e.g. accuracy) "
        "and metrics of the objective, e.g. accuracy,latency; strategies mobo, nsga2 or rs.",
    ),
]
Epochs = Annotated[int | None, typer.Option(help="Training epochs per candidate (trained objectives).")]
Subset = Annotated[
    int | None, typer.Option(help="Train each candidate on the first N training images (low fidelity).")
]
ImageLatent = Annotated[int | None, typer.Option(help="Latent size of the imagevae objective's VAE.")]
ProxyName = Annotated[
    str | None, typer.Option(help="Zero-cost proxy of objectives nb201-proxy (synflow, params, flops), proxy and "
                                "cell-proxy (those, naswot, snip, grad_norm).")
]
Device = Annotated[
    str | None, typer.Option(help="Where trained objectives train: auto (CUDA, then MPS, then CPU), cpu, cuda, cuda:N, mps.")
]
Precision = Annotated[
    str | None, typer.Option(help="auto (bf16 on a GPU that has it, else fp32), fp32, bf16 or fp16 (CUDA).")
]
ImageSize = Annotated[int | None, typer.Option(help="Side in pixels that a folder's images are resized to (default 32).")]
DataSeed = Annotated[
    int | None, typer.Option(help="Seed of the train/validation/test split (default 0), apart from the training seed.")
]
Augment = Annotated[
    str | None, typer.Option(help="Training augmentation: auto (crops and flips; crops alone for digits), standard, "
                             "crop (no flips: text, digits) or none.")
]
MinSteps = Annotated[
    int | None, typer.Option(help="Optimizer steps a training makes at least, passing over a small data set more "
                             "often per epoch (default 1200; docs/real-training.md).")
]
Budget = Annotated[int, typer.Option(help="Number of distinct architectures to evaluate.")]
CacheDir = Annotated[
    Path | None, typer.Option(help="Pretrained-VAE cache; default $VAENAS_CACHE or ~/.cache/vaenas.")
]
