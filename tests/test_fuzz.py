"""Property-based fuzzing of what a user can hand a study. The invariant everywhere: one
VaenasError (the CLI: one line, exit status 2) or success; never another exception,
never a row written that stops the folder from opening, never a told trial lost.

The default run tries a few dozen cases per property; VAENAS_FUZZ_EXAMPLES=2000 runs a
long campaign (`python -m pytest tests/test_fuzz.py`)."""

import contextlib
import json
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import warnings

import pytest
import torch

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

import vaenas
from library_objective import conv_count
from vaenas.cli import app
from vaenas.errors import VaenasError
from vaenas.search import STRATEGIES
from vaenas.search.options import check_options, parse_option, strategy_options
from vaenas.spaces import CellSpace
from vaenas.vae import ArchVAE, VAEConfig

EXAMPLES = int(os.environ.get("VAENAS_FUZZ_EXAMPLES", "25"))
FUZZ = settings(max_examples=EXAMPLES, deadline=None,
                # each example opens a real SQLite journal (and may run trials): slower than Hypothesis expects
                suppress_health_check=[HealthCheck.too_slow])
OPS = ["skip", "conv1x1", "conv3x3", "pool"]
DEADLINE_SECONDS = 30
"""No example may take longer: a hang (an option whose arithmetic never ends) fails the
test instead of stalling the suite."""


class Hung(Exception):
    pass


@contextlib.contextmanager
def deadline(seconds=DEADLINE_SECONDS):
    """Raises Hung in the test if the block runs longer than `seconds`."""
    def alarm(*_):
        raise Hung(f"an example ran over {seconds} s")

    before = signal.signal(signal.SIGALRM, alarm)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, before)


def one_line(error):
    """The promise of every VaenasError: one line that says what to do."""
    assert "\n" not in str(error).strip() and str(error).strip(), repr(error)


def cells():
    return CellSpace(n_nodes=3, ops=OPS)


def _journal(folder):
    """A real journal of 6 finished trials, made once and copied for every example."""
    if not (folder / "study.db").exists():
        with vaenas.create_study(space=cells(), strategy="rs", storage=folder, seed=1) as study:
            study.optimize(conv_count, n_trials=6)
    return folder / "study.db"


def _open_and_go_on(folder):
    """Resumes the study and runs two more trials: success or one VaenasError. A journal
    refused when it opens is left as it was; after a success the folder opens again
    with every trial it had."""
    before = (folder / "study.db").read_bytes()
    try:
        study = vaenas.create_study(space=cells(), strategy="rs", storage=folder, seed=1)
    except VaenasError as refused:
        one_line(refused)
        assert (folder / "study.db").read_bytes() == before, "a refused journal was written"
        return
    try:
        with study:
            study.optimize(conv_count, n_trials=2)
            kept = len(study.trials)
    except VaenasError as refused:
        one_line(refused)
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
    """An option is refused in one line, or accepted as a value of its default's type."""
    try:
        key, value = parse_option(text)
        checked = check_options(strategy, STRATEGIES.get(strategy), {key: value})
    except VaenasError as refused:
        one_line(refused)
        return
    default = strategy_options(STRATEGIES.get(strategy))[key]
    if type(default) in (bool, int, float, str):
        assert type(checked[key]) is type(default), (key, checked[key], default)


