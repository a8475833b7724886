"""Reading a declared scenario's source: real xlsx and CSV files, typed values, bad cells."""

from __future__ import annotations

import re
import zipfile
from datetime import date, datetime
from pathlib import Path

import pytest
from pydantic import ValidationError

from core.errors import ConfigError, InvalidInput
from flows.declared import ColumnSpec, SourceRow, SourceSpec, parse_date_text, read_source
from tests.flows.declared._helpers import my_number, spec, write_csv, write_xlsx, wrong_check_digit

LEADING_ZERO = my_number("01234567890")  # Excel stores it as 12345678901x: 11 digits
OTHER = my_number("98765432109")

FULL = {
    "氏名": "text",
    "氏名カナ": "kana",
    "口座名義": "hankaku_kana",
    "住所": "zenkaku",
    "個人番号": "my_number",
    "郵便番号": "postal_code",
    "電話番号": "phone",
    "生年月日": "wareki_date",
    "届出日": "date",
    "区分": ColumnSpec(type="choice", options=["新規", "変更"]),
    "世帯人数": "integer",
    "口座番号": ColumnSpec(type="digits", max_length=7),
    "備考": ColumnSpec(type="text", required=False),
}
HEADER = ["受付番号", "氏名", "氏名カナ", "口座名義", "住所", "個人番号", "郵便番号", "電話番号",
          "生年月日", "届出日", "区分", "世帯人数", "口座番号", "備考", "メモ"]  # fmt: skip


def _row(**changes: object) -> list[object]:
    """A good row of HEADER, with ``changes`` by column."""
    good: dict[str, object] = {
        "受付番号": "R2026-0001",
        "氏名": " 山田 太郎 ",
        "氏名カナ": "ﾔﾏﾀﾞ ﾀﾛｳ",
        "口座名義": "ﾔﾏﾀﾞ ﾀﾛｳ",
        "住所": "東京都千代田区1-1",
        "個人番号": int(LEADING_ZERO),
        "郵便番号": 1000001,
        "電話番号": 312345678,
        "生年月日": "昭和60年4月1日",
        "届出日": datetime(2026, 4, 1),
        "区分": "新規",
        "世帯人数": 3,
        "口座番号": "0012345",
        "備考": None,
        "メモ": '=HYPERLINK("x")',
    }
    good.update(changes)
    return [good[name] for name in HEADER]


def _read_rows(tmp_path: Path, *rows: list[object]) -> list[SourceRow]:
    path = write_xlsx(tmp_path / "data.xlsx", [HEADER, *rows])
    return read_source(spec(FULL), path).rows


def test_xlsx_rows_come_back_typed_and_normalised(tmp_path: Path) -> None:
    rows = _read_rows(
        tmp_path,
        _row(),
        _row(
            受付番号="R2026-0002",
            個人番号=OTHER,
            郵便番号="０６０－０８０８",
            電話番号="090-1234-5678",
            生年月日="S60.4.1",
            届出日="2026/4/1",
            区分="変更",
            世帯人数="１,２０３",
            氏名カナ="やまだ はなこ",
        ),
    )
    assert [row.error for row in rows] == [None, None]
    first, second = rows
    assert (first.line, first.key) == (2, "R2026-0001")
    assert first.values == {
        "受付番号": "R2026-0001",
        "氏名": "山田 太郎",
        "氏名カナ": "ヤマダ\u3000タロウ",
        "口座名義": "ﾔﾏﾀﾞ ﾀﾛｳ",
        "住所": "東京都千代田区１－１",
        "個人番号": LEADING_ZERO,  # the leading zero Excel dropped is back
        "郵便番号": "100-0001",  # as is the postal code's
        "電話番号": "0312345678",  # and the phone number's 0
        "生年月日": date(1985, 4, 1),
        "届出日": date(2026, 4, 1),
        "区分": "新規",
        "世帯人数": 3,
        "口座番号": "0012345",
        "備考": None,
    }
    assert "メモ" not in first.values  # not described: ignored
    assert second.values["郵便番号"] == "060-0808"
    assert second.values["電話番号"] == "09012345678"
    assert second.values["生年月日"] == date(1985, 4, 1)
    assert second.values["届出日"] == date(2026, 4, 1)
    assert second.values["世帯人数"] == 1203
    assert second.values["氏名カナ"] == "ヤマダ\u3000ハナコ"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("昭和60年4月1日", date(1985, 4, 1)),
        ("S60.4.1", date(1985, 4, 1)),
        ("R5/4/1", date(2023, 4, 1)),
        ("令和元年5月1日", date(2019, 5, 1)),
        ("令和２年１０月３日", date(2020, 10, 3)),
        ("2024-04-01", date(2024, 4, 1)),
        ("2024/4/1", date(2024, 4, 1)),
        ("2024年4月1日", date(2024, 4, 1)),
        ("20240401", date(2024, 4, 1)),
        ("2024-04-01 00:00:00", date(2024, 4, 1)),
    ],
)
def test_dates_are_read_in_wareki_and_seireki(text: str, expected: date) -> None:
    assert parse_date_text(text) == expected


