"""The dashboard as a user meets it, for tests, benchmarks and screenshots: the real
`vaenas dashboard` command in a process of its own, and Debian's headless Chromium
driven by Selenium through the system's chromedriver (nothing is downloaded)."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMEDRIVER = shutil.which("chromedriver") or "/usr/bin/chromedriver"


def browser_missing() -> str | None:
    """Why no browser test can run here, or None."""
    if not (os.path.exists(CHROMIUM) and os.path.exists(CHROMEDRIVER)):
        return "Debian's chromium and chromium-driver are not installed (.ci/run installs them)"
    try:
        import selenium  # noqa: F401
    except ImportError:
        return "selenium is not installed (pip install -e '.[test]')"
    return None


@contextmanager
def dashboard(folder: Path, *extra: str) -> Iterator[tuple[subprocess.Popen[str], str]]:
    """`vaenas dashboard FOLDER --port 0` running; yields the process and its address.
    Stopped with Ctrl-C (SIGINT) on the way out."""
    process = subprocess.Popen([sys.executable, "-m", "vaenas", "dashboard", str(folder), "--port", "0", *extra],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        line = process.stdout.readline() if process.stdout else ""
        if "http://" not in line:
            raise RuntimeError(f"the dashboard did not start: {line}{process.stderr.read() if process.stderr else ''}")
        yield process, line[line.index("http://"):].split()[0]
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGINT)
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()


@contextmanager
def chromium(width: int = 1400, height: int = 1500, extra: tuple[str, ...] = ()) -> Iterator[Any]:
    """A headless Chromium that keeps its console messages (`driver.get_log("browser")`);
    `extra`: more command-line switches (e.g. --host-resolver-rules)."""
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for argument in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", f"--window-size={width},{height}",
                     *extra):
        options.add_argument(argument)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    try:
        yield driver
    finally:
        driver.quit()


def open_page(driver: Any, url: str, timeout: float = 30) -> float:
    """Loads `url` and waits until the page has drawn what it first fetched; returns the
    milliseconds from navigation to that point, as the page measured them."""
    driver.get(url)
    wait_until(driver, "return document.body.dataset.ready === '1' || !document.getElementById('problem').hidden",
               timeout)
    return float(driver.execute_script("return window.vaenas ? window.vaenas.loadedMs : performance.now()") or 0)


def wait_until(driver: Any, script: str, timeout: float = 30) -> Any:
    """Polls a JavaScript expression until it is truthy; its value."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = driver.execute_script(script)
        if value:
            return value
        time.sleep(0.05)
    raise TimeoutError(f"the page never satisfied: {script}")


def console_errors(driver: Any) -> list[str]:
    """The page's JavaScript errors and failed loads since the last call."""
    return [entry["message"] for entry in driver.get_log("browser") if entry["level"] == "SEVERE"]