@settings(max_examples=max(5, EXAMPLES // 5), deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text=st.text(alphabet=st.characters(blacklist_categories=["Cs", "Cc"]), max_size=30))
def test_random_option_strings_on_the_command_line(tmp_path_factory, text):
    out = tmp_path_factory.mktemp("cli")
    result = CliRunner().invoke(app, ["search", "--strategy", "re", "-S", text, "--budget", "3", "--out", str(out)])
    assert result.exit_code in (0, 2), result.output
    if result.exit_code == 2:
        assert len(result.output.strip().splitlines()) == 1 and "Traceback" not in result.output


# --- trials, reports and pruners (issue 42) --------------------------------------

ODD_VALUES = st.one_of(
    st.none(), st.booleans(), st.integers(-3, 10), st.integers(-(10**400), 10**400),
    st.floats(allow_nan=True, allow_infinity=True), st.text(max_size=4), st.lists(st.integers(), max_size=2),
    st.dictionaries(st.text(max_size=3), st.integers(), max_size=2), st.just(conv_count),
)
PRUNER_OPTIONS = {
    "median": ["n_startup_trials", "n_warmup_steps"],
    "asha": ["min_resource", "reduction_factor", "min_early_stopping_rate"],
    "hyperband": ["min_resource", "max_resource", "reduction_factor"],
}
STEPS = st.one_of(st.integers(0, 30), st.integers(-5, 2**64), st.floats(0, 5), st.none())
REPORT_ACTIONS = st.lists(st.one_of(
    st.tuples(st.just("report"), st.integers(0, 3), ODD_VALUES, STEPS),
    st.tuples(st.just("should_prune"), st.integers(0, 3), st.none(), st.none()),
    st.tuples(st.just("tell"), st.integers(0, 3), ODD_VALUES, st.none()),
    st.tuples(st.just("tell_pruned"), st.integers(0, 3), st.none(), st.none()),
), max_size=25)


@FUZZ
@given(name=st.sampled_from(sorted(PRUNER_OPTIONS)), data=st.data(), actions=REPORT_ACTIONS)
def test_random_pruner_options_and_report_sequences(tmp_path_factory, name, data, actions):
    """Any pruner options and any sequence of reports, prune checks and tells, on trials
    running or ended: each call succeeds or raises one VaenasError, within the deadline;
    the journal holds exactly the reports each handle kept, a trial's reports never change
    after it ends, and a pruned trial was pruned at a step the journal holds."""
    values = st.one_of(st.integers(0, 6), st.integers(0, 10**12), ODD_VALUES)
    options = data.draw(st.dictionaries(st.sampled_from(PRUNER_OPTIONS[name]), values, max_size=3))
    folder = tmp_path_factory.mktemp("reports")
    with deadline():
        try:
            study = vaenas.create_study(space=cells(), strategy="rs", storage=folder, pruner=name,
                                        pruner_options=options)
        except VaenasError as refused:
            one_line(refused)
            return
        with study:
            trials = [study.ask_trial() for _ in range(4)]
            ended: dict[int, dict[int, float]] = {}
            for action, i, value, step in actions:
                trial = trials[i]
                try:
                    if action == "report":
                        trial.report(value, step)
                    elif action == "should_prune":
                        assert trial.should_prune() in (True, False)
                    else:
                        study.tell(trial, vaenas.TrialPruned() if action == "tell_pruned" else value)
                        ended[trial.number] = dict(trial.intermediate_values)
                except VaenasError as refused:
                    one_line(refused)
            journal = study.storage.intermediate_values()
            for trial in trials:
                assert journal.get(trial.number, {}) == trial.intermediate_values
                if trial.number in ended:
                    assert trial.intermediate_values == ended[trial.number]
            for record in study.storage.trials():
                if record.status.value == "pruned":
                    assert record.metrics["pruned_at"] in journal[record.number]
        with vaenas.create_study(space=cells(), strategy="rs", storage=folder, pruner=name,
                                 pruner_options=options) as reopened:
            assert len(reopened.trials) == 4


ALL_CELLS = [CellSpace(n_nodes=3, ops=OPS).format(a) for a in CellSpace(n_nodes=3, ops=OPS).enumerate()]
QUEUE_ACTIONS = st.lists(st.one_of(
    st.tuples(st.just("ask"), st.none(), st.none()),
    st.tuples(st.just("enqueue"), st.sampled_from(ALL_CELLS[:12]), st.none()),
    st.tuples(st.just("tell"), st.sampled_from(ALL_CELLS[:12]), st.sampled_from([0.5, None, "x"])),
    st.tuples(st.just("tell_asked"), st.integers(0, 5), st.sampled_from([0.7, None])),
    st.tuples(st.just("optimize"), st.integers(1, 3), st.none()),
), max_size=15)


@FUZZ
@given(actions=QUEUE_ACTIONS)
def test_random_tell_enqueue_ask_interleavings(tmp_path_factory, actions):
    """Asks, enqueues, tells and optimize runs in any order, checked against a model of
    what the journal must hold: every told architecture once, asked ones running, the
    queue in order without anything already a trial; a reopened study holds the same
    trials and runs its queue first."""
    folder = tmp_path_factory.mktemp("queue")
    space = cells()
    told: set[str] = set()
    asked: list[str] = []
    queue: list[str] = []
    with deadline(), vaenas.create_study(space=space, strategy="rs", storage=folder, seed=2) as study:
        for action, a, b in actions:
            try:
                if action == "ask":
                    text = space.format(study.ask())
                    assert text == queue.pop(0) if queue else text not in told | set(asked)
                    asked.append(text)
                elif action == "enqueue":
                    study.enqueue_trial(a)
                    if a not in told | set(asked) | set(queue):
                        queue.append(a)
                elif action == "tell":
                    study.tell(a, b)
                    assert a not in told
                    told.add(a)
                    asked = [x for x in asked if x != a]
                    queue = [x for x in queue if x != a]
                elif action == "tell_asked" and asked:
                    text = asked.pop(a % len(asked))
                    study.tell(text, b)
                    told.add(text)
                elif action == "optimize":
                    study.optimize(conv_count, n_trials=a)
                    started = [t.arch_key for t in study.storage.trials()]
                    for text in queue[:a]:
                        assert space.key(space.parse(text)) in started
                    ran = {space.format(space.parse(t.arch)) for t in study.storage.trials()} - told - set(asked)
                    told |= ran
                    queue = [x for x in queue if x not in ran]
            except VaenasError as refused:
                one_line(refused)
                assert action == "tell" and a in told, (action, a, refused)
            finished = {space.format(space.parse(t.arch)) for t in study.storage.trials() if t.finished}
            running = {space.format(space.parse(t.arch)) for t in study.storage.trials() if not t.finished}
            assert finished == told and running == set(asked)
            assert [arch for _, arch in study.storage.queued()] == queue
    with vaenas.create_study(space=space, strategy="rs", storage=folder, seed=2) as reopened:
        assert len(reopened.trials) == len(told) + len(asked)
        reopened.optimize(conv_count, n_trials=len(queue) + len(asked) + 1)
        keys = [t.arch_key for t in reopened.storage.trials()]
        assert len(keys) == len(set(keys)) and all(space.key(space.parse(q)) in keys for q in queue)
        assert reopened.storage.queued() == []


JSON = st.recursive(st.none() | st.booleans() | st.integers(-(2**70), 2**70) | st.floats(allow_nan=False) |
                    st.text(max_size=5), lambda inner: st.lists(inner, max_size=3) |
                    st.dictionaries(st.text(max_size=4), inner, max_size=3), max_leaves=6)
STATE_EDITS = st.one_of(
    st.tuples(st.just("bytes"), st.lists(st.tuples(st.integers(0, 2**20), st.integers(0, 255)), min_size=1,
                                         max_size=6)),
    st.tuples(st.just("entry"), st.tuples(st.sampled_from(["told", "gp", "rng", "extra"]), JSON)),
    st.tuples(st.just("gp"), st.tuples(st.sampled_from(["state", "optimized_at"]), JSON)),
    st.tuples(st.just("rng_json"), st.tuples(st.sampled_from(["bit_generator", "state", "has_uint32", "uinteger"]),
                                             JSON)),
    st.tuples(st.just("tensor"), st.tuples(st.integers(0, 20), st.integers(0, 3))),
)


@pytest.fixture(scope="module")
def learned_folder(tmp_path_factory):
    """A `bo` study of 12 trials on the 64 cells, with its learned_state.pt (a small VAE
    trained here: the case is the kept state, not the search)."""
    space = cells()
    vae = ArchVAE(space, VAEConfig(min_steps=0, epochs=2)).fit(list(space.enumerate()))
    folder = tmp_path_factory.mktemp("learned-source")
    with vaenas.create_study(space=space, strategy="bo", vae=vae, storage=folder) as study:
        study.optimize(conv_count, n_trials=12)
    assert (folder / "learned_state.pt").is_file()
    return folder, vae


def _edit_state(path, kind, edit):
    if kind == "bytes":
        data = bytearray(path.read_bytes())
        for position, byte in edit:
            data[position % len(data)] = byte
        path.write_bytes(bytes(data))
        return
    state = torch.load(path, weights_only=True)
    key, value = edit
    if kind == "entry":
        state[key] = value
    elif kind == "gp":
        state["gp"][key] = value
    elif kind == "rng_json":
        rng = json.loads(state["rng"])
        rng[key] = value
        state["rng"] = json.dumps(rng)
    else:
        tensors = state["gp"]["state"]
        name = sorted(tensors)[key % len(tensors)]
        tensors[name] = torch.zeros((value,) * value)
    torch.save(state, path)


@pytest.mark.heavy
@FUZZ
@given(edit=STATE_EDITS)
def test_random_edits_of_a_learned_state(tmp_path_factory, learned_folder, edit):
    """A learned_state.pt edited at random (its bytes, its entries, the JSON of its random
    state, the shapes of its GP tensors): the study opens (a warning at most), goes on
    from the journal with every trial kept, and opens again."""
    source, vae = learned_folder
    folder = tmp_path_factory.mktemp("learned")
    shutil.copytree(source, folder, dirs_exist_ok=True)
    _edit_state(folder / "learned_state.pt", *edit)
    with deadline(), warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        with vaenas.create_study(space=cells(), strategy="bo", vae=vae, storage=folder) as study:
            assert study.n_finished == 12
            study.optimize(conv_count, n_trials=2)
            assert study.n_finished == 14
        with vaenas.create_study(space=cells(), strategy="bo", vae=vae, storage=folder) as again:
            assert again.n_finished == 14


CREATE_ARGUMENTS = ["space", "strategy", "storage", "direction", "seed", "vae", "strategy_options", "objectives",
                    "pruner", "pruner_options", "on_pretrain_epoch", "evaluation", "max_retries"]
OPTIMIZE_ARGUMENTS = ["n_trials", "workers", "executor", "address", "progress", "timeout", "callbacks"]


@FUZZ
@given(data=st.data())
def test_random_argument_types_through_create_study_and_optimize(tmp_path_factory, data):
    """Odd values for any arguments of create_study and optimize: one VaenasError before
    any trial runs, or a study that runs its trials."""
    created = data.draw(st.dictionaries(st.sampled_from(CREATE_ARGUMENTS),
                                        st.one_of(ODD_VALUES, st.sampled_from(["x\x00", "a://b", ""])), max_size=2))
    optimized = data.draw(st.dictionaries(st.sampled_from(OPTIMIZE_ARGUMENTS), ODD_VALUES, max_size=2))
    if "storage" in created and isinstance(created["storage"], str):
        created["storage"] = str(tmp_path_factory.mktemp("args") / (created["storage"] or "s"))
    with deadline():
        try:
            study = vaenas.create_study(**{"space": cells(), "strategy": "rs", **created})
        except VaenasError as refused:
            one_line(refused)
            return
        with study:
            try:
                study.optimize(conv_count, **{"n_trials": 2, **optimized})
            except VaenasError as refused:
                one_line(refused)
                assert study.trials == []


@pytest.mark.slow
def test_the_long_campaign():
    """Every property above with 1,000 examples each (about 20 minutes on 2 cores)."""
    env = {**os.environ, "VAENAS_FUZZ_EXAMPLES": "1000"}
    done = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", __file__, "-m", "not slow"],
                          env=env, capture_output=True, text=True)
    assert done.returncode == 0, done.stdout[-3000:]