def test_excel_date_and_text_wareki_cells_both_give_dates(tmp_path: Path) -> None:
    rows = _read_rows(
        tmp_path,
        _row(生年月日=datetime(1985, 4, 1), 届出日="令和8年4月1日"),
        _row(受付番号="R2", 生年月日="R5/4/1", 届出日="2026-04-01"),
    )
    assert [row.values["生年月日"] for row in rows] == [date(1985, 4, 1), date(2023, 4, 1)]
    assert [row.values["届出日"] for row in rows] == [date(2026, 4, 1), date(2026, 4, 1)]


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        (
            {"個人番号": wrong_check_digit("12345678901")},
            "3行目: 個人番号のチェックデジットが正しくありません",
        ),
        ({"個人番号": "1234"}, "3行目: 個人番号は12桁の数字で入力してください"),
        ({"生年月日": "平成31年5月1日"}, "3行目: 生年月日の日付が正しくありません（平成（"),
        ({"届出日": "2024/2/30"}, "3行目: 届出日の日付が正しくありません（存在しない日付です）"),
        (
            {"生年月日": "令和2年2月30日"},
            "3行目: 生年月日の日付が正しくありません（存在しない日付です）",
        ),
        ({"届出日": "きのう"}, "3行目: 届出日の日付が正しくありません（日付として読み取れません"),
        ({"口座名義": "ヤマダ タロウ"}, "3行目: 口座名義は半角カナで入力してください"),
        ({"氏名カナ": "山田"}, "3行目: 氏名カナはカタカナで入力してください"),
        ({"住所": "東京都①"}, "3行目: 住所は全角で入力してください"),
        ({"区分": "削除"}, "3行目: 区分は次のいずれかで入力してください: 新規・変更"),
        ({"氏名": "  "}, "3行目: 氏名が空欄です"),
        ({"氏名": None}, "3行目: 氏名が空欄です"),
        ({"口座番号": "12345678"}, "3行目: 口座番号は7文字以内で入力してください（8文字）"),
        ({"口座番号": "12-34"}, "3行目: 口座番号は数字だけで入力してください"),
        ({"世帯人数": "三人"}, "3行目: 世帯人数は整数で入力してください"),
        ({"世帯人数": 2.5}, "3行目: 世帯人数は整数で入力してください"),
        ({"郵便番号": "100-001"}, "3行目: 郵便番号は7桁の数字（例: 100-0001）で入力してください"),
        ({"電話番号": "03-1234"}, "3行目: 電話番号の電話番号が正しくありません"),
    ],
)
def test_a_bad_cell_marks_its_row_only_and_never_shows_the_value(
    tmp_path: Path, changes: dict[str, object], message: str
) -> None:
    rows = _read_rows(tmp_path, _row(), _row(受付番号="R2026-0002", **changes), _row(受付番号="R3"))
    good, bad, after = rows
    assert good.error is None and after.error is None  # the rest go on
    assert isinstance(bad.error, InvalidInput)
    assert bad.error.message.startswith(message)
    assert bad.error.field == next(iter(changes))
    assert bad.key == "R2026-0002"  # the key itself was fine
    assert not bad.ok
    for value in changes.values():
        if isinstance(value, str) and value.strip():
            assert value not in bad.error.message
    assert next(iter(changes)) not in bad.values  # the bad value is not passed on as valid


def test_a_row_with_several_bad_cells_names_each_column(tmp_path: Path) -> None:
    [row] = _read_rows(tmp_path, _row(個人番号=wrong_check_digit("12345678901"), 区分="x"))
    assert row.error is not None
    assert row.error.message == (
        "2行目: 個人番号のチェックデジットが正しくありません／"
        "区分は次のいずれかで入力してください: 新規・変更"
    )


def test_pattern_is_checked_on_the_normalised_value(tmp_path: Path) -> None:
    described = spec({"記号": ColumnSpec(type="text", pattern=r"[A-Z]{2}[0-9]{3}")})
    path = write_xlsx(tmp_path / "p.xlsx", [["受付番号", "記号"], ["A1", "AB123"], ["A2", "ab123"]])
    good, bad = read_source(described, path).rows
    assert good.values["記号"] == "AB123"
    assert bad.error is not None
    assert bad.error.message == "3行目: 記号が決められた形式（[A-Z]{2}[0-9]{3}）ではありません"


