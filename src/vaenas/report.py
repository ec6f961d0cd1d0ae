"""Tables and plots: best-so-far curves, summary CSV, regret plot, latent maps."""

from __future__ import annotations

import csv
from collections.abc import Callable
from pathlib import Path

import numpy as np

from vaenas.errors import UnknownNameError
from vaenas.objectives import OPTIMUM_TOLERANCE
from vaenas.study import StudyResult
from vaenas.study.pareto import Criterion, HypervolumeScale, ParetoView, hypervolume_curve

CHECKPOINTS = (10, 25, 50, 100, 150)


def best_so_far(result: StudyResult) -> np.ndarray:
    """Best value after each query (NaN until the first successful trial)."""
    maximize = result.maximize
    values = np.array([np.nan if v is None else v for v in result.values], dtype=float)
    signed = values if maximize else -values
    running = np.fmax.accumulate(np.where(np.isnan(signed), -np.inf, signed))
    running[np.isinf(running)] = np.nan
    return running if maximize else -running


def reported_at_best(result: StudyResult) -> np.ndarray:
    """After each query, the reported metric (e.g. test performance) of the best trial so
    far by value: what a benchmark searched on validation reports."""
    assert result.reported is not None
    best = best_so_far(result)
    reported, current, previous = [], np.nan, np.nan
    for best_value, metric in zip(best, result.reported):
        if not np.isnan(best_value) and best_value != previous:  # a new best (ties keep the first)
            current = np.nan if metric is None else metric
        previous = best_value
        reported.append(current)
    return np.array(reported, dtype=float)


def curves(results: list[StudyResult], of: Callable[[StudyResult], np.ndarray] = best_so_far) -> np.ndarray:
    """Seeds x queries matrix of best-so-far values (or of another per-query curve `of`),
    padded with each run's last value."""
    length = max(len(r.values) for r in results)
    rows = []
    for result in results:
        row = of(result)
        rows.append(np.pad(row, (0, length - len(row)), mode="edge") if len(row) else row)
    return np.vstack(rows)


def regret_curves(results: list[StudyResult]) -> np.ndarray:
    """Seeds x queries matrix of regret (0 is the optimum); needs a known optimum."""
    first = results[0]
    if first.optimum is None:
        raise ValueError("regret needs an objective whose optimum is known")
    matrix = curves(results)
    return (first.optimum - matrix) if first.maximize else (matrix - first.optimum)


def checkpoints_for(budget: int) -> list[int]:
    return sorted({q for q in CHECKPOINTS if q <= budget} | {budget})


def write_summary(
    path: Path,
    by_strategy: dict[str, list[StudyResult]],
) -> list[dict[str, object]]:
    """One row per strategy and query checkpoint: mean and std of the best value found."""
    budget = max(r.config.budget for rs in by_strategy.values() for r in rs)
    rows: list[dict[str, object]] = []
    for strategy, results in by_strategy.items():
        matrix = curves(results)
        regret = regret_curves(results) if results[0].optimum is not None else None
        metric = results[0].reported_metric
        reported = curves(results, of=reported_at_best) if metric else None
        for q in checkpoints_for(budget):
            column = min(q, matrix.shape[1]) - 1
            best = matrix[:, column]
            row: dict[str, object] = {
                "strategy": strategy,
                "queries": q,
                "mean_best": round(float(np.nanmean(best)), 4),
                "std_best": round(float(np.nanstd(best)), 4),
                "n_seeds": len(results),
            }
            if regret is not None:
                row["mean_regret"] = round(float(np.nanmean(regret[:, column])), 4)
            if reported is not None:
                row[f"mean_{metric}_at_best"] = round(float(np.nanmean(reported[:, column])), 4)
                row[f"std_{metric}_at_best"] = round(float(np.nanstd(reported[:, column])), 4)
            rows.append(row)
    _write_csv(path, rows)
    return rows


