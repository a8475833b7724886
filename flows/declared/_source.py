"""The source of a declared scenario: rows of an Excel sheet or a CSV, read and checked.

A scenario's ``source:`` block (:class:`SourceSpec`) names the file, the header row, the
column that is each row's item key and the type of every column the steps use. Each row
comes back typed (dates as :class:`datetime.date`, integers as ``int``, the rest as
normalised text) or with an :class:`~core.errors.InvalidInput` that names the line and the
column, never the value: one bad cell stops its row, not the file.

A file that cannot be read as described (missing, not an xlsx, no such sheet, the wrong
encoding, a column missing from the header) is a :class:`~core.errors.ConfigError`.
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
import zipfile
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time
from pathlib import Path, PurePath, PureWindowsPath
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from core.errors import ConfigError, InvalidInput
from core.identifiers import is_valid_my_number
from core.kana import hiragana_to_katakana, is_fullwidth, is_katakana, to_fullwidth
from core.ledger import check_item_key
from core.logging import mask_text
from core.phone import normalize_phone
from core.postal import normalize_postal_code
from core.text import nfkc
from core.wareki import parse_wareki

__all__ = [
    "ColumnSpec",
    "ColumnType",
    "SourceRow",
    "SourceSpec",
    "SourceTable",
    "parse_date_text",
    "read_source",
]

ColumnType = Literal[
    "text",
    "digits",
    "integer",
    "my_number",
    "postal_code",
    "phone",
    "kana",
    "hankaku_kana",
    "zenkaku",
    "wareki_date",
    "date",
    "choice",
]
"""The types a source column may have (see :class:`ColumnSpec`)."""

_DATE_TYPES = frozenset({"wareki_date", "date"})
_NOT_TEXT = _DATE_TYPES | {"integer"}
# A key names the item in the ledger, logs and the human list: never a name, a date or a
# 個人番号, so only these types may carry it.
_KEY_TYPES = frozenset({"text", "digits", "integer"})


class ColumnSpec(BaseModel):
    """One column of the source, by its header text.

    ``type`` says how the cell is read and checked:

    * ``text`` — any text, trimmed (not NFKC: it is passed on as the clerk wrote it);
    * ``digits`` — ASCII digits only (full-width digits accepted), kept as text, so
      leading zeros stay;
    * ``integer`` — a whole number (``1,234`` accepted), an ``int``;
    * ``my_number`` — a 個人番号 with a valid check digit, 12 ASCII digits; a number cell
      gets its leading zeros back;
    * ``postal_code`` — ``NNN-NNNN``; a number cell gets its leading zeros back;
    * ``phone`` — the digits of a Japanese phone number (``0312345678``); a number cell
      (whose leading 0 Excel dropped) gets its 0 back;
    * ``kana`` — 全角カタカナ (half-width kana and ひらがな are converted; spaces allowed);
    * ``hankaku_kana`` — 半角カナ as typed (half-width ASCII too); 全角 is refused, not
      converted, because such a column is usually a bank account holder name;
    * ``zenkaku`` — 全角 (half-width ASCII and kana are converted first);
    * ``wareki_date`` / ``date`` — a :class:`datetime.date` from an Excel date cell, a 和暦
      text (``昭和60年4月1日``, ``S60.4.1``, ``令和元年5月1日``) or a 西暦 text
      (``2024-04-01``, ``2024/4/1``, ``2024年4月1日``, ``20240401``); both accept both;
    * ``choice`` — one of ``options`` (compared after NFKC), given as written in ``options``.

    ``required`` cells may not be empty. ``max_length`` (characters) and ``pattern`` (a
    regular expression the whole value must match) apply to text-valued types only.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    type: ColumnType
    required: bool = True
    options: list[str] | None = None
    max_length: int | None = Field(default=None, ge=1)
    pattern: str | None = None

    @field_validator("pattern")
    @classmethod
    def _pattern_compiles(cls, value: str | None) -> str | None:
        if value is not None:
            try:
                re.compile(value)
            except re.error as exc:
                raise ValueError(f"pattern is not a valid regular expression ({exc})") from None
        return value

    @model_validator(mode="after")
    def _fits_type(self) -> ColumnSpec:
        if self.type == "choice" and not self.options:
            raise ValueError("a choice column needs options (a list of the allowed values)")
        if self.type != "choice" and self.options is not None:
            raise ValueError(f"options apply to choice columns only, not {self.type}")
        if self.type in _NOT_TEXT and (self.max_length is not None or self.pattern is not None):
            raise ValueError(f"max_length and pattern do not apply to {self.type} columns")
        return self


