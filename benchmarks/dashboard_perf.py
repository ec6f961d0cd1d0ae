"""What the dashboard costs: page load and live-update time in headless Chromium on a
study of every NAS-Bench-201 cell, the server's memory, and how much a dashboard polled
every second slows a running search.

    python benchmarks/dashboard_perf.py --out docs/results/data/dashboard.json
    python benchmarks/dashboard_perf.py --page docs/results/data/dashboard.json docs/results/dashboard.md

Load: milliseconds from navigation until the page has drawn the first answer (the page
measures it: `window.vaenas.loadedMs`), three loads of the 15,625-trial study, each in a
new browser (nothing cached). Update:
the milliseconds the page spends merging and redrawing after 10 new trials arrive (the
study is resumed 10 trials at a time while the page is open), three times. Memory: the
server process's peak resident set (VmHWM). Slowdown: seconds of `vaenas search` (`bo`,
`--budget`, seed 600) with and without a client that polls the dashboard's API as the
page does (state, then trials since the last answer) once a second, alternated.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path

from headless_browser import chromium, dashboard, open_page, wait_until
from provenance import arguments_or_page, provenance, provenance_line, save_result

SPACE_SIZE = 15_625


def search(folder: Path, *args: str) -> float:
    """Seconds of one `vaenas search` run into `folder`."""
    started = time.perf_counter()
    subprocess.run([sys.executable, "-m", "vaenas", "search", "--out", str(folder), *args], check=True,
                   capture_output=True)
    return time.perf_counter() - started


def peak_memory_mib(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError("no VmHWM in /proc status")


def load_and_update(tmp: Path) -> dict:
    study = tmp / "all-cells"
    search(study, "--strategy", "rs", "--budget", str(SPACE_SIZE - 30))
    with dashboard(study) as (process, url), chromium() as page:
        open_page(page, url)
        updates = []
        for step in (20, 10, 0):
            before = page.execute_script("return window.vaenas.updates")
            search(study, "--strategy", "rs", "--budget", str(SPACE_SIZE - step))
            wait_until(page, f"return window.vaenas.trialCount === {SPACE_SIZE - step} && "
                             f"window.vaenas.updates > {before}", 60)
            updates.append(page.execute_script("return window.vaenas.lastUpdateMs"))
            print(f"update with 10 new trials: {updates[-1]:.1f} ms", flush=True)
        loads = []
        for _ in range(3):
            with chromium() as fresh:  # a new browser each time: nothing cached, plotly.js compiled anew
                loads.append(open_page(fresh, url))
                assert fresh.execute_script("return window.vaenas.trialCount") == SPACE_SIZE
            print(f"load of {SPACE_SIZE} trials in a new browser: {loads[-1]:.0f} ms", flush=True)
        memory = peak_memory_mib(process.pid)
        print(f"server peak memory {memory:.0f} MiB", flush=True)
    return {"load_ms": [round(v) for v in loads], "update_ms": [round(v, 1) for v in updates],
            "server_peak_mib": round(memory, 1)}


def poll(url: str, stop: threading.Event) -> int:
    """What the page asks each second; returns the number of polls."""
    following, polls = 0, 0
    while not stop.wait(1.0):
        try:
            urllib.request.urlopen(f"{url}api/state", timeout=10).read()
            answer = json.loads(urllib.request.urlopen(f"{url}api/trials?since={following}", timeout=10).read())
            following = answer.get("next", following)
            polls += 1
        except (OSError, ValueError):  # the journal is being created: as the page, try again
            pass
    return polls


def slowdown(tmp: Path, budget: int, pairs: int) -> dict:
    plain, watched = [], []
    for k in range(pairs):
        plain.append(search(tmp / f"plain{k}", "--budget", str(budget), "--seed", "600"))
        folder = tmp / f"watched{k}"
        folder.mkdir()
        with dashboard(folder) as (_, url):
            stop = threading.Event()
            result: list[int] = []
            poller = threading.Thread(target=lambda: result.append(poll(url, stop)))
            poller.start()
            watched.append(search(folder, "--budget", str(budget), "--seed", "600"))
            stop.set()
            poller.join()
        print(f"search of {budget} trials: {plain[-1]:.1f} s alone, {watched[-1]:.1f} s with the dashboard polled "
              f"({result[0]} polls)", flush=True)
    ratio = statistics.median(watched) / statistics.median(plain)
    print(f"slowdown (median watched / median alone): {ratio:.3f}", flush=True)
    return {"budget": budget, "plain_seconds": [round(v, 2) for v in plain],
            "watched_seconds": [round(v, 2) for v in watched], "ratio": round(ratio, 3)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--budget", type=int, default=60, help="trials of each timed search")
    parser.add_argument("--pairs", type=int, default=3, help="timed searches with and without the dashboard")
    args = arguments_or_page(parser, write_page)
    if args is None:
        return
    with tempfile.TemporaryDirectory() as tmp:
        result = {"provenance": provenance(), **load_and_update(Path(tmp)),
                  "slowdown": slowdown(Path(tmp), args.budget, args.pairs)}
    save_result(args.out, result)


def write_page(result: Path, page: Path) -> None:
    data = json.loads(result.read_text())
    slow = data["slowdown"]
    lines = [
        "# What the dashboard costs (generated by benchmarks/dashboard_perf.py --page; do not edit)", "",
        f"A study of all {SPACE_SIZE:,} NAS-Bench-201 cells (`vaenas search --strategy rs`), served by "
        "`vaenas dashboard` and opened in Debian's headless Chromium on the same 2 cores.", "",
        "| what | measured | target |", "|---|---|---|",
        f"| page load to first drawing (ms, 3 loads, each in a new browser) | {', '.join(map(str, data['load_ms']))} | at most 2000 |",
        f"| live update with 10 new trials (ms in the page, 3 updates) | "
        f"{', '.join(map(str, data['update_ms']))} | at most 50 |",
        f"| server's peak memory (MiB) | {data['server_peak_mib']} | under 250 |",
        f"| `vaenas search` ({slow['budget']} trials of `bo`, seed 600) polled every second, seconds with / "
        f"without | {', '.join(map(str, slow['watched_seconds']))} / {', '.join(map(str, slow['plain_seconds']))} "
        f"(median ratio {slow['ratio']}) | at most 1.05 |",
        "", provenance_line(data["provenance"]), f"Result file: `{result}`.", "",
    ]
    page.write_text("\n".join(lines))


if __name__ == "__main__":
    main()
