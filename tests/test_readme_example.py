"""The README's Python example runs as written: own space, own callable, 20 trials, then
10 more resumed from the same storage."""

import re
from pathlib import Path

import pytest

from vaenas.study import SQLiteStorage, TrialStatus

README = Path(__file__).resolve().parents[1] / "README.md"


def library_example() -> str:
    match = re.search(r"<!-- library-example -->\n```python\n(.*?)```", README.read_text(), re.S)
    assert match, "the README lost its library example"
    return match.group(1)


@pytest.mark.heavy  # among the slowest of the default suite (12:24 on 2 cores)
def test_readme_library_example_runs_and_resumes(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("VAENAS_CACHE", str(tmp_path / "vae-cache"))
    exec(compile(library_example(), "README.md", "exec"), {"__name__": "readme_example"})
    with SQLiteStorage(tmp_path / "runs/my-cells/study.db") as journal:
        trials = journal.trials()
    assert len(trials) == 30 and len({t.arch for t in trials}) == 30
    assert all(t.status is TrialStatus.COMPLETE for t in trials)
    assert any((tmp_path / "vae-cache").iterdir()), "bo pretrained and cached the space's VAE"
    printed = capsys.readouterr().out
    assert "|conv3x3~0|+|conv3x3~0|conv3x3~1|" in printed  # bo finds the best cell within 20 trials
