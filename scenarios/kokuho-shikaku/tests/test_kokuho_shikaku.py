"""kokuho-shikaku against the sandbox's 資格管理システム, killed with SIGKILL twice.

The first run is frozen the moment a record appears in the system and killed if the ledger
has not heard of it yet (the window where a retry would register the person twice); the
second is killed while it works; a third finishes. Every good row is then in the system
exactly once, its 被保険者番号 in the result workbook, and each bad row on the 要確認リスト
with its reason: the workbook's own mistakes and the one the system refuses.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import IO

import pytest
from openpyxl import load_workbook

from core.ledger import Ledger, Status
from core.secrets import get_secret
from flows.declared import load_declared, read_source
from sandbox import RunningSandbox
from sandbox.legacy import inspect_legacy

pytestmark = pytest.mark.browser

SCENARIO = "kokuho-shikaku"
FOLDER = Path(__file__).resolve().parents[1]
JIMU = [sys.executable, "-m", "cli"]
REFUSED = {  # key → what the reason says
    "K2026-0004": "チェックデジット",
    "K2026-0008": "生年月日",
    "K2026-0011": "半角カナ",
    "K2026-0014": "資格取得日",  # the workbook is fine; the system refuses it
}


def test_sigkill_at_the_worst_moment_and_while_working_then_every_row_once(
    sandbox: RunningSandbox, tmp_path: Path, prefect_home: Path
) -> None:
    declared = load_declared(FOLDER)
    table = read_source(declared.source, FOLDER / declared.source.path)
    good = {row.key: row for row in table.rows if row.key and row.key not in REFUSED}
    assert len(good) == 12 and all(row.error is None for row in good.values())
    ledger_url = f"sqlite:///{tmp_path / 'ledger.sqlite3'}"
    env = {key: value for key, value in os.environ.items() if not key.startswith("PREFECT_API")}
    env |= {
        "JIMU_DATA_DIR": str(tmp_path / "data"),
        "JIMU_LEDGER_URL": ledger_url,
        "JIMU_SECRET_SANDBOX_LEGACY_PASSWORD": get_secret("sandbox-legacy-password"),
        "PREFECT_HOME": str(prefect_home),
    }
    command = [*JIMU, "run", SCENARIO, "--target-url", sandbox.legacy_url]
    system = sandbox.paths.legacy_db

    def records() -> int:
        return inspect_legacy(system).records

    def done() -> int:
        return sum(i.status is Status.DONE for i in Ledger(ledger_url).items(SCENARIO))

    with (tmp_path / "run.log").open("w") as log:
        _freeze_and_kill_when(command, env, log, records, lambda: records() > done())
        assert records() == done() + 1, "killed after registering, before the ledger knew"
        _run_until(command, env, log, lambda: records() >= 6)
        final = subprocess.run(command, env=env, stdout=log, stderr=log, timeout=600, check=False)
    assert final.returncode == 0, f"see {tmp_path / 'run.log'}"

    summary = inspect_legacy(system)
    assert summary.records == len(good) and summary.duplicates == {}
    ledger = Ledger(ledger_url)
    items = {item.item_key: item for item in ledger.items(SCENARIO)}
    for key, row in good.items():
        numbers = summary.insured_nos_of(str(row.values["個人番号"]))
        assert len(numbers) == 1, f"{key}: {len(numbers)} records"
        assert items[key].status is Status.DONE and items[key].target_ref == numbers[0]
    for key, says in REFUSED.items():
        assert items[key].status is Status.BUSINESS_FAILURE, key
        assert says in (items[key].reason or ""), key

    outputs = tmp_path / "data" / "outputs" / SCENARIO
    results = _sheet(max(outputs.glob("結果-*.xlsx")))
    header = results[0]
    numbers_by_key = {
        row[header.index("受付番号")]: row[header.index("被保険者番号")] for row in results[1:]
    }
    assert {k: v for k, v in numbers_by_key.items() if v} == {
        key: items[key].target_ref for key in good
    }
    human = _sheet(max(outputs.glob("要確認リスト-*.xlsx")))
    assert {row[0] for row in human[1:]} == set(REFUSED)


def _freeze_and_kill_when(
    command: list[str],
    env: dict[str, str],
    log: IO[str],
    records: Callable[[], int],
    window: Callable[[], bool],
) -> None:
    """Start a run; each time it registers a record, freeze it (SIGSTOP, with its browser)
    and look: if the ledger has not recorded it yet, kill it there, else let it go on."""
    run = subprocess.Popen(command, env=env, stdout=log, stderr=log, start_new_session=True)
    deadline = time.monotonic() + 300
    seen = 0
    try:
        while time.monotonic() < deadline:
            assert run.poll() is None, "the run ended before the window was seen"
            now = records()
            if now > seen:
                os.killpg(run.pid, signal.SIGSTOP)
                if window():
                    os.killpg(run.pid, signal.SIGKILL)
                    run.wait(timeout=30)
                    return
                seen = now
                os.killpg(run.pid, signal.SIGCONT)
            time.sleep(0.01)
        raise AssertionError("no record appeared in time")
    finally:
        if run.poll() is None:
            os.killpg(run.pid, signal.SIGKILL)
            run.wait(timeout=30)


def _run_until(
    command: list[str], env: dict[str, str], log: IO[str], ready: Callable[[], bool]
) -> None:
    """Start a run and SIGKILL it (with its browser and Prefect server) once ``ready()``."""
    run = subprocess.Popen(command, env=env, stdout=log, stderr=log, start_new_session=True)
    deadline = time.monotonic() + 300
    while not ready():
        assert run.poll() is None, "the run ended before it could be killed"
        assert time.monotonic() < deadline, "no progress"
        time.sleep(0.1)
    os.killpg(run.pid, signal.SIGKILL)
    run.wait(timeout=30)


def _sheet(path: Path) -> list[tuple[object, ...]]:
    workbook = load_workbook(path, read_only=True)
    rows = [tuple(row) for row in workbook.worksheets[0].iter_rows(values_only=True)]
    workbook.close()
    return rows
