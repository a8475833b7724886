"""kokuho-shutoku's own rules: what a 資格取得届's values become, and what a clerk is told when
they cannot make a registration (run with the framework's tests: `make test`)."""

from __future__ import annotations

from datetime import date
from types import ModuleType

import pytest

from core.errors import InvalidInput
from core.identifiers import my_number_check_digit
from core.scenario import load_scenario, scenario_module
from flows.steps import PaperSteps, load_steps

MY_NUMBER = "12345678901" + str(my_number_check_digit("12345678901"))
# A form as the reader gives it: the era circled, the date as its 7 boxes' digits (era code
# 3 = 昭和, YYMMDD), a checked box as "1".
VALUES = {
    "name_kana": "ヤマダ　ハナコ",
    "name": "山田　花子",
    "birth_date_era": "昭和",
    "birth_date": "3580412",
    "gender": "女",
    "phone": "0425551234",
    "my_number": MY_NUMBER,
    "postal_code": "1000001",
    "address": "東京都千代田区千代田1-1",
    "delivery_post": "1",
    "delivery_counter": "",
    "account_type": "普通",
    "account_number": "1234567",
    "check": "1",
}


@pytest.fixture(scope="module")
def steps() -> ModuleType:
    return scenario_module("kokuho-shutoku", "steps.py")


def test_the_scenario_offers_what_paper_intake_needs() -> None:
    loaded = load_steps(load_scenario("kokuho-shutoku"), PaperSteps)
    assert loaded.target_system == "kokuho-system"
    assert "my_number" in loaded.double_entry_fields
    assert loaded.reference_label == "被保険者番号"


def test_a_correct_form_becomes_what_the_system_wants(steps: ModuleType) -> None:
    record = steps.record_from_values("scan-00000001", VALUES)
    assert record.document_id == "scan-00000001"
    assert record.my_number == MY_NUMBER
    assert record.name == "山田　花子"
    assert record.name_kana == "ﾔﾏﾀﾞ ﾊﾅｺ"  # the system's 半角カナ, one space between
    assert record.gender == "女"
    assert record.birth_date == date(1983, 4, 12)
    assert record.postal_code == "100-0001"
    assert record.address == "東京都千代田区千代田１－１"  # 全角, as the system stores it
    # What the form does not ask is filled by rule: the 届出日, その他.
    assert record.acquired_on == date.today()
    assert record.reason == "その他"
    assert steps.record_from_json(record.model_dump_json()) == record
    assert MY_NUMBER in record.personal_values() and "山田　花子" in record.personal_values()


@pytest.mark.parametrize(
    ("birth", "expected"),
    [
        ({"birth_date": "1989-01-08"}, date(1989, 1, 8)),  # an ISO value
        ({"birth_date_era": "", "birth_date": "4010108"}, date(1989, 1, 8)),  # era code only
        ({"birth_date_era": "平成", "birth_date": "1 1 8"}, date(1989, 1, 8)),  # 元年
        ({"birth_date_era": "令和", "birth_date": "3年12月1日"}, date(2021, 12, 1)),
    ],
)
def test_a_birth_date_is_read_in_each_form_the_reader_gives(
    steps: ModuleType, birth: dict[str, str], expected: date
) -> None:
    assert steps.record_from_values("d", VALUES | birth).birth_date == expected


def test_kana_written_in_hiragana_or_half_width_is_the_systems_kana(steps: ModuleType) -> None:
    for written in ("やまだ はなこ", "ﾔﾏﾀﾞ ﾊﾅｺ", "ヤマダ  ハナコ"):
        record = steps.record_from_values("d", VALUES | {"name_kana": written})
        assert record.name_kana == "ﾔﾏﾀﾞ ﾊﾅｺ"


def test_a_written_acquisition_date_and_reason_are_used(steps: ModuleType) -> None:
    record = steps.record_from_values(
        "d",
        VALUES | {"acquired_on": "2024-04-01", "acquisition_reason": "2.転入"},
    )
    assert (record.acquired_on, record.reason) == (date(2024, 4, 1), "転入")


@pytest.mark.parametrize(
    ("change", "field", "says"),
    [
        (
            {"my_number": MY_NUMBER[:11] + str((int(MY_NUMBER[11]) + 1) % 10)},
            "my_number",
            "チェックデジット",
        ),
        ({"my_number": "12345"}, "my_number", "12桁"),
        ({"name": " "}, "name", "氏名が空欄"),
        ({"name": "𠮷田　花子"}, "name", "使えない文字"),  # not in Shift_JIS
        ({"name_kana": "山田"}, "name_kana", "カナ以外"),
        ({"name_kana": "ヴヵ"}, "name_kana", "カナ以外"),  # ヵ has no 半角 form
        ({"gender": ""}, "gender", "囲まれていません"),
        ({"gender": "男女"}, "gender", "選択肢"),
        ({"birth_date_era": "", "birth_date": "58 4 12"}, "birth_date_era", "元号"),
        ({"birth_date_era": "平成", "birth_date": "31 5 1"}, "birth_date", "実在"),  # 令和元年
        ({"birth_date": "3580231"}, "birth_date", "実在"),  # 2月31日
        ({"birth_date": "0580412"}, "birth_date", "実在"),  # no era 0
        ({"birth_date_era": "平成"}, "birth_date_era", "元号が違います"),  # the code says 昭和
        ({"birth_date": "2999-01-01"}, "birth_date", "未来"),
        ({"birth_date": ""}, "birth_date", "空欄"),
        ({"postal_code": "12345"}, "postal_code", "7桁"),
        ({"postal_code": "0000000"}, "postal_code", "郵便番号にありません"),
        ({"address": "東京都" * 40}, "address", "100文字"),
        ({"check": ""}, "check", "相違ありません"),
        ({"acquired_on": "2999-01-01"}, "acquired_on", "未来"),
        ({"acquisition_reason": "死亡"}, "acquisition_reason", "選択肢"),
    ],
)
def test_a_form_that_cannot_be_registered_names_the_field_never_the_value(
    steps: ModuleType, change: dict[str, str], field: str, says: str
) -> None:
    with pytest.raises(InvalidInput) as refused:
        steps.record_from_values("scan-00000001", VALUES | change)
    assert refused.value.field == field
    assert says in refused.value.message
    for value in change.values():
        if len(value) > 2:
            assert value not in refused.value.message
    assert MY_NUMBER not in refused.value.message


def test_the_declared_screens_are_a_valid_steps_block(steps: ModuleType) -> None:
    from flows.declared import DeclaredScenario

    declared = DeclaredScenario.model_validate(steps.SCREENS)
    assert declared.found.none == "該当する被保険者はいません"  # proof of absence
    assert declared.commit_step().click == "登録"
    record = steps.record_from_values("d", VALUES)
    filled = {name: e.evaluate(record.screen_values()) for (_f, name), e
              in declared.expressions().items()}  # fmt: skip
    assert filled["生年月日"] == "昭和" and filled["生年月日 年"] == "58"
    assert filled["取得事由"] == "その他"
