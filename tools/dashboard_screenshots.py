"""Screenshots of the dashboard for the docs (docs/images/dashboard-*.png), taken in
Debian's headless Chromium from real runs made here:

    python tools/dashboard_screenshots.py

- dashboard-study.png: `bo` on NAS-Bench-201 (40 trials): best so far, latent map, a cell;
- dashboard-training.png: `bo` training CNNs on digits with the ASHA pruner (20 trials):
  pruned curves, the trial table with reasons, a CNN's stages;
- dashboard-compare.png: rs, re and bo over 4 seeds each (30 queries).
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.append(str(Path(__file__).parents[1] / "benchmarks"))
from headless_browser import chromium, dashboard, open_page, wait_until  # noqa: E402

IMAGES = Path(__file__).parents[1] / "docs" / "images"


def vaenas(*args: str) -> None:
    subprocess.run([sys.executable, "-m", "vaenas", *args], check=True)


def shoot(folder: Path, name: str, row: int | None = None, wait_for: str | None = None) -> None:
    with dashboard(folder) as (_, url), chromium(1400, 1500) as page:
        open_page(page, url)
        if wait_for:
            wait_until(page, wait_for, 120)
        if row is not None:
            wait_until(page, "return !document.getElementById('latent-note').textContent.startsWith('computing')", 300)
            page.find_elements("css selector", "#trials tbody tr")[row].click()
            wait_until(page, "return document.querySelector('#arch svg') !== null", 20)
            page.execute_script("window.scrollTo(0, 0)")
        page.save_screenshot(str(IMAGES / name))
        print(f"wrote {IMAGES / name}")


def main() -> None:
    IMAGES.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        nb201, training, compare = Path(tmp, "nb201"), Path(tmp, "training"), Path(tmp, "compare")
        vaenas("search", "--budget", "40", "--out", str(nb201))
        shoot(nb201, "dashboard-study.png", row=4, wait_for="return document.getElementById('latent-map').dataset.points")
        vaenas("search", "--space", "macro", "--objective", "classifier", "--data", "digits", "--epochs", "6",
               "--pruner", "asha", "--budget", "20", "--out", str(training))
        page_with_pruned = "return document.querySelectorAll('#trials td.status-pruned').length > 0"
        shoot(training, "dashboard-training.png", row=1, wait_for=page_with_pruned)
        vaenas("compare", "--strategies", "rs,re,bo", "--seeds", "4", "--budget", "30", "--out", str(compare))
        shoot(compare, "dashboard-compare.png")


if __name__ == "__main__":
    main()
