"""The human list (要確認リスト): items a person must look at, one row each, with the reason."""

from __future__ import annotations

import os
from datetime import timedelta, timezone
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.worksheet.table import Table, TableStyleInfo

from core.ledger import Ledger, Status

__all__ = ["HEADERS", "write_human_list"]

JST = timezone(timedelta(hours=9), "JST")
HEADERS = ("受付番号", "区分", "理由コード", "理由", "試行回数", "最終更新")
_KIND = {
    Status.BUSINESS_FAILURE: "業務エラー（内容の確認が必要）",
    Status.APPLICATION_FAILURE: "システムエラー（再実行で解消する見込み）",
}


def write_human_list(ledger: Ledger, scenario: str, path: Path) -> int:
    """Write every open failure of ``scenario`` to an Excel workbook; returns the row count.

    The list holds ids, reason codes and reasons only: no names, no 個人番号 (reasons name the
    field that is wrong, never its value). The file is written owner-only.
    """
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = "要確認リスト"
    sheet.append(HEADERS)
    rows = 0
    for item in ledger.items(scenario):
        if item.status not in _KIND:
            continue
        moment = item.finished_at or item.queued_at
        sheet.append(
            [
                item.item_key,
                _KIND[item.status],
                item.reason_code or "",
                item.reason or "",
                item.attempts,
                moment.astimezone(JST).replace(tzinfo=None),
            ]
        )
        rows += 1
    for cell in sheet[1]:
        cell.font = Font(bold=True, color="FFFFFF")
        cell.fill = PatternFill("solid", fgColor="34507A")
    for column, width in zip("ABCDEF", (16, 36, 22, 70, 10, 20), strict=True):
        sheet.column_dimensions[column].width = width
    for row in sheet.iter_rows(min_row=2):
        row[3].alignment = Alignment(wrap_text=True, vertical="top")
        row[5].number_format = "yyyy/mm/dd hh:mm"
    if rows:
        table = Table(displayName="HumanList", ref=f"A1:F{rows + 1}")
        table.tableStyleInfo = TableStyleInfo(name="TableStyleMedium2", showRowStripes=True)
        sheet.add_table(table)
    sheet.freeze_panes = "A2"
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    partial = path.with_suffix(".partial")
    workbook.save(partial)
    os.chmod(partial, 0o600)
    os.replace(partial, path)
    return rows
