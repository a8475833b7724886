"""One answer row made a :class:`~core.inventory.Candidate`, or the problems that stop it.

``items_per_year`` = 件数 × :func:`periods_per_year` (日: the fiscal year's office days from
:mod:`core.calendar`; 週 52, 月 12, 年 1) — the same for every 課; guesses made while reading
(a range's midpoint, 約, a 頻度 found in the 件数 cell) are noted in 備考.
"""

from __future__ import annotations

import functools
import hashlib
from dataclasses import dataclass, field
from typing import Any, Final

from pydantic import ValidationError

from core.calendar import fiscal_year_bounds, office_days
from core.inventory import MAX_ITEMS_PER_YEAR, Candidate, DataClass
from reports.survey._form import COLUMNS
from reports.survey._values import (
    DAY,
    MONTH,
    WEEK,
    YEAR,
    Unreadable,
    clean_text,
    match_key,
    read_count,
    read_frequency,
    read_input_source,
    read_minutes,
    read_yes_no,
)

__all__ = [
    "LABELS",
    "MAX_TEXT",
    "Row",
    "SurveyProblem",
    "candidate_id",
    "make_candidate",
    "periods_per_year",
]

#: Longest 自由記述 kept (the rest is cut, with a problem); other texts end at 200 characters.
MAX_TEXT: Final = 1000
_NAME_LENGTH: Final = 200
LABELS: Final = {column.key: column.label for column in COLUMNS}
_PERIODS: Final = {WEEK: 52, MONTH: 12, YEAR: 1}
# A problem in one of these columns leaves the row without a candidate.
_REQUIRED: Final = frozenset({"name", "department", "frequency", "count", "minutes", ""})


@dataclass(frozen=True)
class SurveyProblem:
    """One thing the RPA担当 must resolve: where (file, sheet, row, column) and what.

    ``str()`` is the line to show: ``保険年金課_回答.xlsx 調査票 12行目 件数: 空欄です``.
    """

    file: str
    sheet: str | None
    row: int | None
    column: str | None
    message: str

    def __str__(self) -> str:
        where = [self.file]
        if self.sheet:
            where.append(self.sheet)
        if self.row is not None:
            where.append(f"{self.row}行目")
        if self.column:
            where.append(self.column)
        return f"{' '.join(where)}: {self.message}"


@dataclass
class Row:
    file: str
    sheet: str
    row: int
    cells: dict[str, Any]
    source: str
    labels: dict[str, str] = field(default_factory=dict)  # the file's own headers
    department: str = ""
    problems: list[SurveyProblem] = field(default_factory=list)
    problem_keys: set[str] = field(default_factory=set)

    def problem(self, key: str | None, message: str) -> None:
        label = (self.labels.get(key) or LABELS[key]) if key else None
        self.problem_keys.add(key or "")
        self.problems.append(SurveyProblem(self.file, self.sheet, self.row, label, message))


def periods_per_year(frequency: str, fiscal_year: int) -> int:
    """How many times a task of this 頻度 happens in the fiscal year (日: its office days)."""
    if frequency == DAY:
        return _office_days(fiscal_year)
    return _PERIODS[frequency]


@functools.lru_cache(maxsize=16)
def _office_days(fiscal_year: int) -> int:
    return sum(1 for _ in office_days(*fiscal_year_bounds(fiscal_year)))


def candidate_id(fiscal_year: int, department: str, name: str) -> str:
    """``s2027-1a2b3c4d``: stable for the same 課 and 業務名 (NFKC, spaces and case ignored)."""
    digest = hashlib.sha1(f"{match_key(department)}\n{match_key(name)}".encode()).hexdigest()
    return f"s{fiscal_year}-{digest[:8]}"