class SourceSpec(BaseModel):
    """Where the rows come from and what their columns hold.

    ``path`` is relative to the scenario folder (a run may name another file); ``sheet``
    is the Excel sheet (default: the first); ``header_row`` the row (CSV: record) holding
    the headers, data starting below it; ``encoding`` applies to CSV only. ``key`` is the
    header of the column that identifies each row (a 受付番号): it becomes the ledger's
    item key, so it must be ASCII letters, digits and ``. _ : -``. It may be described in
    ``columns`` (as ``text``, ``digits`` or ``integer``) or not (then it is text).
    Columns of the file not described are ignored.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    path: str
    sheet: str | None = None
    header_row: int = Field(default=1, ge=1)
    encoding: Literal["cp932", "utf-8", "utf-8-sig"] = "cp932"
    key: str
    columns: dict[str, ColumnSpec]

    @field_validator("path")
    @classmethod
    def _relative(cls, value: str) -> str:
        absolute = PurePath(value).is_absolute() or PureWindowsPath(value).anchor
        if not value.strip() or absolute:
            raise ValueError("path must be a file name relative to the scenario folder")
        return value

    @model_validator(mode="after")
    def _key_fits(self) -> SourceSpec:
        described = self.columns.get(self.key)
        if described is not None and described.type not in _KEY_TYPES:
            raise ValueError(
                f"the key column {self.key} may be text, digits or integer, not "
                f"{described.type} (a key appears in logs and lists: never personal data)"
            )
        return self

    def key_column(self) -> ColumnSpec:
        """The key column's description (text, required, if ``columns`` has none)."""
        return self.columns.get(self.key) or ColumnSpec(type="text")

    def described(self) -> dict[str, ColumnSpec]:
        """Every column read: the key first if it is not in ``columns``, then ``columns``."""
        if self.key in self.columns:
            return dict(self.columns)
        return {self.key: self.key_column(), **self.columns}


@dataclass(frozen=True, repr=False)
class SourceRow:
    """One data row. ``line`` is its row in the sheet (or its first line in the CSV).

    ``key`` is the item key, or ``None`` if it was empty or refused. ``values`` holds each
    described column's typed value (``None`` for an empty optional cell) for the cells that
    passed their checks; ``raw`` holds every described cell as read, as text, so a clerk
    can find a bad one. ``error`` says what is wrong with the row (every bad cell, by
    column and line, never by value); a row with an error must not be registered, and a
    row whose key repeats an earlier row's is such a row. ``repr()`` shows no values.
    """

    line: int
    key: str | None
    values: dict[str, Any]
    error: InvalidInput | None = None
    raw: dict[str, str] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        """True if the row can be registered (it has a key and no error)."""
        return self.error is None and self.key is not None

    def __repr__(self) -> str:
        error = None if self.error is None else self.error.code
        return f"SourceRow(line={self.line}, key={self.key!r}, error={error!r})"


@dataclass(frozen=True, repr=False)
class SourceTable:
    """The rows of a source file, in file order; a row whose described cells are all empty
    is left out (other columns do not count).

    ``sheet`` is the sheet read (``None`` for a CSV); ``header`` the header row as found;
    ``columns`` the described columns in the order the header has them.
    """

    path: Path
    sheet: str | None
    header: list[str]
    columns: list[str]
    rows: list[SourceRow]

    @property
    def ready(self) -> list[SourceRow]:
        """The rows that can be registered."""
        return [row for row in self.rows if row.ok]

    @property
    def refused(self) -> list[SourceRow]:
        """The rows with an error (a person looks at them)."""
        return [row for row in self.rows if not row.ok]

    def __repr__(self) -> str:
        return (
            f"SourceTable(path={str(self.path)!r}, sheet={self.sheet!r}, "
            f"rows={len(self.rows)}, refused={len(self.refused)})"
        )


