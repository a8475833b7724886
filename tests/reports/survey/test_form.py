"""The survey workbook a 課 fills in: sheets, title in 令和, header, Excel's own checks."""

from __future__ import annotations

from pathlib import Path

import pytest
from openpyxl import load_workbook

from reports.survey import form_title, write_survey_form
from reports.survey._form import EXAMPLES, FORM_PROPERTY
from tests.reports.survey.conftest import LABELS

EXPECTED_HEADERS = [
    "業務名", "課", "担当者", "頻度", "件数", "1件あたりの作業時間（分）", "入力元",
    "入力先（システム名）", "手書き帳票か", "個人番号を扱うか", "繁忙期", "自由記述",
]  # fmt: skip


def test_the_form_has_its_sheets_title_and_header(tmp_path: Path) -> None:
    path = write_survey_form(tmp_path / "new" / "調査票.xlsx", fiscal_year=2027)
    workbook = load_workbook(path)
    assert workbook.sheetnames == ["調査票", "記入方法", "記入例"]
    sheet = workbook["調査票"]
    assert sheet["A1"].value == "RPA導入候補業務 調査票（令和9年度導入検討）"
    assert [cell.value for cell in sheet[4]] == EXPECTED_HEADERS == LABELS
    assert sheet.freeze_panes == "A5"
    assert sheet["A4"].fill.fgColor.rgb.endswith("DDEBF7")
    assert sheet.column_dimensions["A"].width > sheet.column_dimensions["D"].width
    assert [p.value for p in workbook.custom_doc_props if p.name == FORM_PROPERTY] == [2027]


def test_form_titles_count_reiwa_years() -> None:
    assert form_title(2019) == "RPA導入候補業務 調査票（令和元年度導入検討）"
    assert form_title(2030) == "RPA導入候補業務 調査票（令和12年度導入検討）"
    with pytest.raises(ValueError, match="2019"):
        write_survey_form("unused.xlsx", fiscal_year=2018)


def test_excel_checks_each_answer_column(tmp_path: Path) -> None:
    sheet = load_workbook(write_survey_form(tmp_path / "f.xlsx", fiscal_year=2027))["調査票"]
    rules = {str(v.sqref): v for v in sheet.data_validations.dataValidation}
    assert rules["D5:D104"].type == "list" and rules["D5:D104"].formula1 == '"日,週,月,年"'
    assert rules["G5:G104"].formula1 == '"紙,Excel,電子申請,システム画面,その他"'
    assert rules["I5:I104"].formula1 == rules["J5:J104"].formula1 == '"はい,いいえ"'
    count, minutes = rules["E5:E104"], rules["F5:F104"]
    assert (count.type, count.operator, count.formula1) == ("whole", "greaterThanOrEqual", "0")
    assert (minutes.type, minutes.operator, minutes.formula1) == ("decimal", "greaterThan", "0")
    for rule in rules.values():
        assert rule.showInputMessage and rule.showErrorMessage and rule.allow_blank
        assert rule.prompt and len(rule.prompt) <= 255 and "。" in (rule.error or "")
    assert len(rules) == 6


def test_instructions_and_two_examples_in_the_answer_layout(tmp_path: Path) -> None:
    workbook = load_workbook(write_survey_form(tmp_path / "f.xlsx", fiscal_year=2027))
    text = "\n".join(
        str(cell.value) for row in workbook["記入方法"].iter_rows() for cell in row if cell.value
    )
    assert "RPAでできること" in text and "開庁日" in text
    assert all(label in text for label in LABELS)
    examples = workbook["記入例"]
    assert [cell.value for cell in examples[4]] == LABELS
    assert [examples.cell(row=5 + i, column=1).value for i in range(3)] == [
        EXAMPLES[0]["name"],
        EXAMPLES[1]["name"],
        None,
    ]
