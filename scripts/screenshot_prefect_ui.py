"""Take docs/prefect-ui.png: the run form of a deployment in the Prefect UI, as a clerk sees it.

Starts ``jimu serve`` on free ports over a temporary data folder, opens the deployment
``e-application-sync`` in headless Chromium (Debian's), presses 実行 → Custom run and saves a
screenshot; then stops everything. Usage: ``.venv/bin/python scripts/screenshot_prefect_ui.py``.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx
from playwright.sync_api import sync_playwright

REPO = Path(__file__).resolve().parent.parent
OUT = REPO / "docs" / "prefect-ui.png"


def _wait_ready(log: Path, process: subprocess.Popen[bytes], timeout: float = 300) -> None:
    deadline = time.monotonic() + timeout
    while "jimu is serving" not in log.read_text(encoding="utf-8", errors="replace"):
        if process.poll() is not None or time.monotonic() > deadline:
            sys.exit(f"jimu serve did not start; see {log}")
        time.sleep(0.5)


def main() -> int:
    sys.path.insert(0, str(REPO))
    from core.net import free_port
    from robots import launch_chromium

    port = free_port()
    ui = f"http://127.0.0.1:{port}"
    with tempfile.TemporaryDirectory(prefix="jimu-shot-") as data:
        env = {k: v for k, v in os.environ.items() if not k.startswith("PREFECT_")}
        env["JIMU_DATA_DIR"] = data
        log = Path(data) / "serve.log"
        command = [
            sys.executable, "-m", "cli._serve", "--prefect-port", str(port),
            "--portal-port", str(free_port()), "--business-port", str(free_port()),
        ]  # fmt: skip
        with log.open("wb") as out:
            serve = subprocess.Popen(command, cwd=REPO, env=env, stdout=out, stderr=out)
        try:
            _wait_ready(log, serve)
            deployment = httpx.get(
                f"{ui}/api/deployments/name/e-application-sync/e-application-sync", timeout=10
            ).json()
            with sync_playwright() as playwright:
                browser = launch_chromium(playwright, headless=True)
                page = browser.new_page(locale="ja-JP", viewport={"width": 1400, "height": 900})
                page.goto(f"{ui}/deployments/deployment/{deployment['id']}")
                page.get_by_role("button", name="Run", exact=True).click()
                page.get_by_text("Custom run").click()
                page.get_by_text("workers").first.wait_for()
                OUT.parent.mkdir(exist_ok=True)
                page.screenshot(path=str(OUT))
                browser.close()
        finally:
            serve.send_signal(signal.SIGINT)
            serve.wait(timeout=120)
    print(f"wrote {OUT}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
