"""Property-based fuzzing of what a user can hand a study. The invariant everywhere: one
VaenasError (the CLI: one line, exit status 2) or success; never another exception,
never a row written that stops the folder from opening, never a told trial lost.

The default run tries a few dozen cases per property; VAENAS_FUZZ_EXAMPLES=2000 runs a
long campaign (`python -m pytest tests/test_fuzz.py`)."""

import os
import shutil
import sqlite3

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

import vaenas
from library_objective import conv_count
from vaenas.cli import app
from vaenas.errors import VaenasError
from vaenas.search import STRATEGIES
from vaenas.search.options import check_options, parse_option
from vaenas.spaces import CellSpace

EXAMPLES = int(os.environ.get("VAENAS_FUZZ_EXAMPLES", "25"))
FUZZ = settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck))
OPS = ["skip", "conv1x1", "conv3x3", "pool"]


def cells():
    return CellSpace(n_nodes=3, ops=OPS)


def _journal(folder):
    """A real journal of 6 finished trials, made once and copied for every example."""
    if not (folder / "study.db").exists():
        with vaenas.create_study(space=cells(), strategy="rs", storage=folder, seed=1) as study:
            study.optimize(conv_count, n_trials=6)
    return folder / "study.db"


def _open_and_go_on(folder):
    """Resumes the study and runs two more trials: success or one VaenasError; after a
    success the folder must open again with every trial it had."""
    try:
        with vaenas.create_study(space=cells(), strategy="rs", storage=folder, seed=1) as study:
            study.optimize(conv_count, n_trials=2)
            kept = len(study.trials)
    except VaenasError:
        return
    with vaenas.create_study(space=cells(), strategy="rs", storage=folder, seed=1) as study:
        assert len(study.trials) == kept


@FUZZ
@given(edits=st.lists(st.tuples(st.integers(0, 2**20), st.integers(0, 255)), min_size=1, max_size=8))
def test_random_byte_edits_of_a_journal(tmp_path_factory, edits):
    source = _journal(tmp_path_factory.getbasetemp() / "fuzz-journal-source")
    folder = tmp_path_factory.mktemp("bytes")
    data = bytearray(source.read_bytes())
    for position, byte in edits:
        data[position % len(data)] = byte
    (folder / "study.db").write_bytes(bytes(data))
    _open_and_go_on(folder)


SQL_VALUES = st.one_of(st.none(), st.integers(-5, 10**6), st.floats(allow_nan=True), st.text(max_size=12),
                       st.binary(max_size=8), st.sampled_from(["{}", "[]", "running", "complete", "failed", '{"a": 1}']))
SQL_EDITS = st.one_of(
    st.tuples(st.just("UPDATE trials SET {col} = ? WHERE number = {n}"),
              st.sampled_from(["arch_key", "arch", "status", "value", "metrics", "attempts", "started_at", "finished_at"]),
              st.integers(0, 6), SQL_VALUES),
    st.tuples(st.just("UPDATE study SET value = ? WHERE key = '{col}'"),
              st.sampled_from(["space", "strategy", "seed", "direction", "format_version", "space_definition"]),
              st.just(0), SQL_VALUES),
    st.tuples(st.sampled_from(["DELETE FROM trials WHERE number = {n}", "DELETE FROM study WHERE rowid = {n}",
                               "DROP TABLE trials", "DROP TABLE study", "ALTER TABLE trials ADD COLUMN extra TEXT",
                               "ALTER TABLE trials RENAME COLUMN {col} TO renamed", "DELETE FROM study"]),
              st.sampled_from(["arch", "value", "metrics", "status"]), st.integers(0, 6), st.none()),
)


@FUZZ
@given(edits=st.lists(SQL_EDITS, min_size=1, max_size=3))
def test_random_sql_edits_of_a_journal(tmp_path_factory, edits):
    source = _journal(tmp_path_factory.getbasetemp() / "fuzz-journal-source")
    folder = tmp_path_factory.mktemp("sql")
    shutil.copy(source, folder / "study.db")
    with sqlite3.connect(folder / "study.db") as db:
        for template, col, n, value in edits:
            sql = template.format(col=col, n=n)
            try:
                db.execute(sql, (value,) if "?" in sql else ())
            except sqlite3.Error:
                pass  # an edit SQLite itself refuses (a CHECK, a UNIQUE): not damage
    _open_and_go_on(folder)


ARCHS = st.one_of(
    st.tuples(*[st.sampled_from(OPS)] * 3),
    st.lists(st.one_of(st.sampled_from(OPS), st.text(max_size=6), st.integers(), st.none()), max_size=5).map(tuple),
    st.text(max_size=30),
    st.sampled_from(["|skip~0|+|skip~0|pool~1|", "|skip~0|+|x~0|pool~1|", "", "+", "|~0|"]),
    st.none(), st.integers(), st.floats(),
)
VALUES = st.one_of(st.none(), st.floats(allow_nan=True, allow_infinity=True), st.integers(), st.text(max_size=5),
                   st.booleans(), st.builds(vaenas.Evaluation, value=st.one_of(st.floats(), st.text(max_size=3))))


@FUZZ
@given(told=st.lists(st.tuples(ARCHS, VALUES), min_size=1, max_size=8))
def test_random_architectures_and_values_through_tell(tmp_path_factory, told):
    folder = tmp_path_factory.mktemp("tell")
    recorded = 0
    with vaenas.create_study(space=cells(), strategy="rs", storage=folder) as study:
        for arch, value in told:
            try:
                study.tell(arch, value)
                recorded += 1
            except VaenasError:
                pass
        assert len(study.trials) == recorded
    with vaenas.create_study(space=cells(), strategy="rs", storage=folder) as study:
        assert len(study.trials) == recorded
        study.optimize(conv_count, n_trials=1)


@FUZZ
@given(text=st.text(max_size=40), strategy=st.sampled_from(STRATEGIES.names()))
def test_random_option_strings(text, strategy):
    try:
        key, value = parse_option(text)
        check_options(strategy, STRATEGIES.get(strategy), {key: value})
    except VaenasError:
        pass


@settings(max_examples=max(5, EXAMPLES // 5), deadline=None, suppress_health_check=list(HealthCheck))
@given(text=st.text(alphabet=st.characters(blacklist_categories=["Cs", "Cc"]), max_size=30))
def test_random_option_strings_on_the_command_line(tmp_path_factory, text):
    out = tmp_path_factory.mktemp("cli")
    result = CliRunner().invoke(app, ["search", "--strategy", "re", "-S", text, "--budget", "3", "--out", str(out)])
    assert result.exit_code in (0, 2), result.output
    if result.exit_code == 2:
        assert len(result.output.strip().splitlines()) == 1 and "Traceback" not in result.output
