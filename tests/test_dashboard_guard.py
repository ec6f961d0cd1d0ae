"""What the dashboard must never do, whatever a folder holds or a page asks: serve a file
outside its folder (links included), answer another Host name or another origin's page,
spend unbounded work on a crafted journal, or outlive Ctrl-C and SIGTERM. The real
command in its own process, as in test_dashboard.py."""

import json
import os
import signal
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


def ask(url: str, **headers: str) -> tuple[int, dict]:
    request = urllib.request.Request(url, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as exc:
        return exc.code, json.loads(exc.read())


def small_study(folder: Path, n_trials: int = 4, seed: int = 0) -> None:
    space = CellSpace(n_nodes=3, ops=list(OP_WORTH))
    with vaenas.create_study(space=space, strategy="rs", seed=seed, storage=folder) as study:
        study.optimize(learning_curve, n_trials=n_trials)


def set_space_definition(folder: Path, definition: object) -> None:
    with sqlite3.connect(folder / "study.db") as db:
        db.execute("UPDATE study SET value = ? WHERE key = 'space_definition'", (json.dumps(definition),))


def test_links_to_files_outside_the_folder_are_refused(tmp_path):
    served, elsewhere = tmp_path / "served", tmp_path / "elsewhere"
    small_study(elsewhere / "study")
    (served / "runs" / "rs").mkdir(parents=True)
    secret = elsewhere / "secret.csv"
    secret.write_text("strategy,secret\nrs,the password\n")
    (served / "summary.csv").symlink_to(secret)
    (served / "linked").mkdir()
    (served / "linked" / "study.db").symlink_to(elsewhere / "study" / "study.db")
    with dashboard(served) as (_, url):
        status, body = ask(f"{url}api/state")
        assert status == 403 and "summary.csv is a link to a place outside" in body["error"]
        assert "password" not in json.dumps(body)
        for route in ("state", "trials?since=0", "arch?number=0", "latent", "optimum"):
            status, body = ask(f"{url}api/{route}{'&' if '?' in route else '?'}run=linked")
            assert status == 403 and "study.db is a link" in body["error"], route
        (served / "summary.csv").unlink()
        (served / "runs" / "rs" / "seed0").symlink_to(elsewhere / "study")  # an outside study's curves
        status, body = ask(f"{url}api/state")
        assert status == 403 and ("seed0" in body["error"] or "study.db" in body["error"])
        status, body = ask(f"{url}api/state?run=runs/rs/seed0")
        assert status == 403 and "outside the folder" in body["error"]
        (served / "runs" / "rs" / "seed0").unlink()
        (served / "runs" / "evil").symlink_to(elsewhere)
        status, body = ask(f"{url}api/state")
        assert status == 403 and "evil is a link" in body["error"]


def test_only_its_own_names_and_its_own_page_are_answered(tmp_path):
    small_study(tmp_path)
    with dashboard(tmp_path) as (_, url):
        port = url.rstrip("/").rsplit(":", 1)[1]
        assert ask(f"{url}api/state")[0] == 200
        assert ask(f"{url}api/state", Host=f"localhost:{port}")[0] == 200
        for host in (f"rebind.example:{port}", "rebind.example", f"127.0.0.1.rebind.example:{port}"):
            status, body = ask(f"{url}api/state", Host=host)
            assert status == 403 and "answers requests to" in body["error"], host
        try:
            urllib.request.urlopen(urllib.request.Request(url, headers={"Host": "rebind.example"}), timeout=30)
        except urllib.error.HTTPError as exc:
            assert exc.code == 403
        else:
            pytest.fail("the page was served to another Host name")
        assert ask(f"{url}api/state", Origin=f"http://127.0.0.1:{port}")[0] == 200
        for origin in ("http://rebind.example", f"http://127.0.0.1:{int(port) + 1}", "null"):
            status, body = ask(f"{url}api/trials", Origin=origin)
            assert status == 403 and "its own page only" in body["error"], origin
        status, body = ask(f"{url}api/state", **{"Sec-Fetch-Site": "cross-site"})
        assert status == 403 and "another site" in body["error"]
        assert ask(f"{url}api/state", **{"Sec-Fetch-Site": "same-origin"})[0] == 200


def test_a_crafted_space_is_one_sentence_and_the_server_stops_at_once(tmp_path):
    small_study(tmp_path / "huge")
    set_space_definition(tmp_path / "huge", {"n_nodes": 300, "ops": ["a", "b"]})
    small_study(tmp_path / "one")
    set_space_definition(tmp_path / "one", {"n_nodes": 1, "ops": ["a"]})
    small_study(tmp_path / "odd")
    set_space_definition(tmp_path / "odd", {"stages": 3, "colour": "red"})
    with dashboard(tmp_path) as (process, url):
        for run, words in (("huge", "2 to 12 nodes"), ("one", "2 to 12 nodes"), ("odd", "must give n_nodes, ops")):
            started = time.monotonic()
            for _ in range(3):  # asked again: the same answer, no new computation
                status, body = ask(f"{url}api/arch?run={run}&number=0")
                assert status == 409 and words in body["error"] and "\n" not in body["error"], (run, body)
            assert time.monotonic() - started < 10
        ask(f"{url}api/latent?run=huge")  # a process of its own is started for the map
        started = time.monotonic()
        process.send_signal(signal.SIGTERM)
        out, _ = process.communicate(timeout=10)
        assert time.monotonic() - started < 3 and out.strip().endswith("dashboard stopped")


def test_bad_query_values_and_files_get_one_sentence(tmp_path):
    small_study(tmp_path / "study")
    (tmp_path / "runs").mkdir()
    with dashboard(tmp_path) as (_, url):
        for query, status_wanted, words in (
            ("state?run=a%00b", 400, "NUL"),
            (f"state?run={'x' * 300}", 400, "folder name"),
            ("trials?run=study&since=%C2%B2", 400, "whole number"),
            (f"trials?run=study&since={2**64}", 400, "whole number"),
            (f"arch?run=study&number={2**63}", 400, "whole number"),
        ):
            status, body = ask(f"{url}api/{query}")
            assert status == status_wanted and words in body["error"], (query, body)
        (tmp_path / "summary.csv").write_bytes(b"strategy,best\nrs,\xff\xfe\n")
        status, body = ask(f"{url}api/state")
        assert status == 409 and "summary.csv cannot be read" in body["error"]
        (tmp_path / "summary.csv").write_text("strategy,best\nrs," + "9" * 200_000 + "\n")
        status, body = ask(f"{url}api/state")
        assert status == 409 and "summary.csv cannot be read" in body["error"]


def test_a_journal_replaced_by_another_space_is_drawn_in_the_new_one(tmp_path):
    small_study(tmp_path)
    with dashboard(tmp_path) as (_, url):
        assert ask(f"{url}api/arch?number=0")[1]["nodes"] == 3
        for name in [p for p in tmp_path.iterdir() if p.name.startswith("study.")]:
            name.unlink()
        space = CellSpace(n_nodes=4, ops=list(OP_WORTH))
        with vaenas.create_study(space=space, strategy="rs", seed=1, storage=tmp_path) as study:
            study.optimize(learning_curve, n_trials=2)
        drawn = ask(f"{url}api/arch?number=0")[1]
        assert drawn["nodes"] == 4 and len(drawn["edges"]) == 6


def test_sigint_stops_the_server_while_a_request_thread_is_busy(tmp_path):
    """A request whose thread does not return (here: a journal locked by a writer in the
    middle of a transaction) must not hold the server's exit."""
    small_study(tmp_path)
    writer = sqlite3.connect(tmp_path / "study.db", isolation_level=None)
    writer.execute("PRAGMA journal_mode=DELETE")
    writer.execute("BEGIN EXCLUSIVE")
    try:
        with dashboard(tmp_path) as (process, url):
            request = subprocess.Popen([sys.executable, "-c", f"import urllib.request; urllib.request.urlopen("
                                        f"'{url}api/trials?since=0', timeout=60)"], stderr=subprocess.DEVNULL)
            time.sleep(1.5)
            started = time.monotonic()
            process.send_signal(signal.SIGINT)
            process.communicate(timeout=10)
            assert time.monotonic() - started < 3 and process.returncode == 0
            request.kill()
    finally:
        writer.rollback()
        writer.close()
    assert os.path.exists(tmp_path / "study.db")
