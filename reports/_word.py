"""The Word report for the 課長 and the CIO: one or two A4 pages."""

from __future__ import annotations

import tempfile
from collections.abc import Sequence
from pathlib import Path

from docx import Document
from docx.document import Document as DocumentObject
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.shared import Cm, Pt
from docx.table import Table

from reports._chart import JAPANESE_FONT, draw_hours_chart
from reports._compute import HoursReport
from reports._text import METHOD_LINES, fmt_hours, fmt_rate, fmt_value, summary_rows, top_scenarios

__all__ = ["write_document"]

#: Key figures shown in the document (a subset of the workbook's 概要), by label prefix.
_KEY_FIGURES = (
    "削減時間（純）",
    "予測削減時間",
    "達成率",
    "人手時間（完了",
    "ロボット稼働時間",
    "完了件数",
    "失敗率",
    "差戻し率",
    "確認率",
)


def write_document(report: HoursReport, path: str | Path, *, font: str = JAPANESE_FONT) -> Path:
    """Write the ``.docx`` report to ``path`` and return the path.

    Raises ConfigError when the Japanese font for the chart is not installed.
    """
    path = Path(path)
    document = Document()
    _setup(document, font)
    summary = report.summary
    document.add_heading(f"{report.period.label} RPA・AI-OCR 削減時間報告", level=1)
    made = f"{report.generated_at:%Y年%m月%d日}"
    document.add_paragraph(f"対象期間: {report.period.range_text}（日本時間）　作成: {made}")
    document.add_paragraph(_lead(report))

    document.add_heading("要点", level=2)
    rows = [
        (label, f"{fmt_value(value, kind)} {unit}".strip())
        for label, value, unit, kind in summary_rows(summary)
        if label.startswith(_KEY_FIGURES)
    ]
    _table(document, ("項目", "値"), rows, widths=(9.0, 5.0))

    with tempfile.TemporaryDirectory(prefix="jimu-chart-") as folder:
        picture = draw_hours_chart(report, Path(folder) / "chart.png")
        document.add_picture(str(picture), width=Cm(15))
    document.paragraphs[-1].alignment = WD_ALIGN_PARAGRAPH.CENTER

    document.add_heading("削減時間の多いシナリオ", level=2)
    top = [
        (
            r.name,
            r.department,
            f"{r.done:,}",
            fmt_hours(r.saved_hours),
            fmt_hours(r.forecast_hours),
            fmt_rate(r.achievement),
        )
        for r in top_scenarios(report, limit=5)
    ]
    if top:
        _table(
            document,
            ("シナリオ", "担当課", "完了件数", "削減時間", "予測", "達成率"),
            top,
            widths=(6.2, 2.6, 1.9, 1.9, 1.9, 1.6),
        )
    else:
        document.add_paragraph("対象期間に完了した処理はありません。")

    document.add_heading("削減時間の計算方法", level=2)
    for line in METHOD_LINES:
        document.add_paragraph(line, style="List Bullet")
    if summary.unknown_scenarios:
        document.add_paragraph(
            "注意: 管理台帳に登録されていないシナリオの処理があり、削減時間に含めていません: "
            + "、".join(summary.unknown_scenarios)
        )
    path.parent.mkdir(parents=True, exist_ok=True)
    document.save(str(path))
    return path


def _lead(report: HoursReport) -> str:
    s = report.summary
    text = (
        f"{report.period.label}は、{s.scenarios_with_items}本のシナリオで{s.finished:,}件を処理し"
        f"（うち完了{s.done:,}件）、職員の作業時間を{fmt_hours(s.saved_hours)}時間削減しました。"
    )
    if s.achievement is not None:
        text += (
            f"導入前の予測{fmt_hours(s.forecast_hours)}時間に対する達成率は"
            f"{fmt_rate(s.achievement)}です。"
        )
    text += (
        f"失敗率は{fmt_rate(s.failure_rate)}、職員が確認・修正した完了件の割合は"
        f"{fmt_rate(s.review_rate)}でした。"
    )
    return text


def _setup(document: DocumentObject, font: str) -> None:
    section = document.sections[0]
    section.page_width, section.page_height = Cm(21.0), Cm(29.7)
    for side in ("left_margin", "right_margin"):
        setattr(section, side, Cm(2.0))
    section.top_margin, section.bottom_margin = Cm(1.8), Cm(1.8)
    for name, size in (("Normal", 10), ("Heading 1", 16), ("Heading 2", 12), ("List Bullet", 10)):
        style = document.styles[name]
        style.font.name = font
        style.font.size = Pt(size)
        fonts = style.element.get_or_add_rPr().get_or_add_rFonts()
        for attribute in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
            fonts.set(qn(attribute), font)
        for theme in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):
            fonts.attrib.pop(qn(theme), None)
    document.core_properties.title = "削減時間報告"
    document.core_properties.author = "jimu"


def _table(
    document: DocumentObject,
    header: tuple[str, ...],
    rows: Sequence[tuple[str, ...]],
    *,
    widths: tuple[float, ...],
) -> Table:
    table: Table = document.add_table(rows=1, cols=len(header))
    table.style = "Light Grid Accent 1"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    for cell, text in zip(table.rows[0].cells, header, strict=True):
        cell.text = text
    for values in rows:
        cells = table.add_row().cells  # type: ignore[no-untyped-call]
        for index, (cell, text) in enumerate(zip(cells, values, strict=True)):
            cell.text = text
            if index > 0 and text[:1] in set("0123456789-—"):
                cell.paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.RIGHT
    table.autofit = False
    for column, width in zip(table.columns, widths, strict=True):
        column.width = Cm(width)  # the grid, read by LibreOffice
        for cell in column.cells:
            cell.width = Cm(width)  # the cells, read by Word
    return table
