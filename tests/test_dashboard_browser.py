"""The dashboard's pages in Debian's headless Chromium while a search writes the study
beside them: live updates without a reload, pruned trials with their curves, clicked
architectures drawn, the latent map, a compare folder, bad folders, and no JavaScript
error on any page. Marked `browser` (CI runs them after the default suite)."""

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

import vaenas
from vaenas.objectives import make_objective

sys.path.append(str(Path(__file__).parents[1] / "benchmarks"))
from headless_browser import browser_missing, chromium, console_errors, dashboard, open_page, wait_until  # noqa: E402

pytestmark = [pytest.mark.browser, pytest.mark.skipif(browser_missing() is not None, reason=str(browser_missing()))]

TESTS = Path(__file__).parent
SEARCH = """
import sys
import vaenas
from pruning_objective import OP_WORTH, learning_curve
from vaenas.spaces import CellSpace
with vaenas.create_study(space=CellSpace(n_nodes=3, ops=list(OP_WORTH)), strategy="rs", seed=3, pruner="asha",
                         storage=sys.argv[1]) as study:
    study.optimize(learning_curve, n_trials=40)
"""


def vaenas_command(*args: str) -> None:
    done = subprocess.run([sys.executable, "-m", "vaenas", *args], capture_output=True, text=True, timeout=600,
                          env={**os.environ, "VAENAS_THREADS": "1"})
    assert done.returncode == 0, done.stderr


def test_a_study_page_follows_a_running_search(tmp_path):
    folder = tmp_path / "study"
    folder.mkdir()
    with dashboard(folder) as (_, url), chromium() as page:
        open_page(page, url)  # before the search starts: the page says so, then fills in
        assert "holds no study yet" in page.find_element("id", "problem").text
        script = tmp_path / "search.py"
        script.write_text(SEARCH)
        search = subprocess.Popen([sys.executable, str(script), str(folder)],
                                  env={**os.environ, "PYTHONPATH": str(TESTS), "VAENAS_TEST_STEP_SECONDS": "0.05"})
        try:
            page.execute_script("window.sameDocument = true")
            first = int(wait_until(page, "return window.vaenas.trialCount > 0 && window.vaenas.trialCount", 60))
            later = int(wait_until(page, f"return window.vaenas.trialCount > {first} && window.vaenas.trialCount", 60))
            assert later > first and page.execute_script("return window.sameDocument") is True  # no reload
            wait_until(page, "return [...document.querySelectorAll('#trials td.status-pruned')].length > 0", 60)
            reason = page.find_element("css selector", "#trials td.status-pruned .reason").text
            assert reason.startswith("pruned at step")
            marks = page.execute_script("return document.getElementById('curves-plot').data.at(-1).x.length")
            assert marks >= 1  # the pruned trial's last report, marked where it stopped
            best = page.execute_script("return document.getElementById('best-plot').data[0].y.filter(v => v !== null)")
            assert best and best == sorted(best)  # best so far only rises (maximised)
            page.find_element("css selector", "#trials tbody tr").click()
            wait_until(page, "return document.querySelectorAll('#arch svg circle.node').length === 3", 20)
            assert len(page.find_elements("css selector", "#arch svg path.edge")) == 3
            latent = wait_until(page, "return document.getElementById('latent-note').textContent.includes('VAE') "
                                      "&& document.getElementById('latent-note').textContent", 30)
            assert "searches without a VAE" in latent
        finally:
            search.wait(timeout=120)
        assert console_errors(page) == []


def test_the_latent_map_and_the_best_curve_of_a_latent_search(tmp_path):
    vaenas_command("search", "--budget", "12", "--out", str(tmp_path))
    with dashboard(tmp_path) as (_, url), chromium() as page:
        open_page(page, url)
        points = wait_until(page, "return document.getElementById('latent-map').dataset.points", 120)
        assert int(points) == 15625
        assert page.execute_script("return document.getElementById('latent-map').dataset.trials") == "12"
        assert page.execute_script("return document.getElementById('best-plot').data[0].x.at(-1)") == 12
        wait_until(page, "return document.getElementById('best-plot').layout.yaxis.type === 'log'", 60)  # regret
        regret = page.execute_script("return document.getElementById('best-plot').data[0].y.at(-1)")
        best = vaenas.load_study(tmp_path).best_value
        assert regret == pytest.approx(max(make_objective("nb201").optimum - best, 1e-3))
        page.find_elements("css selector", "#trials tbody tr")[5].click()
        wait_until(page, "return document.querySelectorAll('#arch svg circle.node').length === 4", 20)
        assert console_errors(page) == []


