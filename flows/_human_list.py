"""The human list (要確認リスト): items a person must look at, one row each, with the reason."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path

from core.ledger import Ledger, Status
from core.logging import safe_text
from flows._workbook import write_table_workbook

__all__ = ["HEADERS", "UnkeyedItem", "write_human_list"]

JST = timezone(timedelta(hours=9), "JST")
HEADERS = ("受付番号", "区分", "理由コード", "理由", "試行回数", "最終更新")
_KIND = {
    Status.BUSINESS_FAILURE: "業務エラー（内容の確認が必要）",
    Status.APPLICATION_FAILURE: "システムエラー（再実行で解消する見込み）",
}


@dataclass(frozen=True)
class UnkeyedItem:
    """An item the ledger cannot hold because its id was refused (see ``check_item_key``).

    ``label`` says where to find it (``CSV 12行目``), never the refused id itself.
    """

    label: str
    reason_code: str
    reason: str
    at: datetime


def write_human_list(
    ledger: Ledger, scenario: str, path: Path, *, unkeyed: Sequence[UnkeyedItem] = ()
) -> int:
    """Write every open failure of ``scenario`` to an Excel workbook; returns the row count.

    ``unkeyed`` items (refused before they reached the ledger) come first. The list holds
    ids, reason codes and reasons only: no names, no 個人番号 (reasons name the field that is
    wrong, never its value, and are masked again here). Every cell is text or a number,
    never a formula. The file is written owner-only.
    """
    rows: list[tuple[str, str, str, str, int | str, datetime]] = [
        (
            safe_text(item.label, max_len=64),
            _KIND[Status.BUSINESS_FAILURE],
            item.reason_code,
            safe_text(item.reason),
            "",
            item.at.astimezone(JST).replace(tzinfo=None),
        )
        for item in unkeyed
    ]
    rows += [
        (
            item.item_key,
            _KIND[item.status],
            item.reason_code or "",
            safe_text(item.reason or ""),
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
