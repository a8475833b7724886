"""The Excel workbook: 概要, 部署別, シナリオ別, 月別, 予測と実績 and 候補業務, native charts.

Names, departments and owners come from ``inventory.yaml`` and scenario ids from the ledger:
they are written as text, never as formulas (:func:`core.cells.set_text_cell`). The only
formulas are the workbook's own 合計 (``=SUM(…)``) rows.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pandas as pd
from openpyxl import Workbook
from openpyxl.chart import BarChart, LineChart, Reference
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from core.cells import set_text_cell
from reports._compute import COLUMN_LABELS, HoursReport
from reports._text import METHOD_LINES, summary_rows

__all__ = ["print_on_a4_landscape", "write_workbook"]

COUNT = "#,##0"
HOURS = "#,##0.0"
RATE = "0.0%"
MINUTES = "0.0"

_HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")
_BOLD = Font(bold=True)
_FORMATS = {
    "scenarios": COUNT,
    "done": COUNT,
    "failures": COUNT,
    "returned": COUNT,
    "finished": COUNT,
    "reviewed": COUNT,
    "forecast_items": COUNT,
    "baseline_minutes": MINUTES,
    "failure_rate": RATE,
    "return_rate": RATE,
    "review_rate": RATE,
    "achievement": RATE,
}

_DEPARTMENT = [
    "department",
    "scenarios",
    "done",
    "failures",
    "returned",
    "failure_rate",
    "review_rate",
    "human_hours",
    "robot_hours",
    "saved_hours",
    "forecast_hours",
    "achievement",
]
_SCENARIO = [
    "scenario",
    "name",
    "department",
    "status",
    "baseline_minutes",
    "done",
    "failures",
    "returned",
    "failure_rate",
    "return_rate",
    "review_rate",
    "gross_hours",
    "human_hours",
    "other_human_hours",
    "saved_hours",
    "robot_hours",
    "forecast_hours",
    "achievement",
]
_MONTH = [
    "month",
    "done",
    "failures",
    "returned",
    "failure_rate",
    "review_rate",
    "human_hours",
    "robot_hours",
    "saved_hours",
    "forecast_hours",
    "cumulative_saved",
    "cumulative_forecast",
]
_FORECAST = [
    "scenario",
    "name",
    "department",
    "forecast_items",
    "done",
    "forecast_hours",
    "saved_hours",
    "difference_hours",
    "achievement",
]
_CANDIDATE = [
    ("id", "ID", None),
    ("name", "業務名", None),
    ("department", "担当課", None),
    ("survey_year", "調査年度", "0"),
    ("items_per_year", "年間件数", COUNT),
    ("minutes_per_item", "1件あたり時間(分)", MINUTES),
    ("annual_hours", "年間見込み時間", HOURS),
    ("feasibility", "実現可能性", None),
    ("priority", "優先度", HOURS),
]
_EXTRA_LABELS = {"cumulative_saved": "累計削減時間", "cumulative_forecast": "累計予測削減時間"}


def write_workbook(report: HoursReport, path: str | Path) -> Path:
    """Write the workbook to ``path`` (``.xlsx``) and return the path."""
    path = Path(path)
    book = Workbook()
    overview = book.active
    assert overview is not None
    overview.title = "概要"
    _overview(overview, report)
    _department_sheet(book.create_sheet("部署別"), report)
    _scenario_sheet(book.create_sheet("シナリオ別"), report)
    _month_sheet(book.create_sheet("月別"), report)
    _forecast_sheet(book.create_sheet("予測と実績"), report)
    sheet = book.create_sheet("候補業務")
    sheet["A1"] = (
        "7月調査の候補業務（優先度 = 年間件数 × 分/件 ÷ 60 × 実現可能性係数 高1.0・中0.6・低0.3）"
    )
    _table(sheet, report.candidates, _CANDIDATE, first_row=3)
    print_on_a4_landscape(book)
    book.properties.title = f"{report.period.label} 削減時間報告"
    book.properties.creator = "jimu"
    path.parent.mkdir(parents=True, exist_ok=True)
    book.save(path)
    return path


def print_on_a4_landscape(book: Workbook) -> None:
    """Every sheet prints on A4 landscape, one page wide."""
    for sheet in book.worksheets:
        sheet.page_setup.orientation = "landscape"
        sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
        sheet.sheet_properties.pageSetUpPr.fitToPage = True
        sheet.page_setup.fitToWidth, sheet.page_setup.fitToHeight = 1, 0


def _overview(sheet: Worksheet, report: HoursReport) -> None:
    sheet["A1"] = f"{report.period.label} RPA・AI-OCR 削減時間報告"
    sheet["A1"].font = Font(bold=True, size=14)
    sheet["A2"] = f"対象期間: {report.period.range_text}（日本時間）"
    sheet["A3"] = f"作成日時: {report.generated_at:%Y-%m-%d %H:%M}"
    for column, text in enumerate(("項目", "値", "単位"), start=1):
        cell = sheet.cell(row=5, column=column, value=text)
        cell.font, cell.fill = _BOLD, _HEADER_FILL
    row = 6
    for label, value, unit, kind in summary_rows(report.summary):
        sheet.cell(row=row, column=1, value=label)
        cell = sheet.cell(row=row, column=2, value=value)
        cell.number_format = {"count": COUNT, "hours": HOURS, "rate": RATE}[kind]
        sheet.cell(row=row, column=3, value=unit)
        row += 1
    row += 1
    sheet.cell(row=row, column=1, value="計算方法").font = _BOLD
    for line in METHOD_LINES:
        row += 1
        sheet.cell(row=row, column=1, value=line).alignment = Alignment(
            wrap_text=True, vertical="top"
        )
        sheet.merge_cells(start_row=row, start_column=1, end_row=row, end_column=8)
        sheet.row_dimensions[row].height = 30
    if report.summary.unknown_scenarios:
        row += 2
        names = "、".join(report.summary.unknown_scenarios)
        sheet.cell(
            row=row,
            column=1,
            value=f"注意: 台帳に未登録のシナリオがあります（削減時間に含めていません）: {names}",
        )
    sheet.column_dimensions["A"].width = 34
    sheet.column_dimensions["B"].width = 14
    sheet.column_dimensions["C"].width = 8


def _department_sheet(sheet: Worksheet, report: HoursReport) -> None:
    first, last = _table(sheet, report.by_department, _spec(_DEPARTMENT), total=True)
    chart = _bar(
        "部署別 削減時間と予測（時間）",
        sheet,
        first,
        last,
        _DEPARTMENT,
        values=["saved_hours", "forecast_hours"],
        category="department",
    )
    sheet.add_chart(chart, f"A{last + 4}")


def _scenario_sheet(sheet: Worksheet, report: HoursReport) -> None:
    first, last = _table(sheet, report.by_scenario, _spec(_SCENARIO), total=True)
    chart = _bar(
        "シナリオ別 削減時間（時間）",
        sheet,
        first,
        last,
        _SCENARIO,
        values=["saved_hours"],
        category="name",
    )
    chart.type = "bar"  # horizontal: long Japanese names stay readable
    chart.height = max(7.5, 0.6 * (last - first + 1) + 3)
    sheet.add_chart(chart, f"A{last + 4}")


def _month_sheet(sheet: Worksheet, report: HoursReport) -> None:
    frame = report.by_month.copy()
    frame["month"] = [f"{m[:4]}年{int(m[5:])}月" for m in frame["month"]]
    frame["cumulative_saved"] = frame["saved_hours"].cumsum()
    frame["cumulative_forecast"] = frame["forecast_hours"].cumsum()
    first, last = _table(sheet, frame, _spec(_MONTH), total=False)
    bars = _bar(
        "月別 削減時間と予測（時間）",
        sheet,
        first,
        last,
        _MONTH,
        values=["saved_hours", "forecast_hours"],
        category="month",
    )
    sheet.add_chart(bars, f"A{last + 3}")
    line = LineChart()
    line.title = "累計 削減時間と予測（時間）"
    line.y_axis.title = "時間"
    line.y_axis.numFmt = HOURS
    for key in ("cumulative_saved", "cumulative_forecast"):
        column = _MONTH.index(key) + 1
        line.add_data(
            Reference(sheet, min_col=column, min_row=first - 1, max_row=last), titles_from_data=True
        )
    line.set_categories(Reference(sheet, min_col=1, min_row=first, max_row=last))
    line.width, line.height = 18, 8
    sheet.add_chart(line, f"H{last + 3}")


def _forecast_sheet(sheet: Worksheet, report: HoursReport) -> None:
    frame = report.by_scenario
    frame = frame[(frame["forecast_hours"] > 0) | (frame["done"] > 0)]
    sheet["A1"] = (
        f"予測は導入前の年間見込みを対象期間（{report.period.range_text}）の日数で按分し、"
        "稼働開始日より前は数えない。"
    )
    first, last = _table(sheet, frame, _spec(_FORECAST), first_row=3, total=True)
    chart = _bar(
        "予測と実績（削減時間）",
        sheet,
        first,
        last,
        _FORECAST,
        values=["forecast_hours", "saved_hours"],
        category="name",
    )
    chart.type = "bar"
    chart.height = max(7.5, 0.8 * (last - first + 1) + 3)
    sheet.add_chart(chart, f"A{last + 4}")


def _spec(columns: Sequence[str]) -> list[tuple[str, str, str | None]]:
    labels = COLUMN_LABELS | _EXTRA_LABELS
    return [
        (
            c,
            labels[c],
            _FORMATS.get(c, HOURS if c.endswith(("hours", "saved", "forecast")) else None),
        )
        for c in columns
    ]


def _table(
    sheet: Worksheet,
    frame: pd.DataFrame,
    spec: Sequence[tuple[str, str, str | None]],
    *,
    first_row: int = 1,
    total: bool = False,
) -> tuple[int, int]:
    """Write a header and one row per frame row; returns the first and last data row."""
    for column, (_, label, _fmt) in enumerate(spec, start=1):
        cell = sheet.cell(row=first_row, column=column, value=label)
        cell.font, cell.fill = _BOLD, _HEADER_FILL
        cell.alignment = Alignment(wrap_text=True, vertical="center")
        width = min(40, max(10, _longest(frame, spec[column - 1][0]) + 2))
        sheet.column_dimensions[get_column_letter(column)].width = width
    sheet.row_dimensions[first_row].height = 32
    row = first_row
    for record in frame.to_dict("records"):
        row += 1
        for column, (key, _, fmt) in enumerate(spec, start=1):
            cell = sheet.cell(row=row, column=column)
            set_text_cell(cell, _plain(record.get(key)))
            if fmt:
                cell.number_format = fmt
    last = max(row, first_row + 1)
    if total and row > first_row:
        _total_row(sheet, spec, first_row + 1, row)
    sheet.freeze_panes = sheet.cell(row=first_row + 1, column=2)
    return first_row + 1, last


def _total_row(
    sheet: Worksheet, spec: Sequence[tuple[str, str, str | None]], first: int, last: int
) -> None:
    row = last + 1
    sheet.cell(row=row, column=1, value="合計").font = _BOLD
    for column, (key, _, fmt) in enumerate(spec, start=1):
        if fmt in (COUNT, HOURS) and key not in ("baseline_minutes",):
            letter = get_column_letter(column)
            cell = sheet.cell(row=row, column=column, value=f"=SUM({letter}{first}:{letter}{last})")
            cell.number_format, cell.font = fmt, _BOLD


def _bar(
    title: str,
    sheet: Worksheet,
    first: int,
    last: int,
    columns: Sequence[str],
    *,
    values: Sequence[str],
    category: str,
) -> BarChart:
    chart = BarChart()
    chart.type = "col"
    chart.grouping = "clustered"
    chart.title = title
    chart.y_axis.title = "時間"
    chart.y_axis.numFmt = HOURS
    for key in values:
        chart.add_data(
            Reference(sheet, min_col=columns.index(key) + 1, min_row=first - 1, max_row=last),
            titles_from_data=True,
        )
    chart.set_categories(
        Reference(sheet, min_col=columns.index(category) + 1, min_row=first, max_row=last)
    )
    chart.width, chart.height = 18, 8
    return chart


def _plain(value: Any) -> Any:
    """A cell value: numpy numbers as Python numbers, NaN as an empty cell."""
    if value is None:
        return None
    if hasattr(value, "item"):
        value = value.item()
    if isinstance(value, float) and math.isnan(value):
        return None
    return value


def _width(text: str) -> int:
    return sum(2 if ord(ch) > 0x2E80 else 1 for ch in text)


def _longest(frame: pd.DataFrame, key: str) -> int:
    if key not in frame or frame.empty or frame[key].dtype.kind in "fiu":
        return 10
    return max(_width(str(v)) for v in frame[key])
