"""Reading returned survey workbooks: every answer row becomes a candidate or a listed problem.

:func:`collect_answers` reads every ``*.xlsx`` / ``*.xlsm`` of a folder (sorted by name;
``~$`` lock files skipped; ``.xls``/``.ods``/``.csv`` files are listed as problems, not
ignored). In each workbook, every sheet whose header row (found by content within the first
50 rows, after NFKC and with spaces removed, with synonyms such as 所要時間 or 処理件数) names
業務名 and at least two other columns is read, whatever the sheet is called, wherever the header
is and in whatever column order; a sheet named 記入例 is not.

Rows below the header:

* blank rows, 合計/計 rows and rows identical to the form's 記入例 are skipped; a row with only
  課 or 担当者 filled in (people fill 課 down the whole sheet) counts as blank;
* every other row ends as a :class:`~core.inventory.Candidate` or as at least one
  :class:`SurveyProblem` naming the file, sheet, row and column the clerk must fix — never
  silently dropped. An empty or unreadable 件数, 作業時間 or 頻度 gives no candidate; an
  unreadable optional cell (手書き帳票か …) gives a problem and a candidate without that value;
* a 課 left empty takes the 課 of the file's other rows when they all agree;
* the same task (課 and 業務名 equal after NFKC, spaces and case ignored) twice, in one file or
  two, is one candidate (the first, files and rows in order) and a problem naming both places.

**Hours a year are computed the same way for every 課**: ``items_per_year`` = 件数 × the
number of periods in the fiscal year — 日: the office days (開庁日, :mod:`core.calendar`) from
1 April to 31 March, 週: 52, 月: 12, 年: 1 — rounded to a whole number; ``minutes_per_item``
is the 1件あたりの作業時間 in minutes (「0.5時間」 → 30, 「10～20分」 → the midpoint 15, noted in
備考). A candidate's id is ``s{年度}-`` and the first 8 hex digits of the SHA-1 of its
normalised 課 and 業務名, so a rerun gives the same ids.

Cells are data: formulas are never evaluated (a cell ``=SUM(…)`` reads as that text) and
no cell's content is logged — only file names, counts and row numbers.
"""

from __future__ import annotations

import functools
import hashlib
import logging
import re
import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final

from openpyxl import load_workbook
from pydantic import ValidationError

from core.calendar import fiscal_year_bounds, office_days
from core.inventory import MAX_ITEMS_PER_YEAR, Candidate, DataClass
from reports.survey._form import COLUMNS, EXAMPLE_SHEET, EXAMPLES, FORM_PROPERTY
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
    "MAX_FILES",
    "MAX_ROWS",
    "MAX_TEXT",
    "Collected",
    "SurveyProblem",
    "candidate_id",
    "collect_answers",
    "periods_per_year",
]

log = logging.getLogger(__name__)