@pytest.mark.parametrize(
    ("key", "message"),
    [
        ("山田-0001", "2行目: 受付番号の形式が正しくありません"),
        (" ", "2行目: 受付番号が空欄です"),
        (f"R-{LEADING_ZERO}", "2行目: 受付番号に個人番号と同じ形の12桁の数字が含まれています"),
    ],
)
def test_a_refused_key_leaves_the_row_without_a_key(tmp_path: Path, key: str, message: str) -> None:
    [row, other] = _read_rows(tmp_path, _row(受付番号=key), _row(受付番号="R2"))
    assert row.key is None
    assert row.error is not None
    assert row.error.message.startswith(message)
    assert row.error.code == "invalid-item-key"
    assert LEADING_ZERO not in row.error.message
    assert other.ok


def test_a_full_width_key_is_normalised(tmp_path: Path) -> None:
    [row] = _read_rows(tmp_path, _row(受付番号="Ｒ２０２６－０００１"))
    assert row.key == "R2026-0001"


def test_a_repeated_key_makes_the_second_row_an_error(tmp_path: Path) -> None:
    rows = _read_rows(tmp_path, _row(), _row(受付番号="R2"), _row())
    assert [row.ok for row in rows] == [True, True, False]
    assert rows[2].error is not None
    assert rows[2].error.message == "4行目: 受付番号が2行目と同じです（同じ行が2回あります）"


def test_empty_rows_are_skipped_and_lines_stay_true(tmp_path: Path) -> None:
    path = write_xlsx(
        tmp_path / "data.xlsx",
        [HEADER, _row(), [None] * len(HEADER), ["", " ", None], _row(受付番号="R5")],
    )
    table = read_source(spec(FULL), path)
    assert [row.line for row in table.rows] == [2, 5]
    assert table.sheet == "届出"
    assert table.columns == HEADER[:-1]  # described ones, in header order
    assert len(table.ready) == 2 and table.refused == []


def test_header_row_and_sheet_are_chosen(tmp_path: Path) -> None:
    path = write_xlsx(
        tmp_path / "data.xlsx",
        [["令和8年度 申請一覧"], [], ["受付番号", "氏名"], ["A1", "山田"]],
        sheet="一覧",
    )
    workbook_path = write_xlsx(tmp_path / "two.xlsx", [["x"]], sheet="表紙")
    table = read_source(spec({"氏名": "text"}, header_row=3), path)
    assert [(row.line, row.values) for row in table.rows] == [
        (4, {"受付番号": "A1", "氏名": "山田"})
    ]
    with pytest.raises(ConfigError, match="シート 一覧 がありません（あるシート: 表紙）"):
        read_source(spec({"氏名": "text"}, sheet="一覧"), workbook_path)


def test_a_workbook_declaring_a_wrong_size_is_read_whole(tmp_path: Path) -> None:
    """Tools other than Excel often write <dimension ref="A1"/>; read-only openpyxl then
    sees one cell unless told to look."""
    written = write_xlsx(tmp_path / "w.xlsx", [["受付番号", "氏名"], ["A1", "x"], ["A2", "y"]])
    path = tmp_path / "data.xlsx"
    with zipfile.ZipFile(written) as source, zipfile.ZipFile(path, "w") as target:
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                data = re.sub(rb'<dimension ref="[^"]*"/>', b'<dimension ref="A1"/>', data)
            target.writestr(item, data)
    table = read_source(spec({"氏名": "text"}), path)
    assert [row.values["氏名"] for row in table.rows] == ["x", "y"]


def test_repr_of_rows_and_tables_holds_no_personal_data(tmp_path: Path) -> None:
    path = write_xlsx(tmp_path / "data.xlsx", [HEADER, _row()])
    table = read_source(spec(FULL), path)
    for text in (repr(table), repr(table.rows[0])):
        assert "山田" not in text and LEADING_ZERO not in text and "12345678" not in text


def test_a_column_missing_from_the_header_names_it_and_lists_the_header(tmp_path: Path) -> None:
    path = write_xlsx(tmp_path / "data.xlsx", [["受付番号", "氏名", "住所"], ["A1", "x", "y"]])
    with pytest.raises(ConfigError) as caught:
        read_source(spec({"氏名": "text", "生年月日": "date"}), path)
    message = caught.value.message
    assert str(path) in message and "シート 届出" in message
    assert "列 生年月日 がありません" in message
    assert "（見出し: 受付番号、氏名、住所）" in message


def test_a_missing_key_column_is_a_config_error(tmp_path: Path) -> None:
    path = write_xlsx(tmp_path / "data.xlsx", [["番号", "氏名"], ["A1", "x"]])
    with pytest.raises(ConfigError, match="列 受付番号 がありません（見出し: 番号、氏名）"):
        read_source(spec({"氏名": "text"}), path)


