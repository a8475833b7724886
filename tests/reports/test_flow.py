"""The ``hours-report`` flow on real Prefect: both files and a markdown artifact."""

from __future__ import annotations

from pathlib import Path

import pytest

from core.ledger import Ledger
from tests.conftest import latest_artifact


@pytest.mark.usefixtures("prefect_harness")
def test_the_flow_writes_the_files_and_an_artifact(
    tmp_path: Path, ledger: Ledger, inventory_path: Path
) -> None:
    from flows.hours_report import hours_report

    paths = hours_report(
        fy=2026,
        out_dir=str(tmp_path),
        inventory_path=str(inventory_path),
        ledger_url=str(ledger.engine.url),
    )
    assert Path(paths["workbook"]).name == "hours-report-FY2026.xlsx"
    assert Path(paths["document"]).is_file()
    artifact = latest_artifact("hours-report")
    assert artifact["type"] == "markdown"
    assert "| 削減時間（純） | 4.9 時間 |" in artifact["data"]
    assert "ベータ帳票読取" in artifact["data"]