#: Most workbooks read from one folder; more is a problem (the first ones are read).
MAX_FILES: Final = 5000
#: Most rows read below a sheet's header; an answer further down is a problem.
MAX_ROWS: Final = 5000
#: Longest text read from one cell.
MAX_TEXT: Final = 1000
MAX_FILE_BYTES: Final = 50 * 2**20
MAX_UNZIPPED_BYTES: Final = 400 * 2**20
MAX_COLUMNS: Final = 200
HEADER_SEARCH_ROWS: Final = 50
_READ: Final = (".xlsx", ".xlsm")
_NOT_READ: Final = (".xls", ".xlsb", ".ods", ".csv")
_NAME_LENGTH: Final = 200
_NOTES_LENGTH: Final = 1000
_TOTALS: Final = frozenset({"合計", "計", "総計", "小計", "合計件数", "total"})
_LABELS: Final = {column.key: column.label for column in COLUMNS}
_SYNONYMS: Final[dict[str, tuple[str, ...]]] = {
    "name": ("業務名", "業務", "業務の名称", "業務名称", "事務名", "事務", "作業名", "業務内容"),
    "department": ("課", "課名", "所属", "所属課", "担当課", "部署", "部署名", "回答課"),
    "contact": ("担当者", "担当者名", "回答者", "記入者", "担当", "回答担当者"),
    "frequency": ("頻度", "周期", "発生頻度", "処理頻度"),
    "count": ("件数", "処理件数", "件数/頻度", "処理数", "数量"),
    "minutes": ("1件あたりの作業時間", "作業時間", "所要時間", "1件当たり時間", "1件あたり時間",
                "1件あたりの所要時間", "1件当たりの作業時間", "処理時間", "時間"),
    "input_from": ("入力元", "入力元データ", "入手元", "データの入手元", "元データ"),
    "input_to": ("入力先", "入力先システム", "システム名", "入力先システム名", "対象システム"),
    "handwritten": ("手書き帳票か", "手書き帳票", "手書き", "手書きか"),
    "my_number": ("個人番号を扱うか", "個人番号", "マイナンバー", "個人番号の有無"),
    "busy_season": ("繁忙期", "繁忙時期", "忙しい時期"),
    "notes": ("自由記述", "備考", "自由記載", "コメント", "意見", "その他"),
}  # fmt: skip
# When no synonym matches exactly: a header containing one of these words.
_CONTAINS: Final = (
    ("作業時間", "minutes"), ("所要時間", "minutes"), ("処理時間", "minutes"),
    ("件数", "count"), ("業務名", "name"), ("入力元", "input_from"), ("入力先", "input_to"),
    ("個人番号", "my_number"), ("マイナンバー", "my_number"), ("手書き", "handwritten"),
    ("繁忙", "busy_season"), ("頻度", "frequency"),
)  # fmt: skip
_TASK_KEYS: Final = tuple(c.key for c in COLUMNS if c.key not in ("department", "contact"))
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


@dataclass(frozen=True)
class Collected:
    """What a folder of returned workbooks gave: candidates and problems, in file order.

    ``files`` is how many workbooks were looked at, ``rows`` how many answer rows they held
    (each is a candidate, or a problem's row, or both).
    """

    candidates: list[Candidate]
    problems: list[SurveyProblem]
    files: int = 0
    rows: int = 0


@dataclass
class _Row:
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
        label = (self.labels.get(key) or _LABELS[key]) if key else None
        self.problem_keys.add(key or "")
        self.problems.append(SurveyProblem(self.file, self.sheet, self.row, label, message))


def collect_answers(folder: str | Path, *, fiscal_year: int) -> Collected:
    """Read every returned workbook in ``folder`` for the survey of ``fiscal_year``.

    Returns the candidates (``survey_year`` = ``fiscal_year``, ``feasibility`` empty) and
    the problems; a file that cannot be read is one problem and the others are still read.
    Raises ConfigError-free: only a missing folder raises (FileNotFoundError).
    """
    folder = Path(folder)
    if not folder.is_dir():
        raise FileNotFoundError(f"no such folder: {folder}")
    problems: list[SurveyProblem] = []
    paths = []
    for path in sorted(folder.iterdir()):
        if path.name.startswith(("~$", ".")) or not path.is_file():
            continue
        suffix = path.suffix.lower()
        if suffix in _READ:
            paths.append(path)
        elif suffix in _NOT_READ:
            message = f"{suffix} 形式は読めません。Excelで .xlsx 形式に保存し直してください"
            problems.append(SurveyProblem(path.name, None, None, None, message))
    if len(paths) > MAX_FILES:
        message = f"ファイルが{len(paths)}件あります。先頭の{MAX_FILES}件だけ読みました"
        problems.append(SurveyProblem(folder.name, None, None, None, message))
        paths = paths[:MAX_FILES]
    rows: list[_Row] = []
    for path in paths:
        file_rows, file_problems = _read_file(path, fiscal_year)
        rows += file_rows
        problems += file_problems
        log.debug("survey collect: %s: %d answer rows", path.name, len(file_rows))
    candidates = _candidates(rows, fiscal_year)
    for each in rows:
        problems += each.problems
    problems.sort(key=lambda p: (p.file, p.sheet or "", p.row or 0))
    log.info("survey collect: %d files, %d answer rows, %d candidates, %d problems",
             len(paths), len(rows), len(candidates), len(problems))  # fmt: skip
    return Collected(candidates=candidates, problems=problems, files=len(paths), rows=len(rows))


