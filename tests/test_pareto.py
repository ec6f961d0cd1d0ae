"""The trade-off view of a study: dominance over mixed directions, hypervolume, the
criteria an objective offers, and `vaenas pareto` on a real study folder."""

import json

import numpy as np
import pytest
from typer.testing import CliRunner

from vaenas.cli import app
from vaenas.errors import InvalidArgumentError
from vaenas.objectives import OBJECTIVES
from vaenas.study.pareto import criteria, pareto_view, worst_values
from vaenas.study.storages.base import TrialRecord, TrialStatus

NBGRAPH = OBJECTIVES.get("nbgraph")


def trial(number, value, latency, status=TrialStatus.COMPLETE):
    return TrialRecord(number, f"k{number}", f"a{number}", status, value, {"latency": latency}, 1, 0.0, 1.0)


def test_front_over_a_value_to_maximize_and_a_latency_to_minimize():
    trials = [trial(0, 80.0, 3.0), trial(1, 82.0, 5.0), trial(2, 79.0, 4.0), trial(3, 81.0, 3.0),
              trial(4, 90.0, 1.0, TrialStatus.FAILED), trial(5, 76.0, 1.0)]
    view = pareto_view(trials, criteria(["value", "latency"], NBGRAPH))
    assert [t.number for t in view.trials] == [0, 1, 2, 3, 5]  # the failed trial is left out
    assert [row["number"] for row in view.front()] == [1, 3, 5]  # 0 is dominated by 3, 2 by 3
    reference = worst_values(view)
    assert reference.tolist() == [76.0, 5.0]
    # rectangles above (76, 5) reading downwards in latency: 3 covers (81-76)*(5-3), 1 adds (82-81)*(5-5)=0,
    # 5 covers nothing above value 76 (on the reference)
    assert view.hypervolume(reference) == pytest.approx(10.0)
    assert view.hypervolume(np.array([70.0, 6.0])) == pytest.approx((81 - 70) * (6 - 3) + (82 - 81) * (6 - 5) + (76 - 70) * (3 - 1))


@pytest.mark.parametrize(("names", "message"), [
    (["value"], "at least two different objectives"),
    (["value", "value"], "at least two different objectives"),
    (["value", "flops"], "objective 'nbgraph' provides no 'flops'; choose from: accuracy, value, test, latency, params"),
])
def test_criteria_are_checked_against_the_objective(names, message):
    with pytest.raises(InvalidArgumentError, match=message):
        criteria(names, NBGRAPH)


def test_pareto_command_on_a_study_folder(tmp_path):
    runner = CliRunner()
    out = tmp_path / "s"
    assert runner.invoke(app, ["search", "--space", "nbgraph", "--strategy", "rs", "--budget", "40", "--out", str(out)]).exit_code == 0
    result = runner.invoke(app, ["pareto", str(out)])
    assert result.exit_code == 0, result.output
    saved = json.loads((out / "pareto.json").read_text())
    assert [c["name"] for c in saved["criteria"]] == ["value", "latency"] and saved["n_trials"] == 40
    front = saved["front"]
    assert front and all(a["value"] >= b["value"] and a["latency"] >= b["latency"] for a, b in zip(front, front[1:]))
    assert (out / "pareto.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    bad = runner.invoke(app, ["pareto", str(out), "--objectives", "value,flops"])
    assert bad.exit_code == 2 and "provides no 'flops'" in bad.output
    missing = runner.invoke(app, ["pareto", str(tmp_path / "none")])
    assert missing.exit_code == 2 and "holds no study" in missing.output
