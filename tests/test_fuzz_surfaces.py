"""Property-based fuzzing of the surfaces a crafted file or a hostile page reaches: the
dashboard (random paths through planted links, Host and Origin headers, query values),
space definitions read from a journal, the proxy cache, and arrays from Python. The
invariants: never a file outside the served folder, never a 500, every request answered
within a bound; one VaenasError or success, never another exception.

VAENAS_FUZZ_EXAMPLES (as in test_fuzz.py) sets how many cases each property tries."""

import os
import time
import urllib.error
import urllib.parse
import urllib.request
import warnings
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from torch import nn

import vaenas
from pruning_objective import OP_WORTH, learning_curve
from vaenas.errors import DataError, VaenasError
from vaenas.objectives.image_data import ImageData
from vaenas.search.network_proxies import user_network_proxies
from vaenas.spaces import CellSpace, space_of

pytest.importorskip("uvicorn")
import sys  # noqa: E402

sys.path.append(str(Path(__file__).parents[1] / "benchmarks"))
from headless_browser import dashboard  # noqa: E402

EXAMPLES = int(os.environ.get("VAENAS_FUZZ_EXAMPLES", "25"))
FUZZ = settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                             HealthCheck.function_scoped_fixture])
SECRET = "outside-the-served-folder-0451"
LEAKED_OP = "leakedop"
ANSWER_SECONDS = 15


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    """A served folder with links planted to an outside study and an outside file, and
    its running dashboard."""
    root = tmp_path_factory.mktemp("fuzz-dashboard")
    inside, outside = root / "served", root / "outside"
    with vaenas.create_study(space=CellSpace(n_nodes=3, ops=list(OP_WORTH)), strategy="rs", storage=inside / "study") as study:
        study.optimize(learning_curve, n_trials=3)
    with vaenas.create_study(space=CellSpace(n_nodes=3, ops=["skip", LEAKED_OP]), strategy="rs",
                             storage=outside / "study") as study:  # an op name only the outside study holds
        study.optimize(lambda arch: 1.0, n_trials=3)
    (outside / "secret.csv").write_text(f"strategy,best\n{SECRET},1\n")
    (inside / "runs" / "rs").mkdir(parents=True)
    (inside / "runs" / "rs" / "seed0").symlink_to(outside / "study")
    (inside / "runs" / "link").symlink_to(outside)
    (inside / "summary.csv").symlink_to(outside / "secret.csv")
    (inside / "journal-link").mkdir()
    (inside / "journal-link" / "study.db").symlink_to(outside / "study" / "study.db")
    (inside / "loop").symlink_to(inside / "loop")
    with dashboard(inside) as (_, url):
        yield url


PARTS = st.sampled_from(["", ".", "..", "study", "runs", "rs", "seed0", "link", "journal-link", "loop",
                         "summary.csv", "study.db", "%2e%2e", "%00", "x" * 300, "²", "/", "//etc", "C:"])
ROUTES = st.sampled_from(["api/state", "api/trials", "api/arch", "api/latent", "api/optimum", ""])
NUMBERS = st.one_of(st.integers(-5, 2**70).map(str), st.text(max_size=6), st.just("0"))
HOSTS = st.sampled_from([None, "127.0.0.1", "localhost", "[::1]", "evil.example", "127.0.0.1.evil.example", "",
                         "localhost:1", "LOCALHOST.", "[::1"])
ORIGINS = st.sampled_from([None, "null", "http://evil.example", "http://localhost", "https://127.0.0.1"])


