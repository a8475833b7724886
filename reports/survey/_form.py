"""The survey workbook (調査票) a 課 fills in: one row per task, drop-downs and checks in Excel.

Three sheets: 「調査票」 (the answers: title in A1, the header in row 4, rows 5–104 with data
validation), 「記入方法」 (what RPA can do, in plain words, and how to fill each column) and
「記入例」 (two filled rows in the same layout; :func:`reports.survey.collect_answers` skips
them, even when pasted into the answers). The workbook carries a custom document property
``jimu_survey_form`` = the fiscal year, so a returned file can be recognised; collecting
does not require it (people copy their answers into workbooks of their own).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Final

from openpyxl import Workbook
from openpyxl.packaging.custom import IntProperty
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from core.cells import CellValue, set_text_cell
from core.wareki import fiscal_year_label

__all__ = [
    "ANSWER_SHEET",
    "COLUMNS",
    "EXAMPLES",
    "EXAMPLE_SHEET",
    "FIRST_ANSWER_ROW",
    "FORM_PROPERTY",
    "HEADER_ROW",
    "INSTRUCTION_SHEET",
    "LAST_ANSWER_ROW",
    "Column",
    "form_title",
    "write_survey_form",
]

ANSWER_SHEET: Final = "調査票"
INSTRUCTION_SHEET: Final = "記入方法"
EXAMPLE_SHEET: Final = "記入例"
HEADER_ROW: Final = 4
FIRST_ANSWER_ROW: Final = 5
LAST_ANSWER_ROW: Final = 104
#: Custom document property marking jimu's survey form; its value is the fiscal year.
FORM_PROPERTY: Final = "jimu_survey_form"

FREQUENCIES: Final = ("日", "週", "月", "年")
INPUT_SOURCES: Final = ("紙", "Excel", "電子申請", "システム画面", "その他")
YES_NO: Final = ("はい", "いいえ")


@dataclass(frozen=True)
class Column:
    """One column of the answer sheet: its key in code, its header and how to fill it."""

    key: str
    label: str
    width: float
    how: str  # the 記入方法 line and the input message (at most 255 characters)


COLUMNS: Final = (
    Column(
        "name",
        "業務名",
        36,
        "業務の名前を、他の課の人にも分かるように書いてください"
        "（例: 住民異動届の国保システム入力）。1行に1業務です。",
    ),
    Column("department", "課", 16, "回答する課の名前（例: 保険年金課）。"),
    Column("contact", "担当者", 16, "内容を問い合わせるときの担当者（係名と氏名）。"),
    Column(
        "frequency", "頻度", 8, "その作業が発生する単位を一覧から選んでください: 日・週・月・年。"
    ),
    Column(
        "count", "件数", 10, "上の頻度あたりの件数（数字のみ、例: 頻度が「月」で月に20件なら 20）。"
    ),
    Column(
        "minutes",
        "1件あたりの作業時間（分）",
        14,
        "1件を処理するのにかかる時間を分で（例: 30秒なら 0.5、1時間半なら 90）。",
    ),
    Column(
        "input_from",
        "入力元",
        14,
        "入力するデータをどこから見ているか: 紙・Excel・電子申請・システム画面・その他。",
    ),
    Column(
        "input_to",
        "入力先（システム名）",
        22,
        "データを入力するシステムの名前（例: 住民記録システム、財務会計システム）。",
    ),
    Column("handwritten", "手書き帳票か", 10, "入力元が手書きの申請書・届出書なら「はい」。"),
    Column(
        "my_number",
        "個人番号を扱うか",
        10,
        "作業の中で個人番号（マイナンバー）を見たり入力したりするなら「はい」。",
    ),
    Column("busy_season", "繁忙期", 16, "件数が特に多い時期（例: 3〜4月、6月）。なければ空欄。"),
    Column("notes", "自由記述", 40, "手順の特徴、困っていること、例外の多さなど自由に。"),
)

#: The two rows of the 記入例 sheet (by column key). Collecting skips rows equal to these.
EXAMPLES: Final[tuple[dict[str, CellValue], ...]] = (
    {
        "name": "（記入例）児童手当 現況届の受付とシステム入力",
        "department": "子育て支援課",
        "contact": "給付係 記入 太郎",
        "frequency": "月",
        "count": 250,
        "minutes": 6,
        "input_from": "紙",
        "input_to": "子育て支援システム",
        "handwritten": "はい",
        "my_number": "はい",
        "busy_season": "6月",
        "notes": "届出書を見ながら3画面に入力し、受付簿にも記入している。",
    },
    {
        "name": "（記入例）口座振替依頼の金融機関データ照合",
        "department": "税務課",
        "contact": "収納係 記入 花子",
        "frequency": "週",
        "count": 40,
        "minutes": 3.5,
        "input_from": "Excel",
        "input_to": "税務システム",
        "handwritten": "いいえ",
        "my_number": "いいえ",
        "busy_season": "4〜5月",
        "notes": "金融機関から届くExcelと画面を1件ずつ見比べている。",
    },
)

_HOW_RPA = (
    "RPA（ロボットによる業務自動化）は、パソコンで人が毎回同じ手順で行っている作業を"
    "代わりに行います。",
    "向いている作業: Excelや電子申請のデータをシステムに入力する、"
    "システムの画面から一覧をExcelに写す、決まった様式の帳票を作る、二つの一覧を見比べる。",
    "手書きの申請書も、決まった様式ならAI-OCRで読み取り、"
    "読み取りに自信がない欄だけ職員が確認する形にできます。",
    "向いていない作業: 毎回判断が必要なもの、手順が人によって違うもの、件数がごく少ないもの。",
    "迷ったら記入してください。DX推進課 RPA担当が内容を確認し、来年度の導入候補を選びます。",
)
_UNITS = (
    "単位: 件数は「頻度」の単位あたりの件数（例: 頻度「月」・件数 20 → 月に20件）。",
    "作業時間は1件あたりの分（例: 30秒 → 0.5、1時間30分 → 90）。数字だけを入力してください。",
    "年間の件数と時間は、全部の課で同じ計算"
    "（日 → その年度の開庁日数、週 → 52、月 → 12、年 → 1 を件数に掛ける）でRPA担当が出します。",
)

_HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")
_EXAMPLE_FILL = PatternFill("solid", fgColor="F2F2F2")
_BOLD = Font(bold=True)
_TITLE = Font(bold=True, size=14)
_THIN = Side(style="thin", color="A6A6A6")
_BOX = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)


def form_title(fiscal_year: int) -> str:
    """The title in A1: ``RPA導入候補業務 調査票（令和9年度導入検討）`` for 2027."""
    return f"RPA導入候補業務 調査票（{fiscal_year_label(fiscal_year)}導入検討）"


def write_survey_form(path: str | Path, *, fiscal_year: int) -> Path:
    """Write the survey workbook for ``fiscal_year`` (the year the tasks would be automated).

    Returns the path written (its folder is created). Raises ValueError for a fiscal year
    outside 2019–2100 (the form names the year in 令和).
    """
    if not 2019 <= fiscal_year <= 2100:
        raise ValueError(f"fiscal_year must be between 2019 and 2100, not {fiscal_year}")
    path = Path(path)
    workbook = Workbook()
    answers = workbook.active
    assert answers is not None
    answers.title = ANSWER_SHEET
    _layout(
        answers,
        fiscal_year,
        note="1行に1業務を記入してください。書き方は「記入方法」と「記入例」のシートにあります。",
    )
    _validations(answers)
    _instructions(workbook.create_sheet(INSTRUCTION_SHEET), fiscal_year)
    examples = workbook.create_sheet(EXAMPLE_SHEET)
    _layout(
        examples,
        fiscal_year,
        note="記入例です（このシートは集計しません）。回答は「調査票」シートに記入してください。",
    )
    for offset, example in enumerate(EXAMPLES):
        for index, column in enumerate(COLUMNS, start=1):
            cell = examples.cell(row=FIRST_ANSWER_ROW + offset, column=index)
            set_text_cell(cell, example[column.key])
            cell.fill = _EXAMPLE_FILL
            cell.border = _BOX
    workbook.custom_doc_props.append(IntProperty(name=FORM_PROPERTY, value=fiscal_year))
    workbook.active = 0
    path.parent.mkdir(parents=True, exist_ok=True)
    workbook.save(path)
    return path


def _layout(sheet: Worksheet, fiscal_year: int, *, note: str) -> None:
    sheet["A1"] = form_title(fiscal_year)
    sheet["A1"].font = _TITLE
    sheet["A2"] = note
    sheet["A3"] = "提出先: DX推進課 RPA担当（ファイル名は「課名_回答.xlsx」としてください）"
    for index, column in enumerate(COLUMNS, start=1):
        cell = sheet.cell(row=HEADER_ROW, column=index, value=column.label)
        cell.font = _BOLD
        cell.fill = _HEADER_FILL
        cell.border = _BOX
        cell.alignment = Alignment(wrap_text=True, vertical="center", horizontal="center")
        sheet.column_dimensions[get_column_letter(index)].width = column.width
    sheet.row_dimensions[HEADER_ROW].height = 36
    sheet.freeze_panes = sheet.cell(row=FIRST_ANSWER_ROW, column=1)


def _validations(sheet: Worksheet) -> None:
    def column_range(key: str) -> str:
        index = next(i for i, c in enumerate(COLUMNS, start=1) if c.key == key)
        letter = get_column_letter(index)
        return f"{letter}{FIRST_ANSWER_ROW}:{letter}{LAST_ANSWER_ROW}"

    def how(key: str) -> str:
        return next(c.how for c in COLUMNS if c.key == key)

    rules = [
        ("frequency", DataValidation(type="list", formula1=_list(FREQUENCIES)), "頻度"),
        ("input_from", DataValidation(type="list", formula1=_list(INPUT_SOURCES)), "入力元"),
        ("handwritten", DataValidation(type="list", formula1=_list(YES_NO)), "手書き帳票か"),
        ("my_number", DataValidation(type="list", formula1=_list(YES_NO)), "個人番号を扱うか"),
        ("count", DataValidation(type="whole", operator="greaterThanOrEqual", formula1="0"),
         "件数"),
        ("minutes", DataValidation(type="decimal", operator="greaterThan", formula1="0"),
         "作業時間（分）"),
    ]  # fmt: skip
    errors = {
        "frequency": "日・週・月・年から選んでください。",
        "input_from": "紙・Excel・電子申請・システム画面・その他から選んでください。",
        "handwritten": "「はい」か「いいえ」を選んでください。",
        "my_number": "「はい」か「いいえ」を選んでください。",
        "count": "0以上の整数（件数）を数字だけで入力してください。例: 20",
        "minutes": "0より大きい数（分）を数字だけで入力してください。例: 1時間30分なら 90",
    }
    for key, rule, title in rules:
        rule.allow_blank = True
        rule.showInputMessage = True
        rule.promptTitle = title
        rule.prompt = how(key)
        rule.showErrorMessage = True
        rule.errorTitle = "入力内容を確認してください"
        rule.error = errors[key]
        rule.add(column_range(key))
        sheet.add_data_validation(rule)


def _list(values: tuple[str, ...]) -> str:
    return '"' + ",".join(values) + '"'


def _instructions(sheet: Worksheet, fiscal_year: int) -> None:
    sheet.column_dimensions["A"].width = 26
    sheet.column_dimensions["B"].width = 100
    sheet["A1"] = form_title(fiscal_year) + " 記入方法"
    sheet["A1"].font = _TITLE
    row = 3
    sheet.cell(row=row, column=1, value="RPAでできること").font = _BOLD
    for line in _HOW_RPA:
        row += 1
        sheet.cell(row=row, column=2, value=line).alignment = Alignment(wrap_text=True)
    row += 2
    sheet.cell(row=row, column=1, value="各欄の書き方").font = _BOLD
    for column in COLUMNS:
        row += 1
        sheet.cell(row=row, column=1, value=column.label)
        sheet.cell(row=row, column=2, value=column.how).alignment = Alignment(wrap_text=True)
    row += 2
    sheet.cell(row=row, column=1, value="単位と集計").font = _BOLD
    for line in _UNITS:
        row += 1
        sheet.cell(row=row, column=2, value=line).alignment = Alignment(wrap_text=True)
