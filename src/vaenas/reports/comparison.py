"""The files `vaenas compare` writes from its results (summary.csv, regret.png,
queries_to_regret.csv; hypervolume.csv and .png for several objectives), and the rows
its tables show."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from vaenas.reports.metrics import hypervolume_curves, write_hypervolume, write_queries_to_regret, write_summary
from vaenas.reports.plots import plot_hypervolume, plot_regret
from vaenas.study import StudyConfig, StudyResult
from vaenas.study.compare import hypervolume_scale_of
from vaenas.study.pareto import Criterion, HypervolumeScale


@dataclass
class ComparisonReport:
    rows: list[dict[str, Any]]
    """summary.csv's rows: best (and a reported metric) per strategy and query count."""
    reported_metric: str | None
    files: list[str] = field(default_factory=list)
    hypervolume_rows: list[dict[str, Any]] | None = None
    criteria: list[Criterion] | None = None
    scale: HypervolumeScale | None = None


def write_comparison(out: Path, base: StudyConfig, by_strategy: dict[str, list[StudyResult]], label: str) -> ComparisonReport:
    """Writes the comparison's files into `out` (`label` titles the plots)."""
    report = ComparisonReport(write_summary(out / "summary.csv", by_strategy),
                              next(iter(by_strategy.values()))[0].reported_metric, ["summary.csv"])
    if next(iter(by_strategy.values()))[0].optimum is not None:
        plot_regret(out / "regret.png", by_strategy, title=label)
        write_queries_to_regret(out / "queries_to_regret.csv", by_strategy)
        report.files += ["regret.png", "queries_to_regret.csv"]
    if base.objectives:
        chosen, scale = hypervolume_scale_of(base, by_strategy)
        curves = hypervolume_curves(by_strategy, chosen, scale)
        report.hypervolume_rows = write_hypervolume(out / "hypervolume.csv", curves, base.budget, scale)
        plot_hypervolume(out / "hypervolume.png", curves, chosen, scale, title=label)
        report.criteria, report.scale = chosen, scale
        report.files += ["hypervolume.csv", "hypervolume.png"]
    return report
