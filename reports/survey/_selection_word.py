"""The 選定資料 as a Word document (A4), with the hours-by-課 chart drawn by matplotlib."""

from __future__ import annotations

import tempfile
import textwrap
from pathlib import Path

from docx import Document
from docx.document import Document as DocumentObject
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.shared import Cm, Pt
from docx.table import Table
from matplotlib.axes import Axes

from reports._chart import JAPANESE_FONT, draw_bar_chart
from reports._text import fmt_hours, fmt_rate
from reports._word import _setup, _table
from reports.survey._selection import (
    SELECTION_METHOD_LINES,
    DepartmentHours,
    Selection,
    selection_lead,
)

__all__ = ["RANKING_HEADER", "draw_department_chart", "write_selection_document"]

#: Most ranking rows in the document; the workbook's 順位 sheet holds them all.
DOCUMENT_ROWS = 30

RANKING_HEADER = ("順位", "業務名", "課", "年間時間", "適合度", "優先度スコア", "理由")


def write_selection_document(
    selection: Selection, path: str | Path, *, font: str = JAPANESE_FONT
) -> Path:
    """Write the ``.docx`` 選定資料 to ``path`` and return the path.

    Raises ConfigError when the Japanese font for the chart is not installed.
    """
    path = Path(path)
    document = Document()
    _setup(document, font)
    document.core_properties.title = selection.title
    document.add_heading(selection.title, level=1)
    document.add_paragraph(
        f"調査年度: {selection.fiscal_year}年度　作成: {selection.made_on:%Y年%m月%d日}"
    )
    document.add_paragraph(selection_lead(selection))

    document.add_heading("優先順位", level=2)
    shown = selection.ranking[:DOCUMENT_ROWS]
    chosen = {r.candidate.id for r in selection.chosen}
    rows = [
        (
            f"{r.rank}{'★' if r.candidate.id in chosen else ''}",
            r.candidate.name,
            r.candidate.department,
            fmt_hours(r.annual_hours),
            f"{r.fit:.2f} {r.fit_label}",
            fmt_hours(r.score),
            "\n".join(r.reasons),
        )
        for r in shown
    ]
    if rows:
        table = _table(document, RANKING_HEADER, rows, widths=(1.1, 3.5, 2.0, 1.6, 1.5, 1.6, 5.7))
        _small(table)
        note = "★は選定した業務。"
        if len(selection.ranking) > len(shown):
            note += (
                f"上位{len(shown)}件を掲載（全{len(selection.ranking)}件はExcelの「順位」シート）。"
            )
        document.add_paragraph(note)
    else:
        document.add_paragraph(f"{selection.fiscal_year}年度の候補業務はありません。")

    document.add_heading("課別の年間時間", level=2)  # the chart stays with its heading
    with tempfile.TemporaryDirectory(prefix="jimu-chart-") as folder:
        picture = draw_department_chart(
            selection.departments,
            Path(folder) / "departments.png",
            title=f"（{selection.fiscal_year}年度調査）",
        )
        document.add_picture(str(picture), width=Cm(15))
    document.paragraphs[-1].alignment = WD_ALIGN_PARAGRAPH.CENTER
    _table(
        document,
        ("課", "業務数", "年間時間", "選定数", "選定分の年間時間", "効果予測"),
        [
            (
                d.department,
                f"{d.candidates:,}",
                fmt_hours(d.annual_hours),
                f"{d.chosen:,}",
                fmt_hours(d.chosen_hours),
                fmt_hours(d.forecast_hours),
            )
            for d in selection.departments
        ],
        widths=(4.4, 1.8, 2.6, 1.8, 3.2, 2.6),
    )

    document.add_heading("選定した業務の効果予測", level=2)
    if selection.chosen:
        _table(
            document,
            ("順位", "業務名", "課", "予測件数(件/年)", "予測削減時間(時間/年)", "予測日"),
            [
                (
                    str(r.rank),
                    r.candidate.name,
                    r.candidate.department,
                    f"{selection.forecasts[r.candidate.id].items_per_year:,}",
                    fmt_hours(selection.forecasts[r.candidate.id].hours_per_year),
                    f"{selection.made_on:%Y-%m-%d}",
                )
                for r in selection.chosen
            ],
            widths=(1.1, 5.0, 2.6, 2.6, 3.2, 2.5),
        )
        document.add_paragraph(
            "この予測は、シナリオ化するときに管理台帳（inventory.yaml）の効果予測（forecast）と"
            "なり、稼働後の削減時間報告で処理台帳の実績と比べられます。"
        )
    else:
        document.add_paragraph("選定した業務はありません。")

    _last_year_section(document, selection)

    document.add_heading("優先度スコアと効果予測の計算方法", level=2)
    for line in SELECTION_METHOD_LINES:
        document.add_paragraph(line, style="List Bullet")
    path.parent.mkdir(parents=True, exist_ok=True)
    document.save(str(path))
    return path