def hypervolume_curves(
    by_strategy: dict[str, list[StudyResult]], chosen: list[Criterion], scale: HypervolumeScale
) -> dict[str, np.ndarray]:
    """Per strategy, a seeds x queries matrix of the hypervolume after each query
    (multi-objective studies), as a share of the attainable one when the scale knows it."""
    def of(result: StudyResult) -> np.ndarray:
        assert result.points is not None, "hypervolumes need a multi-objective study"
        return hypervolume_curve(result.points, chosen, scale.reference) / (scale.attainable or 1.0)

    return {strategy: curves(results, of=of) for strategy, results in by_strategy.items()}


def write_hypervolume(
    path: Path, by_strategy: dict[str, np.ndarray], budget: int, scale: HypervolumeScale
) -> list[dict[str, object]]:
    """One row per strategy and query checkpoint: mean and std over seeds of the
    hypervolume curves (`hypervolume_curves`), with the reference."""
    measure = "hypervolume_share" if scale.attainable else "hypervolume"
    rows: list[dict[str, object]] = []
    for strategy, matrix in by_strategy.items():
        for q in checkpoints_for(budget):
            column = matrix[:, min(q, matrix.shape[1]) - 1]
            rows.append({
                "strategy": strategy, "queries": q,
                f"mean_{measure}": round(float(column.mean()), 5), f"std_{measure}": round(float(column.std()), 5),
                "n_seeds": len(matrix), "reference": " ".join(f"{v:.6g}" for v in scale.reference),
            })
    _write_csv(path, rows)
    return rows


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


REGRET_THRESHOLDS = (0.5, 0.2, 0.1, 0.0)


def first_queries_to_regret(results: list[StudyResult], threshold: float) -> list[float]:
    """Per seed, the first query at which regret <= threshold (inf: never)."""
    reached = regret_curves(results) <= threshold + OPTIMUM_TOLERANCE
    return [int(np.argmax(row)) + 1 if row.any() else np.inf for row in reached]


def runs_at_optimum(regrets: list[float | None]) -> int:
    """How many runs ended at the optimum (final regret within tolerance of 0)."""
    return sum(r is not None and r <= OPTIMUM_TOLERANCE for r in regrets)


def queries_to_regret(results: list[StudyResult], threshold: float) -> float | None:
    """Median over seeds of the first query at which regret <= threshold; None when fewer
    than half the seeds reach it (the median is then undefined)."""
    median = float(np.median(first_queries_to_regret(results, threshold)))
    return None if np.isinf(median) else median


def write_queries_to_regret(path: Path, by_strategy: dict[str, list[StudyResult]]) -> list[dict[str, object]]:
    """Per strategy: median queries to reach each regret threshold, and mean seconds per ask."""
    rows: list[dict[str, object]] = []
    for strategy, results in by_strategy.items():
        row: dict[str, object] = {"strategy": strategy}
        for threshold in REGRET_THRESHOLDS:
            median = queries_to_regret(results, threshold)
            row[f"regret<={threshold:g}"] = "not reached" if median is None else f"{median:g}"
        asks = [r.ask_seconds for r in results if r.ask_seconds is not None]
        row["ask_seconds"] = round(float(np.mean(asks)), 4) if asks else ""
        rows.append(row)
    _write_csv(path, rows)
    return rows


def _write_csv(path: Path, rows: list[dict[str, object]]) -> None:
    with path.open("w", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)


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


def project_2d(embeddings: np.ndarray, method: str = "pca", seed: int = 0) -> np.ndarray:
    """2-D coordinates of embeddings by PCA or t-SNE (scikit-learn)."""
    if method == "pca":
        from sklearn.decomposition import PCA

        return PCA(n_components=2, random_state=seed).fit_transform(embeddings)
    if method == "tsne":
        from sklearn.manifold import TSNE

        return TSNE(n_components=2, init="pca", random_state=seed).fit_transform(embeddings)
    raise UnknownNameError(f"unknown projection {method!r}; choose one of: pca, tsne")


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