def periods_per_year(frequency: str, fiscal_year: int) -> int:
    """How many times a task of this 頻度 happens in the fiscal year (日: its office days)."""
    if frequency == DAY:
        return _office_days(fiscal_year)
    return _PERIODS[frequency]


@functools.lru_cache(maxsize=16)
def _office_days(fiscal_year: int) -> int:
    return sum(1 for _ in office_days(*fiscal_year_bounds(fiscal_year)))


def _read_file(path: Path, fiscal_year: int) -> tuple[list[_Row], list[SurveyProblem]]:
    def problem(message: str) -> tuple[list[_Row], list[SurveyProblem]]:
        log.warning("survey collect: %s not read", path.name)
        return [], [SurveyProblem(path.name, None, None, None, message)]

    try:
        if path.stat().st_size > MAX_FILE_BYTES:
            return problem(f"ファイルが大きすぎます（{MAX_FILE_BYTES // 2**20}MBまで）")
        with zipfile.ZipFile(path) as archive:
            if sum(info.file_size for info in archive.infolist()) > MAX_UNZIPPED_BYTES:
                return problem("ファイルの中身が大きすぎます")
    except (OSError, zipfile.BadZipFile):
        return problem(
            "ファイルを開けません（壊れているか、パスワード付きか、Excelのブックではありません）"
        )
    try:
        workbook = load_workbook(path, read_only=True, data_only=False)
    except Exception:  # openpyxl raises many kinds for a damaged file; it is one problem
        return problem("ファイルを開けません（壊れているか、Excelのブックではありません）")
    rows: list[_Row] = []
    problems: list[SurveyProblem] = []
    try:
        marked = _form_year(workbook)
        if marked is not None and marked != fiscal_year:
            message = f"{marked}年度の調査票です（{fiscal_year}年度の回答として読みました）"
            problems.append(SurveyProblem(path.name, None, None, None, message))
        sheets = [s for s in workbook.worksheets if EXAMPLE_SHEET not in match_key(s.title)]
        found = False
        for sheet in sheets:
            sheet_rows, sheet_problems, has_header = _read_sheet(path.name, sheet)
            found = found or has_header
            rows += sheet_rows
            problems += sheet_problems
    except Exception:  # a sheet damaged half-way: the whole file is one problem
        return problem("ファイルの途中が壊れていて読めません。保存し直して再提出してください")
    finally:
        workbook.close()
    if not found:
        return problem("調査票の見出し行（業務名・件数・作業時間…）が見つかりません")
    multi = len({r.sheet for r in rows}) > 1
    for each in rows:
        each.source = _source(path.name, each.sheet if multi else None, each.row)
    _fill_departments(rows)
    return rows, problems


def _form_year(workbook: Any) -> int | None:
    for prop in getattr(workbook, "custom_doc_props", ()):
        if prop.name == FORM_PROPERTY and isinstance(prop.value, int):
            return prop.value
    return None


def _read_sheet(file: str, sheet: Any) -> tuple[list[_Row], list[SurveyProblem], bool]:
    rows = sheet.iter_rows(values_only=True, max_col=MAX_COLUMNS)
    columns: dict[str, int] | None = None
    header_row = 0
    labels: dict[str, str] = {}
    for number, values in enumerate(rows, start=1):
        if number > HEADER_SEARCH_ROWS:
            return [], [], False
        columns = _header(values)
        if columns:
            header_row = number
            labels = {key: clean_text(values[index]) for key, index in columns.items()}
            break
    if not columns:
        return [], [], False
    found: list[_Row] = []
    problems: list[SurveyProblem] = []
    missing = [key for key in ("count", "minutes") if key not in columns]
    for number, values in enumerate(rows, start=header_row + 1):
        cells = {key: values[index] if index < len(values) else None
                 for key, index in columns.items()}  # fmt: skip
        if _skipped(cells):
            continue
        if number > header_row + MAX_ROWS:
            message = f"見出しから{MAX_ROWS}行より下は読んでいません"
            problems.append(SurveyProblem(file, sheet.title, number, None, message))
            break
        row = _Row(file, sheet.title, number, cells, source="", labels=labels)
        for key in missing:
            row.problem(key, f"「{_LABELS[key]}」の列が見つかりません（見出しを確認してください）")
        found.append(row)
    return found, problems, True