def make_candidate(row: Row, name: str, fiscal_year: int) -> Candidate | None:
    cells = row.cells
    remarks: list[str] = []
    if not name:
        row.problem("name", "空欄です")
    elif len(name) > _NAME_LENGTH:
        row.problem("name", f"長すぎます（{_NAME_LENGTH}文字まで）")
    elif name.startswith(("（記入例）", "(記入例)")):
        row.problem("name", "記入例の行のようです。記入例を消してから回答してください")
    if len(row.department) > _NAME_LENGTH:
        row.problem("department", f"長すぎます（{_NAME_LENGTH}文字まで）")
    count = minutes = None
    frequency: str | None = None
    in_count: str | None = None
    try:
        frequency = _read(read_frequency, cells.get("frequency"), remarks)
    except Unreadable as exc:
        row.problem("frequency", str(exc))
        frequency = ""
    try:
        parsed, in_count = read_count(_not_formula(cells.get("count")))
        count = parsed.value
        remarks += [parsed.remark] if parsed.remark else []
    except Unreadable as exc:
        if "count" in cells:
            row.problem("count", str(exc))
    try:
        minutes = _read(read_minutes, _not_formula(cells.get("minutes")), remarks)
    except Unreadable as exc:
        if "minutes" in cells:
            row.problem("minutes", str(exc))
    if in_count and frequency and in_count != frequency:
        row.problem("count", f"件数欄の「{in_count}」と頻度欄の「{frequency}」が食い違っています")
    elif in_count and frequency is None:
        frequency = in_count
        remarks.append(f"頻度は件数欄の「{in_count}」")
    elif frequency is None and count is not None:
        row.problem("frequency", "空欄です（日・週・月・年のいずれか）")
    optional: dict[str, Any] = {}
    for key in ("handwritten", "my_number"):
        try:
            optional[key] = read_yes_no(cells.get(key))
        except Unreadable as exc:
            row.problem(key, f"{exc}（この欄は空のまま候補にしました）")
            optional[key] = None
    source = _read(read_input_source, cells.get("input_from"), remarks)
    texts = {}
    for key in ("contact", "input_to", "busy_season"):
        text = clean_text(cells.get(key))
        if len(text) > _NAME_LENGTH:
            row.problem(
                key, f"長すぎます（{_NAME_LENGTH}文字まで。この欄は空のまま候補にしました）"
            )
            text = ""
        texts[key] = text or None
    notes = _notes(row, clean_text(cells.get("notes")), remarks)
    if row.problem_keys & _REQUIRED or count is None or minutes is None or not frequency:
        return None
    items = round(count * periods_per_year(frequency, fiscal_year))
    if items > MAX_ITEMS_PER_YEAR:
        row.problem(
            "count", f"年間件数が{MAX_ITEMS_PER_YEAR:,}件を超えます（単位を確認してください）"
        )
        return None
    try:
        return Candidate(
            id=candidate_id(fiscal_year, row.department, name),
            name=name,
            department=row.department,
            survey_year=fiscal_year,
            items_per_year=items,
            minutes_per_item=minutes,
            data_classification=DataClass.MY_NUMBER if optional["my_number"] else None,
            notes=notes,
            contact=texts["contact"],
            input_from=source,
            input_to=texts["input_to"],
            handwritten_form=optional["handwritten"],
            busy_season=texts["busy_season"],
            source=row.source,
        )
    except ValidationError as exc:  # the message holds the values: name the fields only
        fields = sorted({str(error["loc"][0]) for error in exc.errors() if error["loc"]})
        row.problem(None, f"候補にできません（項目: {', '.join(fields)}）")
        return None


def _read(reader: Any, value: Any, remarks: list[str]) -> Any:
    parsed = reader(value)
    if parsed is None:
        return None
    if parsed.remark:
        remarks.append(parsed.remark)
    return parsed.value


def _not_formula(value: Any) -> Any:
    if isinstance(value, str) and value.lstrip().startswith(("=", "＝")):
        raise Unreadable("数式は読みません。計算した結果の数字を入力してください")
    return value


def _notes(row: Row, free: str, remarks: list[str]) -> str:
    remarks = [r for r in remarks if r]
    tail = f"［集計］{'。'.join(remarks)}。" if remarks else ""
    room = MAX_TEXT - len(tail) - 1
    if len(free) > room:
        row.problem("notes", f"長すぎるため先頭{room}文字だけを備考にしました")
        free = free[:room]
    return " ".join(part for part in (free, tail) if part)
