"""Values for screen fields: literals, columns and every function, and the errors."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from core.errors import ConfigError, InvalidInput
from flows.declared import FUNCTIONS, ColumnSpec, parse_expression

COLUMNS = ["氏名", "氏名カナ", "住所", "生年月日", "届出日", "郵便番号", "電話番号", "備考"]
ROW: dict[str, Any] = {
    "氏名": "山田 太郎",
    "氏名カナ": "ヤマダ\u3000タロウ",
    "住所": "東京都千代田区１－２ ABCﾋﾞﾙ",
    "生年月日": date(1985, 4, 1),
    "届出日": date(2019, 5, 1),
    "郵便番号": "1000001",
    "電話番号": "03-1234-5678",
    "備考": None,
}


def _value(text: str | bool, row: dict[str, Any] = ROW) -> str | bool:
    return parse_expression(text, COLUMNS).evaluate(row)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("その他", "その他"),
        (True, True),
        (False, False),
        ("==A1+1", "=A1+1"),
        ("=氏名", "山田 太郎"),
        ("= 氏名 ", "山田 太郎"),
        ("=生年月日", "1985-04-01"),
        ("=備考", ""),
        ("=半角カナ(氏名カナ)", "ﾔﾏﾀﾞ ﾀﾛｳ"),
        ("=半角カナ（氏名カナ）", "ﾔﾏﾀﾞ ﾀﾛｳ"),
        ("=全角(住所)", "東京都千代田区１－２\u3000ＡＢＣビル"),
        ("=半角(住所)", "東京都千代田区1-2 ABCﾋﾞﾙ"),
        ("=元号(生年月日)", "昭和"),
        ("=和暦年(生年月日)", "60"),
        ("=元号(届出日)", "令和"),
        ("=和暦年(届出日)", "1"),
        ("=年(生年月日)", "1985"),
        ("=月(生年月日)", "4"),
        ("=日(生年月日)", "1"),
        ("=西暦(届出日)", "2019-05-01"),
        ("=郵便番号(郵便番号)", "100-0001"),
        ("=数字(電話番号)", "0312345678"),
        ("=数字(郵便番号(郵便番号))", "1000001"),
        ("=半角カナ(備考)", ""),
    ],
)
def test_values(text: str | bool, expected: str | bool) -> None:
    assert _value(text) == expected


def test_hiragana_becomes_half_width_katakana() -> None:
    assert _value("=半角カナ(氏名カナ)", {**ROW, "氏名カナ": "やまだ　ぱんだ"}) == "ﾔﾏﾀﾞ ﾊﾟﾝﾀﾞ"


def test_date_functions_read_a_date_written_as_text() -> None:
    assert _value("=和暦年(備考)", {**ROW, "備考": "2019-05-01"}) == "1"


def test_every_function_is_documented_and_tested() -> None:
    assert set(FUNCTIONS) == {
        "半角カナ", "全角", "半角", "元号", "和暦年", "年", "月", "日", "郵便番号", "数字", "西暦",
    }  # fmt: skip
    assert all(FUNCTIONS.values())


def test_an_unknown_column_names_it_and_the_columns() -> None:
    with pytest.raises(ConfigError) as caught:
        parse_expression("=指名", COLUMNS)
    assert caught.value.message == (
        "=指名: 列 指名 は元データにありません（列: 氏名、氏名カナ、住所、生年月日、届出日、"
        "郵便番号、電話番号、備考）"
    )
    with pytest.raises(ConfigError, match="列 氏名カナ2 は元データにありません"):
        parse_expression("=半角カナ(氏名カナ2)", COLUMNS)


def test_an_unknown_function_names_it_and_the_functions() -> None:
    with pytest.raises(ConfigError) as caught:
        parse_expression("=カナ(氏名カナ)", COLUMNS)
    assert caught.value.message.startswith(
        "=カナ(氏名カナ): 関数 カナ はありません（使える関数: 半角カナ、"
    )


def test_a_column_named_like_a_call_is_the_column() -> None:
    expression = parse_expression("=電話(自宅)", ["電話(自宅)"])
    assert expression.evaluate({"電話(自宅)": "03"}) == "03"


def test_a_number_must_be_quoted() -> None:
    with pytest.raises(ConfigError, match="引用符で囲みます"):
        parse_expression(123, COLUMNS)  # type: ignore[arg-type]


def test_with_column_types_a_date_function_needs_a_date_column() -> None:
    columns = {"氏名": ColumnSpec(type="text"), "生年月日": ColumnSpec(type="wareki_date")}
    assert parse_expression("=元号(生年月日)", columns).evaluate(ROW) == "昭和"
    with pytest.raises(
        ConfigError, match=r"元号 は日付の列（wareki_date・date）にだけ使えます（氏名 は text）"
    ):
        parse_expression("=元号(氏名)", columns)


@pytest.mark.parametrize(
    ("text", "row", "message"),
    [
        (
            "=半角カナ(氏名)",
            ROW,
            "氏名を半角カナにできません（カナ以外の文字（漢字など）が含まれています）",
        ),
        ("=元号(氏名)", ROW, "氏名を元号にできません（日付として読み取れません"),
        ("=郵便番号(住所)", ROW, "住所を郵便番号にできません（郵便番号は7桁の数字"),
        (
            "=元号(生年月日)",
            {**ROW, "生年月日": date(1800, 1, 1)},
            "生年月日を元号にできません（明治改元",
        ),
    ],
)
def test_a_value_that_cannot_be_converted_names_the_column_not_the_value(
    text: str, row: dict[str, Any], message: str
) -> None:
    with pytest.raises(InvalidInput) as caught:
        parse_expression(text, COLUMNS).evaluate(row)
    assert caught.value.message.startswith(message)
    assert "山田" not in caught.value.message and "東京" not in caught.value.message


def test_a_row_without_the_column_is_refused_without_values() -> None:
    with pytest.raises(InvalidInput, match="この行には列 氏名 の値がありません"):
        parse_expression("=氏名", COLUMNS).evaluate({})


def test_expressions_say_which_columns_they_read() -> None:
    assert parse_expression("=数字(郵便番号(郵便番号))", COLUMNS).columns == {"郵便番号"}
    assert parse_expression("その他", COLUMNS).columns == frozenset()
    assert parse_expression("=半角カナ(氏名カナ)", COLUMNS).text == "=半角カナ(氏名カナ)"