def read_source(spec: SourceSpec, path: Path) -> SourceTable:
    """Read the rows of ``path`` (``.xlsx`` or ``.csv``) as ``spec`` describes them.

    Raises :class:`~core.errors.ConfigError` if the file is missing or unreadable, is not
    an xlsx, has no sheet ``spec.sheet`` (the message lists the sheets), is not in
    ``spec.encoding`` (the message names the line), or its header lacks a described column
    or the key (the message lists the header found). Bad cells do not raise: their row
    gets an ``error``.
    """
    if not path.is_file():
        raise ConfigError(f"{path}: 元データのファイルが見つかりません")
    suffix = path.suffix.lower()
    records: Iterable[tuple[int, Sequence[Any]]]
    sheet: str | None
    if suffix == ".xlsx":
        sheet, records = _read_xlsx(path, spec.sheet)
    elif suffix == ".csv":
        sheet, records = None, _read_csv(path, spec.encoding)
    else:
        raise ConfigError(
            f"{path}: 元データは .xlsx か .csv で保存してください（拡張子 {suffix or 'なし'}）"
        )
    where = f"{path}" + (f"（シート {sheet}）" if sheet is not None else "")
    header: list[str] | None = None
    positions: dict[str, int] = {}
    rows: list[SourceRow] = []
    seen: dict[str, int] = {}
    described = spec.described()
    for number, (line, cells) in enumerate(records, start=1):
        if number < spec.header_row:
            continue
        if header is None:
            header = [_header_text(cell) for cell in cells]
            positions = _positions(where, spec, header, line)
            continue
        row = _read_row(spec, described, positions, line, cells, seen)
        if row is not None:
            rows.append(row)
    if header is None:
        raise ConfigError(f"{where}: 見出し行（{spec.header_row}行目）がありません")
    columns = sorted(positions, key=positions.__getitem__)
    return SourceTable(path=path, sheet=sheet, header=header, columns=columns, rows=rows)


# --- reading the file ---------------------------------------------------------------------


def _read_xlsx(path: Path, wanted: str | None) -> tuple[str, list[tuple[int, Sequence[Any]]]]:
    from openpyxl import load_workbook
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        workbook = load_workbook(path, read_only=True, data_only=True)
    except (InvalidFileException, zipfile.BadZipFile, KeyError, ValueError, OSError) as exc:
        raise ConfigError(
            f"{path}: Excel ブック（.xlsx）として読めません（{type(exc).__name__}）"
        ) from None
    try:
        names = list(workbook.sheetnames)
        if wanted is None:
            if not names:
                raise ConfigError(f"{path}: シートがありません")
            wanted = names[0]
        elif wanted not in names:
            raise ConfigError(
                f"{path}: シート {wanted} がありません（あるシート: {'、'.join(names)}）"
            )
        worksheet = workbook[wanted]
        # Files written by other tools often declare a wrong sheet size (openpyxl's advice
        # for read-only mode): read every row there is instead.
        reset = getattr(worksheet, "reset_dimensions", None)
        if reset is not None:
            reset()
        name: str = wanted
        records: list[tuple[int, Sequence[Any]]] = [
            (line, tuple(cells))
            for line, cells in enumerate(worksheet.iter_rows(values_only=True), start=1)
        ]
    finally:
        workbook.close()
    return name, records


def _read_csv(path: Path, encoding: str) -> Iterator[tuple[int, Sequence[Any]]]:
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise ConfigError(
            f"{path}: 元データを読めません（{exc.strerror or type(exc).__name__}）"
        ) from None
    text = _decode(path, raw, encoding)
    reader = csv.reader(io.StringIO(text, newline=""))
    start = 1
    try:
        for cells in reader:
            yield start, cells
            start = reader.line_num + 1
    except csv.Error as exc:
        raise ConfigError(f"{path}: {start}行目を CSV として読めません（{exc}）") from None


def _line_at(raw: bytes, offset: int) -> int:
    return raw.count(b"\n", 0, offset) + 1


def _first_non_ascii(raw: bytes) -> int:
    return next(index for index, byte in enumerate(raw) if byte >= 0x80)


