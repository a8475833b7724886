"""Flow ``hours-report``: the hours-saved workbook and document, plus a markdown artifact.

Thin Prefect wrapper around :func:`reports.build_report`; ``jimu report`` runs the same
function without Prefect.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

from prefect import flow, task
from prefect.artifacts import create_markdown_artifact
from prefect.cache_policies import NONE

from reports import Period, ReportFiles, build_report

__all__ = ["hours_report"]

ARTIFACT_KEY = "hours-report"


@task(name="build-hours-report", cache_policy=NONE, persist_result=False)
def _build(
    period: Period, out_dir: Path | None, inventory_path: Path, ledger_url: str | None
) -> ReportFiles:
    return build_report(period=period, out_dir=out_dir, inventory=inventory_path, ledger=ledger_url)


@flow(name="hours-report", persist_result=False)
def hours_report(
    fy: int | None = None,
    date_from: date | None = None,
    date_to: date | None = None,
    out_dir: str | None = None,
    inventory_path: str = "inventory.yaml",
    ledger_url: str | None = None,
) -> dict[str, str]:
    """Write ``hours-report-<period>.xlsx`` and ``.docx`` for 年度 ``fy`` (default: this one),
    optionally narrowed to ``date_from``–``date_to``; returns the paths of the two files.

    Args:
        fy: 年度（例 2026 = 2026年4月〜2027年3月）。空欄なら今年度
        date_from: 期間の初日（年度の代わりに期間で集計するとき）
        date_to: 期間の末日
        out_dir: 出力先フォルダ。空欄ならデータフォルダの outputs
        inventory_path: RPA管理台帳（inventory.yaml）のパス
        ledger_url: 台帳（ledger）のURL。空欄なら既定
    """
    period = Period.resolve(fy=fy, start=date_from, end=date_to)
    files = _build(period, Path(out_dir) if out_dir else None, Path(inventory_path), ledger_url)
    create_markdown_artifact(
        markdown=files.markdown,
        key=ARTIFACT_KEY,
        description=f"{period.label} 削減時間報告",
    )
    return {"workbook": str(files.workbook), "document": str(files.document)}
