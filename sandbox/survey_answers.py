"""Fake returned survey workbooks (7月調査), with the mess real answers have, and what each
row should become — for tests and the benchmark of :func:`reports.survey.collect_answers`.

Each workbook starts as jimu's own form (:func:`reports.survey.write_survey_form`) filled
by an imaginary 課 with plausible tasks. The seed decides, per file, the layout changes people
make (sheet renamed, rows inserted above the header, columns reordered or inserted, headers
reworded, the 記入例 pasted, a 合計 row, blank rows, 課 left empty on some rows, a damaged
file) and, per row, how values are typed (「30分」, 「0.5時間」, 「1時間30分」, 「約10分」,
「10～20分」, full-width digits, numbers as text, 「月20件程度」, 「20件」, 毎日/週1/月次 …, ○/×,
有/無, Y/N, a name starting with =) or left wrong (empty 件数, an unreadable time, the same task
as an earlier file). :class:`ExpectedRow` says what the reader should make of every row.
"""

from __future__ import annotations

import io
import random
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

from openpyxl import load_workbook
from openpyxl.worksheet.worksheet import Worksheet

from core.calendar import fiscal_year_bounds, office_days
from core.cells import set_text_cell
from reports.survey import write_survey_form

__all__ = [
    "DEPARTMENTS",
    "FILE_KINDS",
    "ROW_KINDS",
    "Accounting",
    "ExpectedRow",
    "ReturnedFile",
    "account",
    "write_returned_workbooks",
]

#: Plausible tasks per 課 (eight each, so a file of up to eight rows never repeats one).
DEPARTMENTS: Final[dict[str, tuple[str, ...]]] = {
    "住民課": (
        "転入届の住民記録システム入力",
        "住民票の写し 郵送請求の受付入力",
        "印鑑登録申請の入力",
        "戸籍届書の受付簿作成",
        "マイナンバーカード交付予約の名簿作成",
        "転出証明書の発行",
        "住所変更の他課への連絡票作成",
        "証明書交付件数の月次集計",
    ),
    "税務課": (
        "給与支払報告書の個人住民税システム入力",
        "確定申告書データの取込確認",
        "口座振替依頼書の登録",
        "軽自動車税 廃車申告の入力",
        "課税証明書の郵送請求処理",
        "固定資産税 名義変更の入力",
        "督促状の発送データ作成",
        "減免申請の審査記録入力",
    ),
    "保険年金課": (
        "国民健康保険 資格取得届の入力",
        "高額療養費 支給申請の入力",
        "国民年金 免除申請の受付入力",
        "後期高齢者医療 保険証再交付の入力",
        "出産育児一時金の支給データ作成",
        "国保税 納付書再発行の処理",
        "療養費 支給決定通知の作成",
        "資格喪失届の照合",
    ),
    "子育て支援課": (
        "児童手当 認定請求書の入力",
        "児童手当 現況届の受付入力",
        "保育所入所申込の入力",
        "子ども医療費助成 受給者証の発行",
        "ひとり親医療の申請入力",
        "一時預かり利用実績の集計",
        "放課後児童クラブ申込の名簿作成",
        "児童扶養手当 現況届の照合",
    ),
    "福祉課": (
        "障害福祉サービス 受給者証の更新入力",
        "生活保護 ケース記録の転記",
        "補装具費支給申請の入力",
        "福祉タクシー券 交付台帳の作成",
        "特別障害者手当の申請入力",
        "民生委員 活動記録の集計",
        "自立支援医療 更新申請の入力",
        "介護給付費の請求データ照合",
    ),
    "上下水道課": (
        "水道 開閉栓届の入力",
        "口座振替 申込書の登録",
        "検針データの取込と異常値確認",
        "下水道使用料 減免申請の入力",
        "給水装置工事申込の台帳入力",
        "漏水修理受付の記録",
        "滞納者への催告書作成",
        "量水器交換予定表の作成",
    ),
    "財政課": (
        "ふるさと納税 受領証明書の発行データ作成",
        "予算要求書の集計",
        "支出負担行為の照合",
        "決算統計の転記",
        "基金運用状況の月次報告作成",
        "補助金交付申請の一覧作成",
        "契約台帳の更新",
        "起債償還予定表の作成",
    ),
    "介護保険課": (
        "要介護認定申請の入力",
        "介護保険 負担限度額認定の入力",
        "住宅改修費 支給申請の入力",
        "被保険者証の再交付",
        "介護保険料 還付通知の作成",
        "主治医意見書の依頼書作成",
        "認定調査票の取込確認",
        "高額介護サービス費の支給入力",
    ),
}
_SECTIONS: Final = ("庶務係", "管理係", "窓口係", "給付係", "審査係", "収納係", "資格係", "企画係",
                    "調整係", "相談係", "事業係", "認定係", "賦課係", "徴収係", "経理係", "推進係",
                    "支援係", "医療係", "年金係", "施設係", "業務係", "総務係", "調査係", "保健係",
                    "指導係")  # fmt: skip

