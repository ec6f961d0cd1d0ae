"""Figures of studies apart from their pictures: best-so-far and regret curves,
queries to a regret, hypervolume curves, and the CSV files `vaenas compare` writes."""

from __future__ import annotations

import csv
from collections.abc import Callable
from pathlib import Path

import numpy as np

from vaenas.objectives import OPTIMUM_TOLERANCE
from vaenas.study import StudyResult
from vaenas.study.pareto import Criterion, HypervolumeScale, hypervolume_curve

CHECKPOINTS = (10, 25, 50, 100, 150)
REGRET_THRESHOLDS = (0.5, 0.2, 0.1, 0.0)


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
