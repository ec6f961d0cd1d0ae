"""Pictures of studies (matplotlib, imported when a picture is drawn): regret and
hypervolume curves, latent maps, Pareto fronts."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from vaenas.reports.metrics import regret_curves
from vaenas.study import StudyResult
from vaenas.study.pareto import Criterion, HypervolumeScale, ParetoView


def plot_hypervolume(
    path: Path, by_strategy: dict[str, np.ndarray], chosen: list[Criterion], scale: HypervolumeScale,
    title: str = "",
) -> None:
    """Mean hypervolume curve (`hypervolume_curves`) against queries, one line per
    strategy, the seeds' inter-quartile range shaded."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(6.4, 4.2))
    for strategy, matrix in by_strategy.items():
        queries = np.arange(1, matrix.shape[1] + 1)
        (line,) = ax.plot(queries, matrix.mean(0), label=f"{strategy} (n={len(matrix)})")
        low, high = np.percentile(matrix, [25, 75], axis=0)
        ax.fill_between(queries, low, high, color=line.get_color(), alpha=0.2, linewidth=0)
    ax.set_xlabel("queries")
    share = "share of the true front's " if scale.attainable else ""
    ax.set_ylabel(f"{share}hypervolume (mean; shaded: 25-75 %)")
    names = ", ".join(f"{c.name} {v:.4g}" for c, v in zip(chosen, scale.reference))
    ax.set_title(f"{title}\nreference: {names}", fontsize=9)
    ax.grid(True, alpha=0.3)
    ax.legend()
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)


def plot_regret(
    path: Path,
    by_strategy: dict[str, list[StudyResult]],
    title: str = "",
) -> None:
    """Mean regret against queries on a log scale, one line per strategy, with the
    inter-quartile range of the seeds shaded. Zero regret is drawn at a floor of 1e-3."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    floor = 1e-3
    fig, ax = plt.subplots(figsize=(6.4, 4.2))
    for strategy, results in by_strategy.items():
        regret = regret_curves(results)
        queries = np.arange(1, regret.shape[1] + 1)
        mean = np.maximum(np.nanmean(regret, axis=0), floor)
        low, high = (np.maximum(np.nanpercentile(regret, p, axis=0), floor) for p in (25, 75))
        (line,) = ax.plot(queries, mean, label=f"{strategy} (n={len(results)})")
        ax.fill_between(queries, low, high, color=line.get_color(), alpha=0.2, linewidth=0)
    ax.set_yscale("log")
    ax.set_xlabel("queries")
    ax.set_ylabel("regret (mean; shaded: 25-75 %)")
    ax.set_title(title)
    ax.grid(True, which="both", alpha=0.3)
    ax.legend()
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)


def plot_latent_map(
    path: Path,
    coords: np.ndarray,
    values: np.ndarray | None,
    title: str,
    label: str,
    route: np.ndarray | None = None,
    route_values: np.ndarray | None = None,
) -> None:
    """Scatter of 2-D latent coordinates coloured by value: smooth colour means a latent
    space where neighbours perform alike. With `route` (the 2-D coordinates of the
    architectures decoded along a straight latent line) and their values, the line is
    drawn over the map and a second panel gives the value at each step."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    panels = 1 if route is None else 2
    fig, axes = plt.subplots(1, panels, figsize=(6.4 * panels, 5.4), squeeze=False)
    ax = axes[0, 0]
    if values is None:
        ax.scatter(coords[:, 0], coords[:, 1], s=2, alpha=0.5)
    else:
        order = np.argsort(values)  # best drawn last, on top
        low = np.percentile(values, 5)
        points = ax.scatter(
            coords[order, 0], coords[order, 1], c=values[order], s=2, cmap="viridis", vmin=low
        )
        fig.colorbar(points, ax=ax, label=label)
    ax.set_title(title)
    ax.set_xticks([])
    ax.set_yticks([])
    if route is not None and route_values is not None:
        ax.plot(route[:, 0], route[:, 1], "-o", color="crimson", ms=4, lw=1.2, label="decoded line")
        for end, name in ((0, "A"), (-1, "B")):
            ax.annotate(name, route[end], xytext=(4, 4), textcoords="offset points", color="crimson")
        ax.legend(loc="lower right")
        right = axes[0, 1]
        steps = np.arange(len(route_values))
        right.plot(steps, route_values, "-o", color="crimson")
        right.set_xticks(steps, ["A", *[str(i) for i in steps[1:-1]], "B"])
        right.set_xlabel("step along the straight latent line from A to B (each decoded)")
        right.set_ylabel(label)
        right.set_title("interpolation between two good architectures")
        right.grid(alpha=0.3)
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)


def plot_pareto(path: Path, view: ParetoView, title: str = "") -> None:
    """The trials over the first two criteria: the non-dominated ones joined by a line,
    the dominated ones faded."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    x_of, y_of = view.criteria[0], view.criteria[1]
    fig, ax = plt.subplots(figsize=(6.0, 4.4))
    dominated = ~view.on_front
    ax.scatter(view.points[dominated, 0], view.points[dominated, 1], s=12, color="0.6", alpha=0.35, label="dominated")
    front = view.points[view.on_front]
    front = front[np.argsort(front[:, 0])]
    ax.plot(front[:, 0], front[:, 1], "o-", color="C3", markersize=5, label=f"Pareto front ({len(front)})")
    for axis_label, criterion in ((ax.set_xlabel, x_of), (ax.set_ylabel, y_of)):
        axis_label(f"{criterion.name} ({'higher' if criterion.maximize else 'lower'} is better)")
    ax.set_title(title)
    ax.grid(True, alpha=0.3)
    ax.legend()
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)