def test_a_missing_file_and_a_file_that_is_no_xlsx(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"nothing\.xlsx: 元データのファイルが見つかりません"):
        read_source(spec({}), tmp_path / "nothing.xlsx")
    fake = tmp_path / "fake.xlsx"
    fake.write_text("受付番号,氏名\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"fake.xlsx: Excel ブック（.xlsx）として読めません"):
        read_source(spec({}), fake)
    old = tmp_path / "old.xls"
    old.write_bytes(b"\xd0\xcf\x11\xe0")
    with pytest.raises(ConfigError, match=r"\.xlsx か \.csv で保存してください（拡張子 \.xls）"):
        read_source(spec({}), old)


# --- CSV ----------------------------------------------------------------------------------

CSV_LINES = [
    "受付番号,氏名,個人番号,郵便番号,生年月日",
    f"A1,山田 太郎,{LEADING_ZERO},1000001,令和元年5月1日",
    f'A2,"佐藤, 花子",{OTHER},060-0808,2019/5/1',
]
CSV_SPEC = {"氏名": "text", "個人番号": "my_number", "郵便番号": "postal_code", "生年月日": "date"}


def test_a_cp932_csv_is_read(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "data.csv", CSV_LINES)
    table = read_source(spec(CSV_SPEC), path)
    assert table.sheet is None
    assert [row.values for row in table.rows] == [
        {"受付番号": "A1", "氏名": "山田 太郎", "個人番号": LEADING_ZERO,
         "郵便番号": "100-0001", "生年月日": date(2019, 5, 1)},
        {"受付番号": "A2", "氏名": "佐藤, 花子", "個人番号": OTHER,
         "郵便番号": "060-0808", "生年月日": date(2019, 5, 1)},
    ]  # fmt: skip


def test_a_utf8_csv_read_as_cp932_names_the_line_and_the_encoding(tmp_path: Path) -> None:
    lines = ["受付番号,name", "A1,Yamada", "A2,山田"]
    path = write_csv(tmp_path / "data.csv", lines, encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        read_source(spec({"name": "text"}), path)
    assert caught.value.message.startswith(f"{path}: 1行目が cp932（Shift_JIS）として読めません")
    assert "UTF-8 で保存されているようです" in caught.value.message
    ascii_head = write_csv(
        tmp_path / "late.csv", ["key,name", "A1,Yamada", "A2,山田"], encoding="utf-8"
    )
    with pytest.raises(ConfigError, match=r"late.csv: 3行目が cp932"):
        read_source(SourceSpec(path="late.csv", key="key", columns={}), ascii_head)


def test_a_cp932_csv_read_as_utf8_names_the_line(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "data.csv", ["key,name", "A1,Yamada", "A2,山田"])
    described = SourceSpec(path="data.csv", key="key", columns={}, encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        read_source(described, path)
    assert caught.value.message.startswith(f"{path}: 3行目が utf-8 として読めません")
    assert "cp932（Shift_JIS）で保存されているようです" in caught.value.message


def test_a_utf8_csv_with_bom_is_read_when_declared(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "data.csv", CSV_LINES, encoding="utf-8-sig")
    for encoding in ("utf-8", "utf-8-sig"):
        table = read_source(spec(CSV_SPEC, encoding=encoding), path)
        assert [row.key for row in table.rows] == ["A1", "A2"]
        assert table.header[0] == "受付番号"


def test_csv_lines_count_quoted_line_breaks(tmp_path: Path) -> None:
    lines = ["受付番号,氏名", 'A1,"山田\r\n太郎"', "A2,"]
    path = write_csv(tmp_path / "data.csv", lines)
    first, second = read_source(spec({"氏名": "text"}), path).rows
    assert first.line == 2
    assert second.error is not None
    assert second.error.message == "4行目: 氏名が空欄です"


# --- the model ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"type": "choice"}, "a choice column needs options"),
        ({"type": "text", "options": ["a"]}, "options apply to choice columns only"),
        ({"type": "date", "max_length": 3}, "do not apply to date columns"),
        ({"type": "text", "pattern": "["}, "pattern is not a valid regular expression"),
        ({"type": "texte"}, "Input should be"),
        ({"type": "text", "requird": False}, "Extra inputs are not permitted"),
    ],
)
def test_column_spec_refuses_what_cannot_work(data: dict[str, object], message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        ColumnSpec.model_validate(data)


def test_source_spec_refuses_a_personal_key_and_an_absolute_path() -> None:
    with pytest.raises(ValidationError, match="the key column 個人番号 may be text"):
        SourceSpec(
            path="a.xlsx", key="個人番号", columns={"個人番号": ColumnSpec(type="my_number")}
        )
    for path in ("/data/a.xlsx", "C:\\data\\a.xlsx", "\\\\server\\share\\a.csv", " "):
        with pytest.raises(ValidationError, match="relative to the scenario folder"):
            SourceSpec(path=path, key="k", columns={})
    assert SourceSpec(path="data/申請.xlsx", key="k", columns={}).path == "data/申請.xlsx"
