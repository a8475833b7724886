"""The workbook holds exactly the hand-computed figures, with formats and native charts."""

from __future__ import annotations

import zipfile
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook
from openpyxl.worksheet.worksheet import Worksheet

from core.inventory import Inventory
from core.ledger import Ledger
from reports import Period, build_report
from tests.reports.conftest import HAND


@pytest.fixture
def workbook_path(tmp_path: Path, ledger: Ledger, inventory: Inventory) -> Path:
    files = build_report(
        period=Period.fy(2026), out_dir=tmp_path / "out", inventory=inventory, ledger=ledger
    )
    assert files.workbook.name == "hours-report-FY2026.xlsx"
    return files.workbook


def _rows(sheet: Worksheet, *, header_row: int = 1) -> dict[str, dict[str, Any]]:
    """Data rows keyed by their first cell, each as {header label: cell}."""
    header = [cell.value for cell in sheet[header_row]]
    rows = {}
    for row in sheet.iter_rows(min_row=header_row + 1):
        if row[0].value is None:
            break
        rows[str(row[0].value)] = dict(zip(header, row, strict=False))
    return rows


def test_sheets_are_the_ones_management_expects(workbook_path: Path) -> None:
    book = load_workbook(workbook_path)
    assert book.sheetnames == ["概要", "部署別", "シナリオ別", "月別", "予測と実績", "候補業務"]


def test_overview_holds_the_totals(workbook_path: Path) -> None:
    sheet = load_workbook(workbook_path)["概要"]
    assert sheet["A1"].value == "2026年度 RPA・AI-OCR 削減時間報告"
    assert "2026年4月1日〜2027年3月31日" in sheet["A2"].value
    figures = {row[0].value: row[1] for row in sheet.iter_rows(min_row=6, max_row=20)}
    assert figures["削減時間（純）"].value == pytest.approx(HAND.saved)
    assert figures["削減時間（純）"].number_format == "#,##0.0"
    assert figures["予測削減時間（期間按分）"].value == pytest.approx(22.0)
    assert figures["人手時間（完了した件の確認・修正）"].value == pytest.approx(HAND.human)
    assert figures["人手時間（失敗・差戻しの対応）"].value == pytest.approx(HAND.other_human)
    assert figures["ロボット稼働時間"].value == pytest.approx(HAND.robot)
    assert figures["完了件数"].value == HAND.done
    assert figures["完了件数"].number_format == "#,##0"
    assert figures["失敗件数"].value == HAND.failures
    assert figures["差戻し件数"].value == HAND.returned
    assert figures["失敗率"].value == pytest.approx(2 / 14)
    assert figures["失敗率"].number_format == "0.0%"
    assert figures["確認率（職員が確認した完了件の割合）"].value == pytest.approx(0.4)
    texts = [str(c.value) for c in sheet["A"] if c.value]
    assert any("zeta-legacy" in text for text in texts)  # unregistered scenario named
    assert any("基準時間" in text and "職員が実際に" in text for text in texts)


def test_scenario_sheet(workbook_path: Path) -> None:
    rows = _rows(load_workbook(workbook_path)["シナリオ別"])
    beta, alpha = rows["beta-ocr"], rows["alpha-sync"]
    assert beta["名称"].value == "ベータ帳票読取" and beta["担当課"].value == "税務課"
    assert beta["状態"].value == "稼働中"
    assert beta["基準時間(分/件)"].value == 60
    assert (beta["完了件数"].value, beta["差戻し件数"].value, beta["失敗件数"].value) == (4, 1, 0)
    assert beta["人手時間(完了分)"].value == pytest.approx(1.5)
    assert beta["削減時間"].value == pytest.approx(2.5)
    assert beta["達成率"].value == pytest.approx(0.25)
    assert alpha["削減時間"].value == pytest.approx(2.4)
    assert (alpha["完了件数"].value, alpha["失敗件数"].value, alpha["差戻し件数"].value) == (
        5,
        2,
        1,
    )
    assert alpha["失敗率"].value == pytest.approx(2 / 8)
    assert rows["zeta-legacy"]["削減時間"].value == 0
    assert rows["gamma-dev"]["完了件数"].value == 0
    assert list(rows)[-1] == "合計"
    assert rows["合計"]["削減時間"].value.startswith("=SUM(")


def test_department_month_and_forecast_sheets(workbook_path: Path) -> None:
    book = load_workbook(workbook_path)
    departments = _rows(book["部署別"])
    assert departments["税務課"]["削減時間"].value == pytest.approx(2.5)
    assert departments["子育て支援課"]["シナリオ数"].value == 1
    months = _rows(book["月別"])
    assert [*months] == [f"{2026 + (m < 4)}年{m}月" for m in (*range(4, 13), 1, 2, 3)]
    assert months["2026年6月"]["削減時間"].value == pytest.approx(93 / 60)
    assert months["2027年3月"]["累計削減時間"].value == pytest.approx(HAND.saved)
    assert months["2027年3月"]["累計予測削減時間"].value == pytest.approx(22.0)
    forecast = _rows(book["予測と実績"], header_row=3)
    assert forecast["alpha-sync"]["予測削減時間"].value == pytest.approx(12.0)
    assert forecast["alpha-sync"]["差(実績−予測)"].value == pytest.approx(2.4 - 12.0)
    assert forecast["beta-ocr"]["予測件数"].value == pytest.approx(10)
    assert "gamma-dev" not in forecast  # nothing forecast, nothing done
    candidates = _rows(book["候補業務"], header_row=3)
    assert candidates["delta-idea"]["優先度"].value == pytest.approx(60.0)


def test_charts_are_native_excel_charts(workbook_path: Path) -> None:
    with zipfile.ZipFile(workbook_path) as archive:
        charts = [n for n in archive.namelist() if n.startswith("xl/charts/chart")]
        kinds = "".join(archive.read(n).decode() for n in charts)
    assert len(charts) == 5  # 部署別, シナリオ別, 月別 ×2, 予測と実績
    assert "barChart" in kinds and "lineChart" in kinds
