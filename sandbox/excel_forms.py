"""Paper forms made the way a city makes them: a workbook laid out on a grid (方眼紙) with
openpyxl, printed to PDF by LibreOffice.

No registration marks, cell borders for the table, single bordered cells in a row for boxed
digits, option words separated by ・ to be circled, 年 月 日 printed in a date cell and □ as a
character for check boxes. :data:`KOKUHO_FIELDS` is what a person defining the form would
write down: each field's printed label, kind, and boxes or options.
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from core.errors import ConfigError

__all__ = ["KOKUHO_FIELDS", "ExpectedField", "build_kokuho_workbook", "workbook_to_pdf"]

_FONT = "Noto Sans CJK JP"
_COLUMNS = 36  # 5 mm each: the grid of a 方眼紙 sheet
_COLUMN_WIDTH = 2.0  # in characters of the default font, about 5 mm
_PT_PER_MM = 72 / 25.4
_THIN = Side(style="thin")
_MEDIUM = Side(style="medium")


@dataclass(frozen=True)
class ExpectedField:
    """A field of a generated form as its author knows it."""

    label: str
    kind: str
    boxes: int | None = None
    options: tuple[str, ...] = ()


KOKUHO_FIELDS: tuple[ExpectedField, ...] = (
    ExpectedField("フリガナ", "katakana"),
    ExpectedField("氏名", "kanji"),
    ExpectedField("生年月日", "circled", options=("昭和", "平成", "令和")),
    ExpectedField("生年月日", "date"),  # numbers between the printed 年 月 日, era circled
    ExpectedField("性別", "circled", options=("男", "女")),
    ExpectedField("電話番号", "digits"),
    ExpectedField("個人番号", "digits", boxes=12),
    ExpectedField("郵便番号", "digits", boxes=7),
    ExpectedField("住所", "address"),
    ExpectedField("受取方法", "checkbox", options=("郵送希望",)),
    ExpectedField("受取方法", "checkbox", options=("窓口受取",)),
    ExpectedField("預金種目", "circled", options=("普通", "当座")),
    ExpectedField("口座番号", "digits", boxes=7),
    ExpectedField("上記の内容に相違ありません", "checkbox"),
)


def _cell(
    ws: Worksheet,
    row: int,
    first: int,
    last: int,
    text: str = "",
    *,
    size: float = 10.5,
    bold: bool = False,
    align: str = "center",
    border: bool = True,
) -> None:
    """Merge columns ``first``–``last`` of ``row`` into one cell holding ``text``."""
    if last > first:
        ws.merge_cells(start_row=row, start_column=first, end_row=row, end_column=last)
    cell = ws.cell(row=row, column=first, value=text or None)
    cell.font = Font(name=_FONT, size=size, bold=bold)
    cell.alignment = Alignment(
        horizontal=align, vertical="center", indent=1 if align == "left" else 0
    )
    if border:
        for column in range(first, last + 1):
            ws.cell(row=row, column=column).border = Border(
                left=_THIN if column == first else None,
                right=_THIN if column == last else None,
                top=_THIN,
                bottom=_THIN,
            )


def _boxes(ws: Worksheet, row: int, first: int, count: int) -> None:
    """``count`` single bordered cells in a row: one digit each."""
    for column in range(first, first + count):
        _cell(ws, row, column, column)


def _row(ws: Worksheet, row: int, height_mm: float) -> None:
    ws.row_dimensions[row].height = height_mm * _PT_PER_MM


def build_kokuho_workbook(path: Path) -> Path:
    """Write a 国民健康保険 被保険者資格取得届 laid out on a 方眼紙 grid to ``path`` (.xlsx).

    The fields are :data:`KOKUHO_FIELDS`. Returns ``path``.
    """
    book = Workbook()
    ws = book.active
    assert ws is not None
    ws.title = "資格取得届"
    ws.sheet_view.showGridLines = False
    for column in range(1, _COLUMNS + 2):
        ws.column_dimensions[get_column_letter(column)].width = _COLUMN_WIDTH
    for row in range(1, 26):
        _row(ws, row, 5)
    label = (2, 7)  # B:G, 30 mm
    value = (8, 35)  # H:AI, 140 mm

    _row(ws, 2, 11)
    _cell(ws, 2, 2, 35, "国民健康保険 被保険者資格取得届", size=16, bold=True, border=False)
    _cell(ws, 4, 2, 16, "（あて先）多摩南市長", align="left", border=False)
    _cell(
        ws,
        5,
        2,
        35,
        "太枠の中を黒のボールペンで記入し、該当するものを○で囲んでください。",
        size=9,
        align="left",
        border=False,
    )

    rows = {7: 8, 8: 12, 9: 9, 10: 9, 11: 8, 12: 8, 13: 15, 14: 9, 15: 9}
    for row, height in rows.items():
        _row(ws, row, height)
    _cell(ws, 7, *label, "フリガナ")
    _cell(ws, 7, *value)
    _cell(ws, 8, *label, "氏名")
    _cell(ws, 8, *value)
    _cell(ws, 9, *label, "生年月日")
    # Spaced like 男 ・ 女: a circle around one era must not reach into the next one's words.
    _cell(ws, 9, 8, 17, "昭和　・　平成　・　令和")
    # Wide gaps: a year, a month and a day of one or two digits each, written by hand.
    _cell(ws, 9, 18, 35, "　　　年　　　　月　　　　日")
    _cell(ws, 10, *label, "性別")
    _cell(ws, 10, 8, 15, "男　・　女")
    _cell(ws, 10, 16, 21, "電話番号")
    _cell(ws, 10, 22, 35)
    _cell(ws, 11, *label, "個人番号")
    _boxes(ws, 11, 8, 12)
    _cell(ws, 12, *label, "郵便番号")
    _boxes(ws, 12, 8, 7)
    _cell(ws, 13, *label, "住所")
    _cell(ws, 13, *value)
    _cell(ws, 14, *label, "受取方法")
    _cell(ws, 14, *value, "□ 郵送希望　　　□ 窓口受取", size=12, align="left")
    _cell(ws, 15, *label, "預金種目")
    _cell(ws, 15, 8, 17, "1.普通　2.当座")
    _cell(ws, 15, 18, 23, "口座番号")
    _boxes(ws, 15, 24, 7)

    _row(ws, 17, 6)
    _cell(ws, 17, 2, 2)
    _cell(ws, 17, 3, 20, "上記の内容に相違ありません", align="left", border=False)

    ws.print_area = f"A1:{get_column_letter(_COLUMNS + 1)}25"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.orientation = ws.ORIENTATION_PORTRAIT
    ws.page_margins.left = ws.page_margins.right = 0.5
    ws.page_margins.top = ws.page_margins.bottom = 0.6
    ws.print_options.horizontalCentered = True
    book.save(path)
    return path


def workbook_to_pdf(workbook: Path, out_dir: Path, *, timeout: float = 120) -> Path:
    """Print ``workbook`` to ``out_dir/<stem>.pdf`` with LibreOffice headless; returns it.

    Raises :class:`ConfigError` when LibreOffice (``soffice``) is not installed or fails.
    """
    soffice = shutil.which("soffice")
    if soffice is None:
        raise ConfigError("LibreOffice (soffice) is not installed: run scripts/setup.sh")
    out_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="jimu-lo-") as profile:
        # A private profile: a LibreOffice already running for someone else would take the job.
        done = subprocess.run(
            [
                soffice,
                f"-env:UserInstallation={Path(profile).as_uri()}",
                "--headless",
                "--convert-to",
                "pdf",
                "--outdir",
                str(out_dir),
                str(workbook),
            ],
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
    pdf = out_dir / f"{workbook.stem}.pdf"
    if done.returncode != 0 or not pdf.is_file():
        raise ConfigError(f"LibreOffice could not print {workbook.name}: {done.stderr.strip()}")
    return pdf