def test_a_compare_page_draws_one_curve_per_strategy(tmp_path):
    vaenas_command("compare", "--strategies", "rs,re", "--seeds", "2", "--budget", "8", "--out", str(tmp_path))
    with dashboard(tmp_path) as (_, url), chromium() as page:
        open_page(page, url)
        assert page.execute_script("return document.getElementById('compare-plot').dataset.curves") == "2"
        medians = page.execute_script(
            "return document.getElementById('compare-plot').data.filter(t => t.meta === 'median').map(t => t.name)")
        assert sorted(medians) == ["re (2 seeds)", "rs (2 seeds)"]
        assert len(page.find_elements("css selector", "#summary-table tbody tr")) >= 2
        page.find_element("css selector", "#runs a").click()
        wait_until(page, "return window.vaenas && window.vaenas.trialCount === 8", 30)
        assert console_errors(page) == []


def test_bad_folders_and_paths_give_a_page_that_says_so(tmp_path):
    (tmp_path / "damaged").mkdir()
    (tmp_path / "damaged" / "study.db").write_bytes(b"not a journal" * 100)
    with dashboard(tmp_path) as (_, url), chromium() as page:
        open_page(page, f"{url}?run=damaged")
        assert "study.db" in page.find_element("id", "problem").text
        page.get(f"{url}?run=../../etc")
        assert "outside the folder" in page.find_element("id", "problem").text
        time.sleep(0.5)
        errors = console_errors(page)
        assert all("Failed to load resource" in e for e in errors), errors  # the refusals' status codes, no script error


def test_the_dashboard_benchmark_runs_and_renders_its_page(tmp_path):
    script = Path(__file__).parents[1] / "benchmarks" / "dashboard_perf.py"
    result, page = tmp_path / "dashboard.json", tmp_path / "dashboard.md"
    subprocess.run([sys.executable, str(script), "--pairs", "1", "--budget", "3", "--out", str(result)], check=True,
                   capture_output=True, timeout=600)
    subprocess.run([sys.executable, str(script), "--page", str(result), str(page)], check=True, timeout=60)
    text = page.read_text()
    assert "| server's peak memory (MiB) |" in text and "median ratio" in text


PARETO = """
import sys
import vaenas
from pruning_objective import OP_WORTH
from vaenas.spaces import CellSpace


def two_sided(arch):
    worth = sum(OP_WORTH[op] for op in arch)
    return vaenas.Evaluation(value=worth, metrics={"latency": float(len(set(arch)))})


with vaenas.create_study(space=CellSpace(n_nodes=3, ops=list(OP_WORTH)), strategy="rs", seed=2, storage=sys.argv[1],
                         objectives={"value": "maximize", "latency": "minimize"}) as study:
    study.optimize(two_sided, n_trials=20)
"""


def test_a_study_of_two_objectives_shows_its_pareto_front(tmp_path):
    script = tmp_path / "pareto.py"
    script.write_text(PARETO)
    subprocess.run([sys.executable, str(script), str(tmp_path / "study")], check=True, timeout=300,
                   env={**os.environ, "PYTHONPATH": str(TESTS)})
    complete = {t.number for t in vaenas.load_study(tmp_path / "study").trials if t.status.value == "complete"}
    with dashboard(tmp_path / "study") as (_, url), chromium() as page:
        open_page(page, url)
        assert page.execute_script("return document.getElementById('pareto-panel').hidden") is False
        drawn = page.execute_script("return document.getElementById('pareto-plot').data.map(t => t.x.length)")
        assert drawn[0] == len(complete) and 1 <= drawn[1] < drawn[0]
        assert console_errors(page) == []


def test_a_page_of_another_name_that_resolves_here_reads_nothing(tmp_path):
    """DNS rebinding: a name of another site made to resolve to 127.0.0.1 (Chromium's
    --host-resolver-rules) loads neither the page nor the API."""
    with vaenas.create_study(space=vaenas.spaces.CellSpace(n_nodes=3, ops=["a", "b"]), strategy="rs",
                             storage=tmp_path) as study:
        study.optimize(lambda arch: 1.0, n_trials=3)
    with dashboard(tmp_path) as (_, url):
        port = url.rstrip("/").rsplit(":", 1)[1]
        with chromium(extra=("--host-resolver-rules=MAP rebind.test 127.0.0.1",)) as page:
            page.get(f"http://127.0.0.1:{port}/api/state")
            assert '"n_trials":3' in page.find_element("tag name", "body").text  # its own name: answered
            for route in ("", "api/state", "api/trials?since=0"):
                page.get(f"http://rebind.test:{port}/{route}")
                text = page.find_element("tag name", "body").text
                assert "answers requests to" in text and "n_trials" not in text and '"arch"' not in text, route