def _last_year_section(document: DocumentObject, selection: Selection) -> None:
    period = selection.last_period
    document.add_heading(f"前年度に選定したシナリオの予測と実績（{period.label}）", level=2)
    document.add_paragraph(
        f"{period.fiscal_year}年度に稼働を始めたシナリオと、同年度に効果予測を立てた開発中・稼働中の"
        f"シナリオについて、処理台帳の実績（{period.range_text}）を予測と比べます。"
        "予測は年間見込みを稼働開始日以降の日数で按分した値です。"
    )
    rows = selection.last_year
    if not rows:
        document.add_paragraph("前年度に選定したシナリオはありません。")
        return
    _table(
        document,
        ("シナリオ", "担当課", "状態", "稼働開始日", "予測（按分）", "削減時間（実績）", "達成率"),
        [
            (
                r.name,
                r.department,
                r.status,
                f"{r.started_on:%Y-%m-%d}" if r.started_on else "未稼働",
                fmt_hours(r.forecast_hours),
                fmt_hours(r.saved_hours),
                fmt_rate(r.achievement),
            )
            for r in rows
        ],
        widths=(4.6, 2.4, 1.5, 2.2, 2.1, 2.4, 1.8),
    )
    forecast = sum(r.forecast_hours for r in rows)
    saved = sum(r.saved_hours for r in rows)
    text = f"{len(rows)}本のシナリオで合わせて{fmt_hours(saved)}時間を削減しました"
    if forecast > 0:
        text += f"（予測{fmt_hours(forecast)}時間に対し達成率{fmt_rate(saved / forecast)}）"
    document.add_paragraph(text + "。")


def _small(table: Table, size: float = 8) -> None:
    for row in table.rows:
        for cell in row.cells:
            for paragraph in cell.paragraphs:
                for run in paragraph.runs:
                    run.font.size = Pt(size)


def draw_department_chart(
    departments: list[DepartmentHours], path: str | Path, *, title: str = "", limit: int = 12
) -> Path:
    """Draw each 課's hours a year (chosen and not chosen, stacked) as a PNG; returns the path.

    Raises ConfigError when the Japanese font is not installed.
    """
    rows = departments[:limit][::-1]
    names = ["\n".join(textwrap.wrap(d.department, 12)[:2]) for d in rows]
    chosen = [d.chosen_hours for d in rows]
    others = [d.annual_hours - d.chosen_hours for d in rows]

    def bars(axes: Axes) -> None:
        positions = list(range(len(names)))
        axes.barh(positions, chosen, height=0.6, label="選定した業務", color="#2E75B6")
        axes.barh(positions, others, left=chosen, height=0.6, label="その他の候補",
                  color="#BDD7EE")  # fmt: skip

    return draw_bar_chart(
        path, names, bars, title=f"課別の年間時間{title}", xlabel="年間時間（手作業）",
        empty_text="候補業務はありません", row_height=0.36, margin=1.2,
    )  # fmt: skip