def _header_key(text: str) -> str:
    return re.sub(r"\(.*?\)|【.*?】|[※*?:：・]", "", match_key(text))


_EXACT: Final = {_header_key(word): key for key, words in _SYNONYMS.items() for word in words}


def _header(values: Iterable[Any]) -> dict[str, int]:
    columns: dict[str, int] = {}
    for index, value in enumerate(values):
        if not isinstance(value, str) or len(value) > 100:
            continue
        text = _header_key(value)
        key = _EXACT.get(text) or next((k for word, k in _CONTAINS if word in text), None)
        if key and key not in columns:
            columns[key] = index
    if "name" in columns and len(columns) >= 3:
        return columns
    return {}


def _skipped(cells: dict[str, Any]) -> bool:
    """Blank rows, 合計 rows and the form's examples pasted in."""
    texts = {key: clean_text(value) for key, value in cells.items()}
    if not any(texts.get(key) for key in _TASK_KEYS):
        return True
    keys = {match_key(text) for text in texts.values() if text}
    if keys & _TOTALS and (not texts.get("name") or match_key(texts["name"]) in _TOTALS):
        return True
    return any(
        all(
            match_key(texts.get(key, "")) == match_key(clean_text(value))
            for key, value in example.items()
            if key in cells
        )
        for example in EXAMPLES
    )


def _source(file: str, sheet: str | None, row: int) -> str:
    tail = f":{sheet}:行{row}" if sheet else f":行{row}"
    return file[: 300 - len(tail)] + tail


def _fill_departments(rows: list[_Row]) -> None:
    named = [clean_text(r.cells.get("department")) for r in rows]
    spelled = {match_key(name): name for name in named if name}
    for row, name in zip(rows, named, strict=True):
        if name:
            row.department = name
        elif len(spelled) == 1:
            row.department = next(iter(spelled.values()))
        elif spelled:
            row.problem(
                "department", "空欄です（このファイルの他の行の課が一つに決まらないため補えません）"
            )
        else:
            row.problem("department", "空欄です")


def _candidates(rows: list[_Row], fiscal_year: int) -> list[Candidate]:
    seen: dict[tuple[str, str], _Row] = {}
    candidates = []
    for row in rows:
        name = clean_text(row.cells.get("name"))
        if name and row.department:
            key = (match_key(row.department), match_key(name))
            first = seen.get(key)
            if first is not None:
                place = f"{first.file} {first.sheet} {first.row}行目"
                row.problem(
                    "name",
                    f"同じ業務（課と業務名が同じ）が {place} にもあります。"
                    "最初の回答だけを候補にしました",
                )
                continue
            seen[key] = row
        candidate = _candidate(row, name, fiscal_year)
        if candidate is not None:
            candidates.append(candidate)
    return candidates


def candidate_id(fiscal_year: int, department: str, name: str) -> str:
    """``s2027-1a2b3c4d``: stable for the same 課 and 業務名 (NFKC, spaces and case ignored)."""
    digest = hashlib.sha1(f"{match_key(department)}\n{match_key(name)}".encode()).hexdigest()
    return f"s{fiscal_year}-{digest[:8]}"


def _candidate(row: _Row, name: str, fiscal_year: int) -> Candidate | None:
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


def _notes(row: _Row, free: str, remarks: Iterator[str] | list[str]) -> str:
    remarks = [r for r in remarks if r]
    tail = f"［集計］{'。'.join(remarks)}。" if remarks else ""
    room = _NOTES_LENGTH - len(tail) - 1
    if len(free) > room:
        row.problem("notes", f"長すぎるため先頭{room}文字だけを備考にしました")
        free = free[:room]
    return " ".join(part for part in (free, tail) if part)
