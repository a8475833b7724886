"""Returned workbooks written cell by cell, the way a 課 leaves them."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from openpyxl import load_workbook

from reports.survey import write_survey_form
from reports.survey._form import COLUMNS, HEADER_ROW

FY = 2027
LABELS = [c.label for c in COLUMNS]


def answer(**values: Any) -> dict[str, Any]:
    """One answer row by column label; a plain, valid task unless overridden."""
    row: dict[str, Any] = {
        "業務名": "転入届の住民記録システム入力",
        "課": "住民課",
        "担当者": "住民記録係 山田",
        "頻度": "月",
        "件数": 20,
        "1件あたりの作業時間（分）": 6,
        "入力元": "紙",
        "入力先（システム名）": "住民記録システム",
        "手書き帳票か": "はい",
        "個人番号を扱うか": "いいえ",
        "繁忙期": "3〜4月",
        "自由記述": "",
    }
    row.update(values)
    return row


def returned(
    path: Path,
    rows: Sequence[dict[str, Any] | None],
    *,
    headers: Sequence[str] | None = None,
    header_row: int = HEADER_ROW,
    sheet_title: str | None = None,
    rows_above: int = 0,
) -> Path:
    """jimu's form, filled in: ``headers`` (labels, any order, "" for an inserted column)
    replace the header row; ``rows_above`` rows are inserted above it; None is a blank row.
    Strings are stored as text cells, even those starting with =."""
    write_survey_form(path, fiscal_year=FY)
    workbook = load_workbook(path)
    sheet = workbook["調査票"]
    if sheet_title:
        sheet.title = sheet_title
    if rows_above:
        sheet.insert_rows(2, rows_above)
        sheet.cell(row=2, column=1, value="※ 回答前に課長の確認を受けること")
    header_row += rows_above
    if headers is not None:
        for column in range(1, 30):
            sheet.cell(row=header_row, column=column).value = None
        for column, label in enumerate(headers, start=1):
            sheet.cell(row=header_row, column=column, value=label or None)
    order = list(headers) if headers is not None else LABELS
    for offset, values in enumerate(rows, start=1):
        if values is None:
            continue
        for column, label in enumerate(order, start=1):
            value = values.get(label)
            cell = sheet.cell(row=header_row + offset, column=column)
            cell.value = value
            if isinstance(value, str):
                cell.data_type = "s"
    workbook.save(path)
    return path
