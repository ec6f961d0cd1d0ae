"""`--ray-address` mistakes, with no Ray instance running in this process (test_ray.py's
instance is shut down by then: `auto` would find it)."""

import os
import subprocess
import sys
import time

import pytest

pytest.importorskip("ray")
pytestmark = pytest.mark.ray


@pytest.mark.parametrize("address, words", [
    ("127.0.0.1:1", "no Ray cluster answers at 127.0.0.1:1"),
    ("not-an-address", "is not host:port"),
    ("ray://127.0.0.1:1", "ray://127.0.0.1:1"),
    ("auto", "Could not find any running Ray instance"),
])
def test_a_cluster_address_that_does_not_answer_is_one_line_soon(tmp_path, address, words):
    """Ray retries a silent address forever and ignores Ctrl-C meanwhile: the executor
    asks first (with no Ray instance of this process running)."""
    started = time.monotonic()
    done = subprocess.run([sys.executable, "-m", "vaenas", "search", "--executor", "ray", "--ray-address", address,
                           "--budget", "3", "--out", str(tmp_path)], capture_output=True, text=True, timeout=60,
                          env={**os.environ, "RAY_ADDRESS": ""})
    assert done.returncode == 2 and words in done.stderr and len(done.stderr.strip().splitlines()) == 1, done.stderr
    assert time.monotonic() - started < 30