#: Layout changes a file may have.
FILE_KINDS: Final = (
    "renamed-sheet", "rows-above-header", "reordered-columns", "inserted-column",
    "synonym-headers", "examples-pasted", "total-row", "blank-rows", "department-omitted",
    "corrupt-file",
)  # fmt: skip
#: How one row may be typed; the last three end as problems.
ROW_KINDS: Final = (
    "plain", "minutes-text", "minutes-range", "full-width", "number-as-text",
    "count-with-frequency", "count-with-unit", "frequency-words", "yes-no-symbols",
    "formula-text", "empty-count", "unreadable-minutes", "duplicate",
)  # fmt: skip
# The row kinds that end as a problem, and the column the problem names.
_PROBLEMS: Final = {"empty-count": "count", "unreadable-minutes": "minutes", "duplicate": "name"}
_ROW_WEIGHTS: Final = (30, 6, 4, 4, 4, 6, 4, 6, 5, 2, 3, 3, 3)
_SYSTEMS: Final = ("住民記録システム", "税務システム", "福祉総合システム", "財務会計システム")
_COUNTS: Final = {"日": (5, 60), "週": (5, 80), "月": (10, 400), "年": (50, 3000)}
_MINUTES: Final = (2, 3, 4, 5, 6, 8, 10, 12, 15, 20, 30)
_MINUTES_TEXT: Final = (("30分", 30.0), ("0.5時間", 30.0), ("1時間30分", 90.0), ("約10分", 10.0),
                        ("45分", 45.0))  # fmt: skip
_MINUTES_RANGE: Final = (("10～20分", 15.0), ("5〜10分", 7.5), ("20-40分", 30.0))
_FREQUENCY_WORDS: Final = {"日": ("毎日", "日次"), "週": ("週1", "毎週"), "月": ("毎月", "月次"),
                           "年": ("年1", "年次")}  # fmt: skip
_SYNONYM_HEADERS: Final = {"name": "業務", "department": "所属", "count": "処理件数",
                           "minutes": "所要時間（分）", "notes": "備考"}  # fmt: skip
_FULL_WIDTH: Final = str.maketrans("0123456789.", "０１２３４５６７８９．")


@dataclass(frozen=True)
class ExpectedRow:
    """What one written row should become: ``outcome`` is ``candidate`` or ``problem``
    (with the header of the column the problem names, as written in that file)."""

    sheet: str
    row: int
    kind: str
    outcome: str
    name: str
    department: str
    items_per_year: int | None = None
    minutes_per_item: float | None = None
    handwritten_form: bool | None = None
    my_number: bool | None = None
    problem_column: str | None = None


@dataclass(frozen=True)
class ReturnedFile:
    """One returned workbook: where, which 課, the layout changes, and its answer rows
    (skipped rows — blank, 合計, pasted 記入例 — are not listed). A ``corrupt-file`` has none
    and should be one problem."""

    path: Path
    department: str
    kinds: tuple[str, ...]
    rows: tuple[ExpectedRow, ...]


