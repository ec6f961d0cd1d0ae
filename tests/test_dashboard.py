"""`vaenas dashboard` through its JSON API, as other tools read a running study: the
real command in its own process, a real journal written beside it. The pages in a real
browser: tests/test_dashboard_browser.py."""

import json
import os
import signal
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

import vaenas
from pruning_objective import OP_WORTH, learning_curve
from vaenas.spaces import CellSpace

sys.path.append(str(Path(__file__).parents[1] / "benchmarks"))
from headless_browser import dashboard  # noqa: E402

pytest.importorskip("uvicorn")


def get(url: str) -> tuple[int, dict]:
    try:
        with urllib.request.urlopen(url, timeout=30) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as exc:
        return exc.code, json.loads(exc.read())


def wait_for(url: str) -> dict:
    """A view the server computes in a process of its own: asked until it is ready."""
    for _ in range(600):
        status, body = get(url)
        if status != 202:
            return body
        time.sleep(0.1)
    raise TimeoutError(url)


def pruned_study(folder: Path, n_trials: int) -> None:
    space = CellSpace(n_nodes=3, ops=list(OP_WORTH))
    with vaenas.create_study(space=space, strategy="rs", seed=4, pruner="asha", storage=folder) as study:
        study.optimize(learning_curve, n_trials=n_trials - study.n_finished)


def test_the_api_follows_a_study_that_keeps_running_beside_it(tmp_path):
    pruned_study(tmp_path, 12)
    with dashboard(tmp_path) as (_, url):
        status, state = get(f"{url}api/state")
        assert status == 200 and state["n_trials"] == 12 and state["config"]["space"] == "cell"
        assert state["counts"]["pruned"] >= 1 and state["best"]["value"] == max(
            t["value"] for t in get(f"{url}api/trials")[1]["trials"] if t["status"] == "complete")
        _, first = get(f"{url}api/trials?since=0")
        assert [t["number"] for t in first["trials"]] == list(range(12)) and first["next"] == 12
        pruned = next(t for t in first["trials"] if t["status"] == "pruned")
        step = pruned["reports"][-1][0]
        assert pruned["reason"] == f"pruned at step {step}" and pruned["value"] == pruned["reports"][-1][1]

        pruned_study(tmp_path, 20)  # the dashboard holds no lock: the study reopens and writes
        _, new = get(f"{url}api/trials?since={first['next']}")
        assert [t["number"] for t in new["trials"]] == list(range(12, 20)) and new["next"] == 20

        _, drawn = get(f"{url}api/arch?number=3")
        assert drawn["kind"] == "cell" and drawn["nodes"] == 3 and len(drawn["edges"]) == 3
        space = CellSpace(n_nodes=3, ops=list(OP_WORTH))
        assert [e["op"] for e in drawn["edges"]] == list(space.parse(first["trials"][3]["arch"]))
        _, latent = get(f"{url}api/latent")
        assert latent == {"computing": True} or "without a VAE" in latent["reason"]
        assert wait_for(f"{url}api/optimum") == {"optimum": None}  # a user's function knows no optimum


def test_running_trials_are_sent_again_until_they_end(tmp_path):
    """`next` stops at the first running trial, so a client polling with it sees the
    trial again when it ends."""
    space = CellSpace(n_nodes=3, ops=list(OP_WORTH))
    with vaenas.create_study(space=space, strategy="rs", seed=1, storage=tmp_path) as study:
        study.optimize(learning_curve, n_trials=3)
        trial = study.ask_trial()
        with dashboard(tmp_path) as (_, url):
            _, seen = get(f"{url}api/trials?since=0")
            assert seen["trials"][-1]["status"] == "running" and seen["next"] == trial.number
            study.tell(trial, 1.5)
            _, again = get(f"{url}api/trials?since={seen['next']}")
            assert [(t["number"], t["status"], t["value"]) for t in again["trials"]] == [(3, "complete", 1.5)]
            assert again["next"] == 4


def test_bad_requests_and_folders_get_one_sentence(tmp_path):
    (tmp_path / "empty").mkdir()
    (tmp_path / "damaged").mkdir()
    (tmp_path / "damaged" / "study.db").write_bytes(b"this is not a database" * 100)
    with dashboard(tmp_path) as (_, url):
        status, body = get(f"{url}api/state?run=../..")
        assert status == 403 and "outside the folder" in body["error"]
        try:
            urllib.request.urlopen(f"{url}?run=..%2F..", timeout=30)
        except urllib.error.HTTPError as exc:
            assert exc.code == 403 and "outside the folder" in exc.read().decode()
        else:
            pytest.fail("a page outside the served folder was served")
        status, body = get(f"{url}api/trials?run=empty")
        assert status == 404 and "holds no study yet" in body["error"]
        status, body = get(f"{url}api/state?run=damaged")
        assert status == 409 and "study.db" in body["error"] and "\n" not in body["error"]
        status, body = get(f"{url}api/trials?since=x")
        assert status == 400 and "since must be a whole number" in body["error"]