def _decode(path: Path, raw: bytes, encoding: str) -> str:
    # UTF-8 text often decodes as CP932 without an error, as mojibake: valid UTF-8 with
    # non-ASCII bytes is, in practice, never Shift_JIS, so refuse it where it starts.
    if encoding == "cp932" and _looks_utf8(raw):
        line = _line_at(raw, _first_non_ascii(raw))
        raise ConfigError(
            f"{path}: {line}行目が cp932（Shift_JIS）として読めません"
            "（UTF-8 で保存されているようです）。cp932 で保存し直すか、"
            "シナリオの encoding を utf-8 にしてください"
        )
    try:
        text = raw.decode(encoding)
    except UnicodeDecodeError as exc:
        line = _line_at(raw, exc.start)
        hint = ""
        if encoding != "cp932" and _decodes(raw, "cp932"):
            hint = "（cp932（Shift_JIS）で保存されているようです）"
        raise ConfigError(
            f"{path}: {line}行目が {encoding} として読めません{hint}。"
            f"{encoding} で保存し直すか、シナリオの encoding を直してください"
        ) from None
    return text.removeprefix("\ufeff")


def _looks_utf8(raw: bytes) -> bool:
    return raw.startswith(b"\xef\xbb\xbf") or (not raw.isascii() and _decodes(raw, "utf-8"))


def _decodes(raw: bytes, encoding: str) -> bool:
    try:
        raw.decode(encoding)
    except UnicodeDecodeError:
        return False
    return True


def _header_text(cell: Any) -> str:
    return "" if cell is None else nfkc(str(cell)).strip()


def _positions(where: str, spec: SourceSpec, header: list[str], line: int) -> dict[str, int]:
    found: dict[str, int] = {}
    for name in spec.described():
        matches = [index for index, text in enumerate(header) if text == nfkc(name).strip()]
        if len(matches) > 1:
            raise ConfigError(f"{where}: {line}行目の見出しに列 {name} が{len(matches)}つあります")
        if matches:
            found[name] = matches[0]
    missing = [name for name in spec.described() if name not in found]
    if missing:
        shown = "、".join(text for text in header if text) or "（空）"
        raise ConfigError(
            f"{where}: {line}行目の見出しに列 {'、'.join(missing)} がありません（見出し: {shown}）"
        )
    return found


# --- one row ------------------------------------------------------------------------------


def _is_empty(cell: Any) -> bool:
    return cell is None or (isinstance(cell, str) and not cell.strip())


def _read_row(
    spec: SourceSpec,
    described: dict[str, ColumnSpec],
    positions: dict[str, int],
    line: int,
    cells: Sequence[Any],
    seen: dict[str, int],
) -> SourceRow | None:
    picked = {
        name: cells[index] if index < len(cells) else None for name, index in positions.items()
    }
    if all(_is_empty(cell) for cell in picked.values()):
        return None
    values: dict[str, Any] = {}
    problems: list[tuple[str, str]] = []
    for name, column in described.items():
        cell = picked[name]
        try:
            values[name] = _read_cell(cell, column, name=name)
        except InvalidInput as exc:
            problems.append((name, exc.message))
    key: str | None = None
    if spec.key in values:
        try:
            # A key is ASCII: a 受付番号 typed in 全角 is the same 受付番号.
            key = _check_key(nfkc(str(values[spec.key])).strip(), spec.key)
            values[spec.key] = key if isinstance(values[spec.key], str) else values[spec.key]
        except InvalidInput as exc:
            problems.append((spec.key, exc.message))
    if key is not None:
        first = seen.setdefault(key, line)
        if first != line:
            problems.append((spec.key, f"{spec.key}が{first}行目と同じです（同じ行が2回あります）"))
    error = None
    if problems:
        text = "／".join(message for _, message in problems)
        code = "invalid-item-key" if key is None else None
        error = InvalidInput(f"{line}行目: {text}", field=problems[0][0], code=code)
    raw = {name: _raw_text(cell) for name, cell in picked.items()}
    return SourceRow(line=line, key=key, values=values, error=error, raw=raw)


def _check_key(text: str, column: str) -> str:
    # As flows._e_application.check_application_id: a key that is no valid ledger key, or
    # that carries a 個人番号-like number, never reaches the ledger, logs or Prefect.
    check_item_key(text, what=column)
    if mask_text(text) != text:
        raise InvalidInput(
            f"{column}に個人番号と同じ形の12桁の数字が含まれています",
            field=column,
            code="invalid-item-key",
        )
    return text


