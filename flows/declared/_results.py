"""The result workbook of a declared run: every source row, what became of it, and why.

One row per source row, in file order: its line, the source's described columns as read,
then 結果 (登録済み / 登録済みを確認 / 要確認), the reference the target system gave (its
header named by the caller, e.g. 被保険者番号) and 理由. It holds personal data, so it is
written owner-only (mode 600, folder 700) and atomically; every text cell from outside is
formula-safe (:mod:`core.cells`) and every reason is masked (:func:`core.logging.safe_text`).
"""

from __future__ import annotations

import enum
import io
import os
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from core.cells import CellValue, append_safe_row
from core.files import make_owner_only_dir, write_owner_only
from core.logging import safe_text
from flows.declared._source import SourceRow, SourceSpec, SourceTable

__all__ = ["NOT_PROCESSED", "ResultStatus", "RowResult", "write_results"]


class ResultStatus(enum.StrEnum):
    """What became of a row, as the 結果 column says it."""

    REGISTERED = "登録済み"
    """This run registered it."""
    ALREADY_REGISTERED = "登録済みを確認"
    """It was registered before (an earlier run, or by hand): found, not registered again."""
    NEEDS_REVIEW = "要確認"
    """A person must look: a bad cell, a screen error, or the row was not reached."""


NOT_PROCESSED = "この行は処理されていません（実行が途中で止まった可能性があります）"
"""The reason given to a valid row that has no result."""


@dataclass(frozen=True)
class RowResult:
    """The outcome of one row, keyed by its item key in :func:`write_results`.

    ``status`` is a :class:`ResultStatus` (or its text); ``reference`` is the number the
    target system gave or showed (``None`` if none); ``reason`` says why a row needs review
    (log-safe text: it is masked again when written).
    """

    status: ResultStatus
    reference: str | None = None
    reason: str | None = None

    def __post_init__(self) -> None:
        try:
            object.__setattr__(self, "status", ResultStatus(self.status))
        except ValueError:
            known = "・".join(status.value for status in ResultStatus)
            raise ValueError(f"status must be one of {known}") from None


_RESULT_HEADER = "結果"
_REASON_HEADER = "理由"
_LINE_HEADER = "行"
_HEADER_FILL = PatternFill("solid", fgColor="34507A")
_REVIEW_FILL = PatternFill("solid", fgColor="FCE4D6")


def write_results(
    path: Path,
    table: SourceTable,
    spec: SourceSpec,
    results: Mapping[str, RowResult],
    *,
    reference_header: str = "参照番号",
) -> Path:
    """Write the result workbook of ``table`` to ``path`` (an ``.xlsx``); returns ``path``.

    ``results`` maps item keys to :class:`RowResult`. A row with an error (a bad cell, a
    refused or repeated key) is 要確認 with its error as the reason, whatever ``results``
    says; a valid row missing from ``results`` is 要確認 with :data:`NOT_PROCESSED`.
    ``reference_header`` heads the reference column. The file is written mode 600,
    replacing any earlier one only once it is complete.
    """
    source_columns = [name for name in table.columns if name in spec.described()]
    extra = (_RESULT_HEADER, reference_header, _REASON_HEADER)
    # A source column named like one of ours keeps its data, under a marked header.
    headers = [
        _LINE_HEADER,
        *(
            f"{name}（元データ）" if name in (*extra, _LINE_HEADER) else name
            for name in source_columns
        ),
        *extra,
    ]
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = "結果"
    append_safe_row(sheet, headers)
    for row in table.rows:
        result = _result_of(row, results)
        cells: list[CellValue] = [row.line]
        cells += [_cell(row, name) for name in source_columns]
        cells += [
            result.status.value,
            safe_text(result.reference, max_len=128) if result.reference else None,
            safe_text(result.reason) if result.reason else None,
        ]
        append_safe_row(sheet, cells)
    _style(sheet, len(headers))
    buffer = io.BytesIO()
    workbook.save(buffer)
    make_owner_only_dir(path.parent)
    partial = path.with_name(path.name + ".partial")
    write_owner_only(partial, buffer.getvalue())
    os.replace(partial, path)
    return path


def _result_of(row: SourceRow, results: Mapping[str, RowResult]) -> RowResult:
    if row.error is not None:
        return RowResult(ResultStatus.NEEDS_REVIEW, None, row.error.message)
    if row.key is None or row.key not in results:
        return RowResult(ResultStatus.NEEDS_REVIEW, None, NOT_PROCESSED)
    return results[row.key]


def _cell(row: SourceRow, name: str) -> CellValue:
    value: Any = row.values.get(name)
    if value is None:
        # A cell that failed its check shows as it was read, so a clerk can find it.
        return row.raw.get(name) or None
    if isinstance(value, str | int | date):
        return value
    return str(value)


def _style(sheet: Any, width: int) -> None:
    for cell in sheet[1]:
        cell.font = Font(bold=True, color="FFFFFF")
        cell.fill = _HEADER_FILL
    result_column = width - 2
    for cells in sheet.iter_rows(min_row=2):
        for cell in cells:
            if isinstance(cell.value, date):
                cell.number_format = "yyyy/mm/dd"
        status = cells[result_column - 1]
        if status.value == ResultStatus.NEEDS_REVIEW.value:
            status.fill = _REVIEW_FILL
        cells[-1].alignment = Alignment(wrap_text=True, vertical="top")
    for index in range(1, width + 1):
        sheet.column_dimensions[get_column_letter(index)].width = 18
    sheet.column_dimensions["A"].width = 6
    sheet.column_dimensions[get_column_letter(width)].width = 60
    sheet.freeze_panes = "B2"
    sheet.auto_filter.ref = f"A1:{get_column_letter(width)}{max(sheet.max_row, 1)}"
