"""``jimu survey collect`` on 200 returned workbooks (the annual survey of a large city).

The workbooks are generated first into a temporary folder (not timed:
``generation_seconds``) by :func:`sandbox.survey_answers.write_returned_workbooks`, with
every kind of mess people make. Then :func:`reports.survey.collect_answers` reads the folder
in this process: ``seconds`` is the median of three runs. ``rows_accounted_for`` counts the
answer rows that ended as a candidate or as a problem of their row (it must equal ``rows``);
``mismatches`` counts rows whose candidate or problem differs from what the generator wrote.
Target: ≤ 30 s.
"""

from __future__ import annotations

import os
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

WORKBOOKS = 200
FISCAL_YEAR = 2027
SEED = 7
RUNS = 3
TARGET_SECONDS = 30


def run() -> dict[str, Any]:
    """Generate the workbooks, time collecting them RUNS times; the figures for survey.json."""
    from reports.survey import collect_answers
    from sandbox.survey_answers import account, write_returned_workbooks

    with tempfile.TemporaryDirectory(prefix="jimu-bench-survey-") as tmp:
        folder = Path(tmp)
        started = time.perf_counter()
        files = write_returned_workbooks(
            folder, count=WORKBOOKS, fiscal_year=FISCAL_YEAR, seed=SEED
        )
        generated = time.perf_counter() - started
        size_mb = sum(f.path.stat().st_size for f in files) / 2**20
        times = []
        for _ in range(RUNS):
            started = time.perf_counter()
            collected = collect_answers(folder, fiscal_year=FISCAL_YEAR)
            times.append(time.perf_counter() - started)
    accounting = account(files, collected)
    seconds = statistics.median(times)
    return {
        "workbooks": WORKBOOKS,
        "workbooks_mb": round(size_mb, 1),
        "rows": accounting.rows,
        "candidates": len(collected.candidates),
        "problems": len(collected.problems),
        "rows_accounted_for": accounting.accounted,
        "mismatches": len(accounting.mismatches),
        "seconds": round(seconds, 2),
        "rows_per_second": round(accounting.rows / seconds, 1),
        "runs": RUNS,
        "generation_seconds": round(generated, 1),
        "cpu_count": os.cpu_count(),
        "target_seconds": TARGET_SECONDS,
        "within_targets": seconds <= TARGET_SECONDS
        and accounting.accounted == accounting.rows
        and not accounting.mismatches,
    }