def _raw_text(cell: Any) -> str:
    if cell is None:
        return ""
    if isinstance(cell, datetime):
        return cell.date().isoformat() if cell.time() == time() else cell.isoformat(sep=" ")
    if isinstance(cell, bool):
        return "TRUE" if cell else "FALSE"
    if isinstance(cell, float) and cell.is_integer():
        return str(int(cell))
    return str(cell)


# --- one cell -----------------------------------------------------------------------------


def _read_cell(cell: Any, column: ColumnSpec, *, name: str) -> Any:
    """The typed value of one cell as ``column`` describes it (``None`` if empty and
    optional). Raises :class:`InvalidInput` naming ``name``, never the value."""
    if _is_empty(cell):
        if column.required:
            raise InvalidInput(f"{name}が空欄です", field=name)
        return None
    value = _READERS[column.type](cell, column, name)
    if isinstance(value, str):
        if column.max_length is not None and len(value) > column.max_length:
            raise InvalidInput(
                f"{name}は{column.max_length}文字以内で入力してください（{len(value)}文字）",
                field=name,
            )
        if column.pattern is not None and re.fullmatch(column.pattern, value) is None:
            raise InvalidInput(
                f"{name}が決められた形式（{column.pattern}）ではありません", field=name
            )
    return value


def _number_text(cell: Any, width: int) -> str | None:
    """The digits of a number cell padded to ``width`` (Excel drops leading zeros)."""
    if isinstance(cell, bool) or not isinstance(cell, int | float):
        return None
    if isinstance(cell, float):
        if not cell.is_integer():
            return str(cell)
        cell = int(cell)
    return str(cell).zfill(width) if cell >= 0 else str(cell)


def _text(cell: Any) -> str:
    return _raw_text(cell).strip()


def _read_text(cell: Any, column: ColumnSpec, name: str) -> str:
    return unicodedata.normalize("NFC", _text(cell))


def _read_digits(cell: Any, column: ColumnSpec, name: str) -> str:
    text = nfkc(_text(cell)).strip()
    if not (text.isascii() and text.isdigit()):
        raise InvalidInput(f"{name}は数字だけで入力してください", field=name)
    return text


def _read_integer(cell: Any, column: ColumnSpec, name: str) -> int:
    if isinstance(cell, int) and not isinstance(cell, bool):
        return cell
    if isinstance(cell, float) and cell.is_integer():
        return int(cell)
    text = nfkc(_text(cell)).strip().replace(",", "")
    if re.fullmatch(r"[-+]?[0-9]+", text) is None:
        raise InvalidInput(f"{name}は整数で入力してください", field=name)
    return int(text)


def _read_my_number(cell: Any, column: ColumnSpec, name: str) -> str:
    text = _number_text(cell, 12) or nfkc(_text(cell))
    digits = re.sub(r"[\s\-‐－ー]", "", text)
    if len(digits) != 12 or not digits.isascii() or not digits.isdigit():
        raise InvalidInput(f"{name}は12桁の数字で入力してください", field=name)
    if not is_valid_my_number(digits):
        raise InvalidInput(f"{name}のチェックデジットが正しくありません", field=name)
    return digits


def _read_postal_code(cell: Any, column: ColumnSpec, name: str) -> str:
    try:
        return normalize_postal_code(_number_text(cell, 7) or _text(cell))
    except InvalidInput:
        raise InvalidInput(
            f"{name}は7桁の数字（例: 100-0001）で入力してください", field=name
        ) from None


def _read_phone(cell: Any, column: ColumnSpec, name: str) -> str:
    number = _number_text(cell, 0)
    # A phone number typed into a number cell lost its leading 0; every domestic number
    # has one.
    text = "0" + number if number is not None and number.isdigit() else _text(cell)
    try:
        return normalize_phone(text)
    except InvalidInput as exc:
        raise InvalidInput(
            f"{name}の電話番号が正しくありません（{exc.message}）", field=name
        ) from None


def _read_kana(cell: Any, column: ColumnSpec, name: str) -> str:
    text = hiragana_to_katakana(to_fullwidth(nfkc(_text(cell)).strip()))
    if not is_katakana(text, allow_space=True):
        raise InvalidInput(f"{name}はカタカナで入力してください", field=name)
    return text