def test_the_command_line_refuses_in_one_line_and_stops_on_ctrl_c(tmp_path):
    def run(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run([sys.executable, "-m", "vaenas", "dashboard", *args], capture_output=True, text=True,
                              timeout=60)

    missing = run(str(tmp_path / "nowhere"))
    assert missing.returncode == 2 and "does not exist" in missing.stderr and len(missing.stderr.splitlines()) == 1
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen(1)
        busy = run(str(tmp_path), "--port", str(taken.getsockname()[1]))
    assert busy.returncode == 2 and "is in use" in busy.stderr and len(busy.stderr.splitlines()) == 1
    with dashboard(tmp_path, "--host", "0.0.0.0") as (process, url):
        assert get(f"{url.replace('0.0.0.0', '127.0.0.1')}api/state") == (200, {
            "kind": "none", "message": f"{tmp_path} holds no study yet: this page fills in once a search writes its "
                                       "journal (study.db) here"})
        process.send_signal(signal.SIGINT)
        out, err = process.communicate(timeout=20)
    assert process.returncode == 0 and out.strip().endswith("dashboard stopped")
    assert "no authentication" in err and len(err.strip().splitlines()) == 1


def test_the_journal_is_never_written(tmp_path):
    """Every file of the study is as it was (SQLite's -wal and -shm index files aside,
    which every reader of a WAL journal shares with its writer)."""
    pruned_study(tmp_path, 6)
    journal = tmp_path / "study.db"

    def files() -> dict[str, bytes]:
        return {p.name: p.read_bytes() for p in tmp_path.iterdir() if p.is_file() and not p.name.endswith(("-wal", "-shm"))}

    before = files()
    with dashboard(tmp_path) as (_, url):
        for route in ("state", "trials?since=0", "arch?number=1", "latent"):
            get(f"{url}api/{route}")
    assert files() == before and "study.db" in before
    with sqlite3.connect(journal) as db:
        assert db.execute("SELECT count(*) FROM trials").fetchone() == (6,)


@pytest.mark.heavy
def test_a_compare_folder_gives_a_band_per_strategy(tmp_path):
    done = subprocess.run([sys.executable, "-m", "vaenas", "compare", "--strategies", "rs,re", "--seeds", "3",
                           "--budget", "12", "--out", str(tmp_path)], capture_output=True, text=True, timeout=600,
                          env={**os.environ, "VAENAS_THREADS": "1"})
    assert done.returncode == 0, done.stderr
    with dashboard(tmp_path) as (_, url):
        status, state = get(f"{url}api/state")
        assert status == 200 and state["kind"] == "compare" and set(state["strategies"]) == {"rs", "re"}
        for curve in state["strategies"].values():
            assert curve["seeds"] == 3 and len(curve["median"]) == 12 and len(curve["runs"]) == 3
            assert all(lo <= mid <= hi for lo, mid, hi in zip(curve["low"], curve["median"], curve["high"]))
            assert curve["median"] == sorted(curve["median"])  # best so far only improves (maximised)
        assert {row["strategy"] for row in state["summary"]} == {"rs", "re"}
        status, run = get(f"{url}api/state?run=runs/rs/seed0")
        assert status == 200 and run["n_trials"] == 12


def test_a_journal_started_again_is_read_again(tmp_path):
    """The server keeps what it read of a journal; a new journal in the same folder (the
    old one deleted) is read from its first trial."""
    from vaenas.dashboard.folder_view import StudyWatch

    pruned_study(tmp_path, 8)
    watch = StudyWatch(tmp_path)
    assert watch.state()["n_trials"] == 8
    for name in [p for p in tmp_path.iterdir() if p.name.startswith("study.")]:
        name.unlink()
    pruned_study(tmp_path, 3)
    assert watch.state()["n_trials"] == 3 and [t["number"] for t in watch.since(0)["trials"]] == [0, 1, 2]


def test_every_kind_of_space_is_drawn():
    from vaenas.dashboard.drawing import drawing
    from vaenas.spaces import make_space

    macro = drawing(make_space("macro"), "d2w32k3+d1w64k5+d3w128k3")
    assert macro["kind"] == "stages" and [s["depth"] for s in macro["stages"]] == [2, 1, 3]
    graph = drawing(make_space("nbgraph"), "gcn~0|gat~1|skip~1|fc~2")
    assert graph["kind"] == "graph" and len(graph["nodes"]) == 6 and [0, 1] in graph["edges"]
    assert drawing(None, "my own arch") == {"kind": "text", "text": "my own arch"}
    assert "problem" in drawing(make_space("nb201"), "not a cell")


@pytest.mark.heavy  # among the slowest of the default suite (12:24 on 2 cores)
def test_a_table_objective_gives_its_optimum_for_regret(tmp_path):
    subprocess.run([sys.executable, "-m", "vaenas", "search", "--strategy", "rs", "--budget", "5", "--dataset",
                    "cifar100", "--out", str(tmp_path)], check=True, capture_output=True, timeout=300)
    from vaenas.objectives import make_objective

    with dashboard(tmp_path) as (_, url):
        assert wait_for(f"{url}api/optimum") == {"optimum": make_objective("nb201", "cifar100").optimum}
        assert "without a VAE" in wait_for(f"{url}api/latent")["reason"]
