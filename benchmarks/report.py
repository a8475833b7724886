"""Hours-saved report over one year of 60 scenarios and 1,000,000 ledger items.

The ledger is generated first into a temporary SQLite file (not timed). Then the report —
loading the inventory, aggregating the ledger, writing the workbook and the document — runs
in a fresh child process, three times: ``seconds`` is the median of the in-process times,
``seconds_with_startup`` the median wall time of the child (interpreter and imports included),
``peak_rss_mb`` the largest peak resident memory of a child (``os.wait4``). Targets: ≤ 15 s
and ≤ 1,500 MB.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path
from typing import Any

import yaml

SCENARIOS = 60
ITEMS = 1_000_000
FISCAL_YEAR = 2025
RUNS = 3
_ROOT = Path(__file__).resolve().parents[1]
_DEPARTMENTS = [
    "市民課",
    "税務課",
    "子育て支援課",
    "保険年金課",
    "介護保険課",
    "会計課",
    "保育課",
    "福祉課",
    "上下水道課",
    "学校教育課",
    "環境課",
    "財政課",
]

_CHILD = """
import json, sys, time
started = time.perf_counter()
from reports import Period, build_report
imported = time.perf_counter()
files = build_report(period=Period.fy(int(sys.argv[1])), out_dir=sys.argv[2],
                     inventory=sys.argv[3], ledger=sys.argv[4])
done = time.perf_counter()
print(json.dumps({"import_seconds": imported - started, "report_seconds": done - imported,
                  "done": files.report.summary.done,
                  "workbook_kb": files.workbook.stat().st_size // 1024,
                  "document_kb": files.document.stat().st_size // 1024}))
"""


def _inventory(path: Path) -> None:
    scenarios = []
    for n in range(1, SCENARIOS + 1):
        minutes = 3 + (n * 7) % 13
        items = ITEMS // SCENARIOS
        scenarios.append(
            {
                "id": f"bench-{n:03d}",
                "name": f"ベンチマーク業務{n:03d}",
                "department": _DEPARTMENTS[n % len(_DEPARTMENTS)],
                "owner": "DX推進課",
                "status": "稼働中",
                "target_systems": ["業務システム"],
                "data_classification": "個人情報を含む",
                "baseline": {
                    "minutes_per_item": minutes,
                    "method": "計測",
                    "measured_by": "DX推進課",
                    "measured_on": date(2025, 1, 15),
                },
                "forecast": {
                    "items_per_year": items,
                    "hours_per_year": round(items * minutes / 60 * 0.9),
                },
                "started_on": date(2025, 4, 1),
                "next_review_on": date(2026, 3, 31),
            }
        )
    path.write_text(yaml.safe_dump({"scenarios": scenarios}, allow_unicode=True), encoding="utf-8")


def _child_run(folder: Path, inventory: Path, url: str) -> dict[str, Any]:
    started = time.perf_counter()
    env = {**os.environ, "PYTHONPATH": str(_ROOT)}
    child = subprocess.Popen(
        [sys.executable, "-c", _CHILD, str(FISCAL_YEAR), str(folder / "out"), str(inventory), url],
        stdout=subprocess.PIPE,
        cwd=_ROOT,
        env=env,
    )
    assert child.stdout is not None
    output = child.stdout.read()
    _, status, usage = os.wait4(child.pid, 0)
    child.returncode = os.waitstatus_to_exitcode(status)
    wall = time.perf_counter() - started
    if child.returncode != 0:
        raise RuntimeError(f"report child failed with exit code {child.returncode}")
    result: dict[str, Any] = json.loads(output)
    result["wall_seconds"] = wall
    result["peak_rss_mb"] = usage.ru_maxrss / 1024  # kilobytes on Linux
    return result


def run() -> dict[str, Any]:
    """Generate the ledger, time the report RUNS times; the figures for report.json."""
    from core.inventory import load_inventory
    from core.ledger import Ledger
    from reports import generate_demo_ledger

    with tempfile.TemporaryDirectory(prefix="jimu-bench-report-") as tmp:
        folder = Path(tmp)
        inventory = folder / "inventory.yaml"
        _inventory(inventory)
        url = f"sqlite:///{folder / 'ledger.sqlite3'}"
        started = time.perf_counter()
        ledger = Ledger(url)
        count = generate_demo_ledger(
            ledger, load_inventory(inventory), fy=FISCAL_YEAR, seed=7, items=ITEMS
        )
        ledger.engine.dispose()
        generated = time.perf_counter() - started
        runs = [_child_run(folder, inventory, url) for _ in range(RUNS)]
        size_mb = (folder / "ledger.sqlite3").stat().st_size / 2**20
    seconds = statistics.median(r["report_seconds"] for r in runs)
    peak = max(r["peak_rss_mb"] for r in runs)
    return {
        "ledger_items": count,
        "scenarios": SCENARIOS,
        "seconds": round(seconds, 2),
        "seconds_with_startup": round(statistics.median(r["wall_seconds"] for r in runs), 2),
        "import_seconds": round(statistics.median(r["import_seconds"] for r in runs), 2),
        "peak_rss_mb": round(peak, 1),
        "runs": RUNS,
        "items_done": runs[0]["done"],
        "workbook_kb": runs[0]["workbook_kb"],
        "document_kb": runs[0]["document_kb"],
        "ledger_file_mb": round(size_mb, 1),
        "generation_seconds": round(generated, 1),
        "target_seconds": 15,
        "target_peak_rss_mb": 1500,
        "within_targets": seconds <= 15 and peak <= 1500,
    }
