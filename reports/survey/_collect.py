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

import logging
import re
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

from openpyxl import load_workbook

from core.inventory import Candidate
from reports.survey._form import COLUMNS, EXAMPLE_SHEET, EXAMPLES, FORM_PROPERTY
from reports.survey._row import (
    LABELS,
    MAX_TEXT,
    Row,
    SurveyProblem,
    candidate_id,
    make_candidate,
    periods_per_year,
)
from reports.survey._values import clean_text, match_key

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
MAX_FILE_BYTES: Final = 50 * 2**20
MAX_UNZIPPED_BYTES: Final = 400 * 2**20
MAX_COLUMNS: Final = 200
HEADER_SEARCH_ROWS: Final = 50
_READ: Final = (".xlsx", ".xlsm")
_NOT_READ: Final = (".xls", ".xlsb", ".ods", ".csv")
_TOTALS: Final = frozenset({"合計", "計", "総計", "小計", "合計件数", "total"})
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


def collect_answers(folder: str | Path, *, fiscal_year: int) -> Collected:
    """Read every returned workbook in ``folder`` for the survey of ``fiscal_year``.

    Returns the candidates (``survey_year`` = ``fiscal_year``, ``feasibility`` empty) and
    the problems; a file that cannot be read is one problem and the others are still read.
    Raises FileNotFoundError only if ``folder`` is not a folder; nothing in a file raises.
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
    rows: list[Row] = []
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


def _read_file(path: Path, fiscal_year: int) -> tuple[list[Row], list[SurveyProblem]]:
    def problem(message: str) -> tuple[list[Row], list[SurveyProblem]]:
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
    rows: list[Row] = []
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


def _read_sheet(file: str, sheet: Any) -> tuple[list[Row], list[SurveyProblem], bool]:
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
    found: list[Row] = []
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
        row = Row(file, sheet.title, number, cells, source="", labels=labels)
        for key in missing:
            row.problem(key, f"「{LABELS[key]}」の列が見つかりません（見出しを確認してください）")
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


def _fill_departments(rows: list[Row]) -> None:
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


def _candidates(rows: list[Row], fiscal_year: int) -> list[Candidate]:
    seen: dict[tuple[str, str], Row] = {}
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
        candidate = make_candidate(row, name, fiscal_year)
        if candidate is not None:
            candidates.append(candidate)
    return candidates
