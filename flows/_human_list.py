"""The human list (要確認リスト): items a person must look at, one row each, with the reason."""

from __future__ import annotations

from datetime import timedelta, timezone
from pathlib import Path

from core.ledger import Ledger, Status
from flows._workbook import write_table_workbook

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
    rows = [
        (
            item.item_key,
            _KIND[item.status],
            item.reason_code or "",
            item.reason or "",
            item.attempts,
            (item.finished_at or item.queued_at).astimezone(JST).replace(tzinfo=None),
        )
        for item in ledger.items(scenario)
        if item.status in _KIND
    ]
    return write_table_workbook(
        path,
        sheet="要確認リスト",
        headers=HEADERS,
        rows=rows,
        widths=(16, 36, 22, 70, 10, 20),
        table_name="HumanList",
    )
