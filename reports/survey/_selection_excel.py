"""The 選定資料 as an Excel workbook: 概要, 順位, 課別 (with a chart), 効果予測, 前年度の実績.

Task names, 課, system names, reasons and 繁忙期 come from the departments' answers: every
such cell is written as text, never as a formula (:mod:`core.cells`). The workbook writes no
formulas of its own either, so a copy pasted elsewhere keeps its figures.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from openpyxl import Workbook
from openpyxl.chart import BarChart, Reference
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from core.cells import CellValue, append_safe_row, set_text_cell
from reports._excel import print_on_a4_landscape
from reports.survey._selection import SELECTION_METHOD_LINES, Selection, selection_lead

__all__ = ["write_selection_workbook"]

COUNT = "#,##0"
HOURS = "#,##0.0"
FACTOR = "0.00"
RATE = "0.0%"

_HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")
_CHOSEN_FILL = PatternFill("solid", fgColor="FFF2CC")
_BOLD = Font(bold=True)

_RANKING = [
    ("順位", COUNT, 6),
    ("選定", None, 6),
    ("ID", None, 22),
    ("業務名", None, 36),
    ("課", None, 16),
    ("調査年度", "0", 9),
    ("入力元", None, 12),
    ("入力先", None, 22),
    ("一致した登録システム", None, 20),
    ("年間件数", COUNT, 10),
    ("1件あたり時間(分)", "0.0", 10),
    ("年間時間", HOURS, 10),
    ("適合度", FACTOR, 8),
    ("リスク係数", FACTOR, 8),
    ("優先度スコア", HOURS, 11),
    ("理由", None, 56),
]
_DEPARTMENTS = [
    ("課", None, 18),
    ("業務数", COUNT, 8),
    ("年間時間", HOURS, 11),
    ("選定数", COUNT, 8),
    ("選定分の年間時間", HOURS, 14),
    ("効果予測(時間/年)", HOURS, 14),
]
_FORECASTS = [
    ("順位", COUNT, 6),
    ("ID", None, 22),
    ("業務名", None, 36),
    ("課", None, 16),
    ("年間時間", HOURS, 10),
    ("予測件数(件/年)", COUNT, 12),
    ("予測削減時間(時間/年)", HOURS, 14),
    ("予測日", "yyyy-mm-dd", 12),
]
_LAST_YEAR = [
    ("シナリオID", None, 22),
    ("名称", None, 36),
    ("担当課", None, 16),
    ("状態", None, 8),
    ("予測日", "yyyy-mm-dd", 12),
    ("稼働開始日", "yyyy-mm-dd", 12),
    ("年間予測(時間/年)", HOURS, 12),
    ("予測（按分）", HOURS, 12),
    ("完了件数", COUNT, 10),
    ("削減時間（実績）", HOURS, 12),
    ("達成率", RATE, 8),
]

Spec = Sequence[tuple[str, str | None, int]]


def write_selection_workbook(selection: Selection, path: str | Path) -> Path:
    """Write the ``.xlsx`` 選定資料 to ``path`` and return the path."""
    path = Path(path)
    book = Workbook()
    overview = book.active
    assert overview is not None
    overview.title = "概要"
    _overview(overview, selection)
    _ranking(book.create_sheet("順位"), selection)
    _departments(book.create_sheet("課別"), selection)
    _forecasts(book.create_sheet("効果予測"), selection)
    _last_year(book.create_sheet("前年度の実績"), selection)
    print_on_a4_landscape(book)
    book.properties.title = selection.title
    book.properties.creator = "jimu"
    path.parent.mkdir(parents=True, exist_ok=True)
    book.save(path)
    return path


def _overview(sheet: Worksheet, selection: Selection) -> None:
    sheet["A1"] = selection.title
    sheet["A1"].font = Font(bold=True, size=14)
    sheet["A2"] = f"調査年度: {selection.fiscal_year}年度　作成日: {selection.made_on:%Y-%m-%d}"
    _paragraph(sheet, 4, selection_lead(selection), height=45)
    sheet.cell(row=6, column=1, value="計算方法").font = _BOLD
    for offset, line in enumerate(SELECTION_METHOD_LINES, start=7):
        _paragraph(sheet, offset, line, height=32)
    sheet.column_dimensions["A"].width = 16


def _paragraph(sheet: Worksheet, row: int, text: str, *, height: float) -> None:
    cell = sheet.cell(row=row, column=1)
    set_text_cell(cell, text)
    cell.alignment = Alignment(wrap_text=True, vertical="top")
    sheet.merge_cells(start_row=row, start_column=1, end_row=row, end_column=10)
    sheet.row_dimensions[row].height = height


def _ranking(sheet: Worksheet, selection: Selection) -> None:
    chosen = {r.candidate.id for r in selection.chosen}
    rows: list[list[CellValue]] = []
    for r in selection.ranking:
        c = r.candidate
        rows.append(
            [
                r.rank,
                "選定" if c.id in chosen else "",
                c.id,
                c.name,
                c.department,
                c.survey_year,
                c.input_from.value if c.input_from else "",
                c.input_to or "",
                r.system or "",
                c.items_per_year,
                c.minutes_per_item,
                r.annual_hours,
                r.fit,
                r.risk,
                r.score,
                "\n".join(r.reasons),
            ]
        )
    _table(sheet, _RANKING, rows)
    for row, r in enumerate(selection.ranking, start=2):
        for column in range(1, len(_RANKING) + 1):
            cell = sheet.cell(row=row, column=column)
            cell.alignment = Alignment(vertical="top", wrap_text=column == len(_RANKING))
            if r.candidate.id in chosen:
                cell.fill = _CHOSEN_FILL
        sheet.row_dimensions[row].height = 14 * len(r.reasons) + 2  # one line per reason


def _departments(sheet: Worksheet, selection: Selection) -> None:
    rows: list[list[CellValue]] = [
        [d.department, d.candidates, d.annual_hours, d.chosen, d.chosen_hours, d.forecast_hours]
        for d in selection.departments
    ]
    last = _table(sheet, _DEPARTMENTS, rows)
    if not rows:
        return
    chart = BarChart()
    chart.type = "bar"  # horizontal: long 課 names stay readable
    chart.grouping = "clustered"
    chart.title = "課別の年間時間（全候補と選定分）"
    chart.y_axis.title = "時間"
    chart.y_axis.numFmt = HOURS
    for column in (3, 5):  # 年間時間, 選定分の年間時間
        chart.add_data(
            Reference(sheet, min_col=column, min_row=1, max_row=last), titles_from_data=True
        )
    chart.set_categories(Reference(sheet, min_col=1, min_row=2, max_row=last))
    chart.width, chart.height = 18, max(7.5, 0.6 * len(rows) + 3)
    sheet.add_chart(chart, f"A{last + 3}")


def _forecasts(sheet: Worksheet, selection: Selection) -> None:
    sheet["A1"] = (
        "選定した業務の効果予測（年間時間 × 削減率）。シナリオ化するときに管理台帳の効果予測"
        "（forecast: items_per_year, hours_per_year, made_on）とします。"
    )
    rows: list[list[CellValue]] = []
    for r in selection.chosen:
        forecast = selection.forecasts[r.candidate.id]
        rows.append(
            [
                r.rank,
                r.candidate.id,
                r.candidate.name,
                r.candidate.department,
                r.annual_hours,
                forecast.items_per_year,
                forecast.hours_per_year,
                forecast.made_on,
            ]
        )
    _table(sheet, _FORECASTS, rows, first_row=3)


def _last_year(sheet: Worksheet, selection: Selection) -> None:
    period = selection.last_period
    sheet["A1"] = (
        f"前年度に選定したシナリオの予測と実績（{period.label}、処理台帳 {period.range_text}）: "
        f"{period.fiscal_year}年度に稼働を始めたシナリオと、同年度に効果予測を立てた開発中・稼働中の"
        "シナリオ。予測は年間見込みを稼働開始日以降の日数で按分した値。"
    )
    rows: list[list[CellValue]] = [
        [
            r.scenario,
            r.name,
            r.department,
            r.status,
            r.made_on,
            r.started_on,
            r.forecast_per_year,
            r.forecast_hours,
            r.done,
            r.saved_hours,
            r.achievement,
        ]
        for r in selection.last_year
    ]
    if not rows:
        sheet["A3"] = "前年度に選定したシナリオはありません。"
        return
    _table(sheet, _LAST_YEAR, rows, first_row=3)


def _table(sheet: Worksheet, spec: Spec, rows: list[list[CellValue]], *, first_row: int = 1) -> int:
    """Write a header at ``first_row`` and the rows under it; returns the last row written."""
    for column, (label, _, width) in enumerate(spec, start=1):
        cell = sheet.cell(row=first_row, column=column, value=label)
        cell.font, cell.fill = _BOLD, _HEADER_FILL
        cell.alignment = Alignment(wrap_text=True, vertical="center")
        sheet.column_dimensions[get_column_letter(column)].width = width
    sheet.row_dimensions[first_row].height = 30
    for row in rows:
        # Sheet rows under the header are empty, so append lands right after it.
        append_safe_row(sheet, row)
        for column, (_, fmt, _) in enumerate(spec, start=1):
            if fmt:
                sheet.cell(row=sheet.max_row, column=column).number_format = fmt
    sheet.freeze_panes = sheet.cell(row=first_row + 1, column=1)
    return first_row + len(rows)