def write_returned_workbooks(
    folder: str | Path, *, count: int, fiscal_year: int, seed: int
) -> list[ReturnedFile]:
    """Write ``count`` returned workbooks into ``folder`` (made if missing); returns what
    each holds and should give. The same arguments write the same files."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    form = io.BytesIO()
    template = write_survey_form(folder / ".form.xlsx", fiscal_year=fiscal_year)
    form.write(template.read_bytes())
    template.unlink()
    days = sum(1 for _ in office_days(*fiscal_year_bounds(fiscal_year)))
    periods = {"日": days, "週": 52, "月": 12, "年": 1}
    earlier: dict[str, list[str]] = {}
    files = []
    for index in range(count):
        rng = random.Random(f"{seed}-{index}")
        files.append(_one(folder, index, rng, form.getvalue(), periods, earlier))
    return files


def _one(
    folder: Path,
    index: int,
    rng: random.Random,
    form: bytes,
    periods: dict[str, int],
    earlier: dict[str, list[str]],
) -> ReturnedFile:
    names = list(DEPARTMENTS)
    department = names[index % len(names)]
    round_ = index // len(names)
    section = _SECTIONS[round_ % len(_SECTIONS)]
    if round_ >= len(_SECTIONS):
        section += str(round_ // len(_SECTIONS) + 1)
    path = folder / f"{index:03d}_{department}_{section}_回答.xlsx"
    kinds = tuple(k for k in FILE_KINDS[:-1] if rng.random() < 0.2)
    if index % 29 == 28:
        path.write_bytes(b"PK\x03\x04" + rng.randbytes(300))  # a truncated, damaged file
        return ReturnedFile(path, department, ("corrupt-file",), ())
    workbook = load_workbook(io.BytesIO(form))
    sheet = workbook["調査票"]
    if "renamed-sheet" in kinds:
        sheet.title = rng.choice(("回答", "Sheet1", f"調査票（{department}）", "R9調査"))
    header_row = 4
    if "rows-above-header" in kinds:
        extra = rng.randint(1, 3)
        sheet.insert_rows(2, extra)
        set_text_cell(sheet.cell(row=2, column=1), f"回答課: {department}（{section}）")
        header_row += extra
    layout = _layout(kinds, rng)
    for column in range(1, 20):
        sheet.cell(row=4, column=column).value = None
    for position, (_, label) in enumerate(layout, start=1):
        set_text_cell(sheet.cell(row=header_row, column=position), label)
    labels = {key: label for key, label in layout if key}
    row = header_row + 1
    if "examples-pasted" in kinds:
        from reports.survey._form import EXAMPLES

        for example in EXAMPLES:
            _write(sheet, row, layout, example)
            row += 1
    tasks = rng.sample(DEPARTMENTS[department], rng.randint(2, 8))
    expected = []
    total = 0
    for number, task in enumerate(tasks):
        name = task if round_ == 0 else f"{task}（{section}）"
        kind = rng.choices(ROW_KINDS, weights=_ROW_WEIGHTS)[0]
        if kind == "duplicate" and not earlier.get(department):
            kind = "plain"
        if kind == "duplicate":
            name = rng.choice(earlier[department])
        omit = "department-omitted" in kinds and number > 0 and rng.random() < 0.5
        cells, outcome = _row(kind, name, department, rng, periods)
        if omit:
            cells["department"] = None
        _write(sheet, row, layout, cells)
        total += cells["count"] if isinstance(cells["count"], int) else 0
        expected.append(
            ExpectedRow(
                sheet=sheet.title,
                row=row,
                kind=kind,
                outcome="problem" if kind in _PROBLEMS else "candidate",
                name=str(cells["name"]),
                department=department,
                problem_column=labels[_PROBLEMS[kind]] if kind in _PROBLEMS else None,
                **outcome,
            )
        )
        if kind != "duplicate":
            earlier.setdefault(department, []).append(str(cells["name"]))
        row += 2 if "blank-rows" in kinds and rng.random() < 0.4 else 1
    if "total-row" in kinds:
        _write(sheet, row, layout, {"name": "合計", "count": total})
    workbook.save(path)
    return ReturnedFile(path, department, kinds, tuple(expected))


def _layout(kinds: tuple[str, ...], rng: random.Random) -> list[tuple[str | None, str]]:
    from reports.survey._form import COLUMNS

    layout: list[tuple[str | None, str]] = [(c.key, c.label) for c in COLUMNS]
    if "synonym-headers" in kinds:
        layout = [(key, _SYNONYM_HEADERS.get(key or "", label)) for key, label in layout]
    if "reordered-columns" in kinds:
        rng.shuffle(layout)
    if "inserted-column" in kinds:
        layout.insert(0, (None, "No."))
        layout.insert(rng.randint(2, len(layout)), (None, "課長確認欄"))
    return layout


def _row(
    kind: str, name: str, department: str, rng: random.Random, periods: dict[str, int]
) -> tuple[dict[str, Any], dict[str, Any]]:
    frequency = rng.choice(tuple(_COUNTS))
    count = rng.randint(*_COUNTS[frequency])
    minutes: float = rng.choice(_MINUTES)
    handwritten, my_number = rng.random() < 0.4, rng.random() < 0.3
    cells: dict[str, Any] = {
        "name": name, "department": department, "contact": f"{rng.choice(_SECTIONS)} 担当",
        "frequency": frequency, "count": count, "minutes": minutes,
        "input_from": "紙" if handwritten else rng.choice(("Excel", "電子申請", "システム画面")),
        "input_to": rng.choice(_SYSTEMS),
        "handwritten": "はい" if handwritten else "いいえ",
        "my_number": "はい" if my_number else "いいえ",
        "busy_season": rng.choice((None, "3〜4月", "6月", "1〜3月")), "notes": None,
    }  # fmt: skip
    if kind == "minutes-text":
        cells["minutes"], minutes = rng.choice(_MINUTES_TEXT)
    elif kind == "minutes-range":
        cells["minutes"], minutes = rng.choice(_MINUTES_RANGE)
    elif kind == "full-width":
        cells["count"] = str(count).translate(_FULL_WIDTH)
        cells["minutes"] = str(minutes).translate(_FULL_WIDTH)
    elif kind == "number-as-text":
        cells["count"], cells["minutes"] = str(count), str(minutes)
    elif kind == "count-with-frequency":
        word = {"日": "1日", "週": "週", "月": "月", "年": "年間"}[frequency]
        cells["frequency"], cells["count"] = None, f"{word}{count}件程度"
    elif kind == "count-with-unit":
        cells["count"] = f"{count}件"
    elif kind == "frequency-words":
        cells["frequency"] = rng.choice(_FREQUENCY_WORDS[frequency])
    elif kind == "yes-no-symbols":
        cells["handwritten"] = (
            rng.choice(("○", "Y", "有")) if handwritten else rng.choice(("×", "N", "無"))
        )
        cells["my_number"] = rng.choice(("○", "有")) if my_number else rng.choice(("×", "無"))
    elif kind == "formula-text":
        cells["name"] = f'=HYPERLINK("http://example.invalid","{name}")'
    elif kind == "empty-count":
        cells["count"] = None
    elif kind == "unreadable-minutes":
        cells["minutes"] = rng.choice(("すぐ終わる", "ケースによる", "不明"))
    outcome = {
        "items_per_year": count * periods[frequency],
        "minutes_per_item": float(minutes),
        "handwritten_form": handwritten,
        "my_number": my_number,
    }
    return cells, outcome


def _write(
    sheet: Worksheet, row: int, layout: list[tuple[str | None, str]], cells: dict[str, Any]
) -> None:
    for position, (key, label) in enumerate(layout, start=1):
        cell = sheet.cell(row=row, column=position)
        if key is None:
            cell.value = row if label == "No." else None
            continue
        value = cells.get(key)
        if isinstance(value, str) and value.startswith("="):
            cell.value, cell.data_type = value, "s"  # typed as text ('=…), as a clerk would
        elif isinstance(value, str):
            set_text_cell(cell, value)
        else:
            cell.value = value


@dataclass(frozen=True)
class Accounting:
    """How collected results match the expected rows: ``rows`` answer rows written,
    ``accounted`` those that ended as a candidate or a problem of their row, and one line
    per ``mismatch`` (a wrong value, a missing problem, a damaged file not reported)."""

    rows: int
    accounted: int
    mismatches: list[str]


def account(files: list[ReturnedFile], collected: Any) -> Accounting:
    """Compare ``collected`` (a :class:`reports.survey.Collected`) with what ``files`` hold."""
    by_source = {c.source: c for c in collected.candidates}
    problems: dict[tuple[str, int | None], list[Any]] = {}
    for problem in collected.problems:
        problems.setdefault((problem.file, problem.row), []).append(problem)
    rows = accounted = 0
    mismatches = []
    for returned in files:
        name = returned.path.name
        if "corrupt-file" in returned.kinds:
            if not problems.get((name, None)):
                mismatches.append(f"{name}: damaged file not reported")
            continue
        multi = len({r.sheet for r in returned.rows}) > 1
        for row in returned.rows:
            rows += 1
            where = f"{name}:{row.sheet}:行{row.row}" if multi else f"{name}:行{row.row}"
            candidate = by_source.get(where)
            found = problems.get((name, row.row), [])
            if candidate is not None or found:
                accounted += 1
            if row.outcome == "problem":
                if candidate is not None or not any(p.column == row.problem_column for p in found):
                    mismatches.append(f"{where} ({row.kind}): expected a problem in "
                                      f"{row.problem_column}")  # fmt: skip
                continue
            expected = (row.name, row.department, row.items_per_year, row.minutes_per_item,
                        row.handwritten_form, row.my_number)  # fmt: skip
            got = None
            if candidate is not None:
                got = (candidate.name, candidate.department, candidate.items_per_year,
                       candidate.minutes_per_item, candidate.handwritten_form,
                       candidate.data_classification is not None)  # fmt: skip
            if got != expected:
                mismatches.append(f"{where} ({row.kind}): expected {expected}, got {got}")
    return Accounting(rows=rows, accounted=accounted, mismatches=mismatches)