# 半角カナ (U+FF61–U+FF9F) and printable ASCII, which bank holder names use (A–Z, 0–9, ().-/).
_HANKAKU = re.compile(r"[\uff61-\uff9f\x20-\x7e]+")


def _read_hankaku_kana(cell: Any, column: ColumnSpec, name: str) -> str:
    text = _text(cell)
    if _HANKAKU.fullmatch(text) is None:
        raise InvalidInput(f"{name}は半角カナで入力してください", field=name)
    return text


def _read_zenkaku(cell: Any, column: ColumnSpec, name: str) -> str:
    text = to_fullwidth(unicodedata.normalize("NFC", _text(cell)))
    if not is_fullwidth(text):
        raise InvalidInput(f"{name}は全角で入力してください", field=name)
    return text


_SEIREKI = re.compile(
    r"(?P<year>[0-9]{4})"
    r"(?:(?P<sep>[-/.])(?P<month>[0-9]{1,2})(?P=sep)(?P<day>[0-9]{1,2})"
    r"|年(?P<month2>[0-9]{1,2})月(?P<day2>[0-9]{1,2})日"
    r"|(?P<month3>[0-9]{2})(?P<day3>[0-9]{2}))"
)
# A date exported with its time (2024-04-01 00:00:00): the time is dropped.
_WITH_TIME = re.compile(r"(?P<date>.+?)(?:[ T]+[0-9]{1,2}:[0-9]{2}(?::[0-9]{2}(?:\.[0-9]+)?)?)?")
_DATE_HELP = "和暦（例: 令和2年10月3日、R2.10.3）か西暦（例: 2024-04-01）で入力してください"


def parse_date_text(text: str, *, field: str = "date") -> date:
    """A date written in 和暦 (``昭和60年4月1日``, ``S60.4.1``, ``R5/4/1``) or 西暦
    (``2024-04-01``, ``2024/4/1``, ``2024年4月1日``, ``20240401``); full-width accepted.

    Raises :class:`InvalidInput` (with ``field``) if the text is neither, or the date does
    not exist (``2024/2/30``, ``平成31年5月1日``); the message never repeats the text.
    """
    normal = nfkc(text).strip()
    timed = _WITH_TIME.fullmatch(normal)
    compact = re.sub(r"\s+", "", timed["date"] if timed else normal)
    if compact[:1].isdigit():
        match = _SEIREKI.fullmatch(compact)
        if match is None:
            raise InvalidInput(f"日付として読み取れません（{_DATE_HELP}）", field=field)
        month = match["month"] or match["month2"] or match["month3"]
        day = match["day"] or match["day2"] or match["day3"]
        try:
            return date(int(match["year"]), int(month), int(day))
        except ValueError:
            raise InvalidInput("存在しない日付です", field=field) from None
    try:
        return parse_wareki(compact, field=field)
    except InvalidInput as exc:
        if exc.message.startswith("和暦の日付として読み取れません"):
            raise InvalidInput(f"日付として読み取れません（{_DATE_HELP}）", field=field) from None
        raise


def _read_date(cell: Any, column: ColumnSpec, name: str) -> date:
    if isinstance(cell, datetime):
        return cell.date()
    if isinstance(cell, date):
        return cell
    try:
        return parse_date_text(_text(cell), field=name)
    except InvalidInput as exc:
        raise InvalidInput(f"{name}の日付が正しくありません（{exc.message}）", field=name) from None


def _read_choice(cell: Any, column: ColumnSpec, name: str) -> str:
    text = nfkc(_text(cell)).strip()
    options = column.options or []
    for option in options:
        if nfkc(option).strip() == text:
            return option
    raise InvalidInput(f"{name}は次のいずれかで入力してください: {'・'.join(options)}", field=name)


_READERS = {
    "text": _read_text,
    "digits": _read_digits,
    "integer": _read_integer,
    "my_number": _read_my_number,
    "postal_code": _read_postal_code,
    "phone": _read_phone,
    "kana": _read_kana,
    "hankaku_kana": _read_hankaku_kana,
    "zenkaku": _read_zenkaku,
    "wareki_date": _read_date,
    "date": _read_date,
    "choice": _read_choice,
}