@FUZZ
@given(parts=st.lists(PARTS, max_size=4), route=ROUTES, number=NUMBERS, host=HOSTS, origin=ORIGINS)
def test_random_requests_never_reach_outside_the_folder(served, parts, route, number, host, origin):
    url = served
    run = urllib.parse.quote("/".join(parts), safe="/%")
    query = f"run={run}&since={urllib.parse.quote(number)}&number={urllib.parse.quote(number)}"
    headers = {k: v for k, v in (("Host", host), ("Origin", origin)) if v is not None}
    request = urllib.request.Request(f"{url}{route}?{query}", headers=headers)
    started = time.monotonic()
    try:
        with urllib.request.urlopen(request, timeout=ANSWER_SECONDS) as response:
            status, body = response.status, response.read().decode(errors="replace")
    except urllib.error.HTTPError as exc:
        status, body = exc.code, exc.read().decode(errors="replace")
    assert time.monotonic() - started < ANSWER_SECONDS
    assert status in (200, 202, 400, 403, 404, 409, 503), (status, body[:300])
    assert SECRET not in body and LEAKED_OP not in body


DEFINITIONS = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(-10, 10**12), st.floats(allow_nan=True), st.text(max_size=8)),
    lambda inner: st.one_of(st.lists(inner, max_size=5),
                            st.dictionaries(st.sampled_from(["n_nodes", "ops", "stages", "depth", "width", "kernel",
                                                             "other"]), inner, max_size=4)),
    max_leaves=20)


@FUZZ
@given(name=st.sampled_from(["cell", "layers", "macro", "nb201", "other"]), definition=DEFINITIONS)
def test_random_space_definitions_build_quickly_or_say_why(name, definition):
    started = time.monotonic()
    try:
        space = space_of(name, definition)
    except VaenasError as exc:
        assert "\n" not in str(exc)
    else:
        if space is not None:
            assert space.max_nodes <= 1000
    assert time.monotonic() - started < 2


def proxy_build(arch):
    layers = {"skip": nn.Identity, "conv1x1": lambda: nn.Conv2d(4, 4, 1), "conv3x3": lambda: nn.Conv2d(4, 4, 3, padding=1),
              "pool": lambda: nn.AvgPool2d(3, 1, 1)}
    return nn.Sequential(nn.Conv2d(3, 4, 1), *(layers[op]() for op in arch), nn.Flatten(), nn.Linear(4 * 36, 2))


@FUZZ
@given(edits=st.lists(st.tuples(st.integers(0, 10**6), st.integers(0, 255)), min_size=1, max_size=6))
def test_random_edits_of_the_proxy_cache_are_recomputed_or_harmless(tmp_path_factory, monkeypatch, edits):
    monkeypatch.setenv("VAENAS_CACHE", str(tmp_path_factory.mktemp("proxy-cache")))
    space = CellSpace(n_nodes=3, ops=list(OP_WORTH))
    every = list(space.enumerate())
    first = user_network_proxies(space, proxy_build, (3, 6, 6))
    truth = first.scores(every, "synflow")
    path = first.cache_file("synflow")
    data = bytearray(path.read_bytes())
    for position, byte in edits:
        data[position % len(data)] = byte
    path.write_bytes(bytes(data))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        again = user_network_proxies(space, proxy_build, (3, 6, 6)).scores(every, "synflow")
    assert np.argsort(again, kind="stable").tolist() == np.argsort(truth, kind="stable").tolist()


SHAPES = st.lists(st.integers(0, 12), min_size=0, max_size=5).map(tuple)
DTYPES = st.sampled_from(["uint8", "float32", "float64", "int64", "bool", "complex64", "U3", "object", "float16"])


@FUZZ
@given(x_shape=SHAPES, x_dtype=DTYPES, y_shape=SHAPES, y_dtype=DTYPES, fill=st.floats(allow_nan=True),
       classes=st.integers(-3, 10**7))
def test_random_arrays_are_images_or_one_line(x_shape, x_dtype, y_shape, y_dtype, fill, classes):
    rng = np.random.default_rng(0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        x = (rng.random(x_shape) * (fill if np.isfinite(fill) else 1.0)).astype(x_dtype)
        y = rng.integers(min(classes, 0), max(classes, 1), y_shape).astype(y_dtype)
    try:
        data = ImageData.from_arrays(x, y)
    except DataError as exc:
        assert "\n" not in str(exc)
    else:
        assert 2 <= data.n_classes <= 10_000 and np.isfinite(data.train_x).all() and min(data.shape[1:]) >= 4
