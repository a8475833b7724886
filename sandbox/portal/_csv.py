"""The LoGo-style CSV export: Japanese headers, ISO dates, CRLF, UTF-8 with BOM or CP932.

Clerks open this file in Excel, and its text was typed by citizens: a cell that starts with
``=``, ``+``, ``-``, ``@``, a tab or a CR (or their full-width forms) gets a leading ``'``
(OWASP CSV injection guidance, :func:`core.cells.safe_cell`), so it never runs as a formula.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from typing import Final, Literal

from core.cells import safe_cell
from sandbox.portal._store import StoredApplication
from systems.business_system import Child

__all__ = [
    "CSV_COLUMNS",
    "ENCODINGS",
    "CsvEncoding",
    "UnencodableText",
    "csv_row",
    "export_csv",
]

CsvEncoding = Literal["utf-8-sig", "cp932"]
ENCODINGS: Final[dict[CsvEncoding, str]] = {
    "utf-8-sig": "UTF-8 (BOM付き)",
    "cp932": "Shift_JIS (CP932)",
}

_APPLICANT = (
    "受付番号",
    "受付日",
    "個人番号",
    "氏名",
    "フリガナ",
    "生年月日",
    "性別",
    "郵便番号",
    "住所",
    "電話番号",
    "配偶者",
)
_CHILD = ("氏名", "フリガナ", "生年月日", "性別", "続柄", "同居")
_ACCOUNT = (
    "金融機関コード",
    "金融機関名",
    "支店コード",
    "支店名",
    "預金種目",
    "口座番号",
    "口座名義",
)
MAX_CHILDREN = 3

CSV_COLUMNS: Final[tuple[str, ...]] = (
    *_APPLICANT,
    *(f"児童{n}_{field}" for n in range(1, MAX_CHILDREN + 1) for field in _CHILD),
    *_ACCOUNT,
    "状態",
    "受給者番号",
)


class UnencodableText(ValueError):
    """A value cannot be written in the chosen encoding (a character outside CP932).

    ``application_id`` and ``column`` say where; the value itself is never repeated.
    """

    def __init__(self, *, application_id: str, column: str, encoding: str) -> None:
        super().__init__(f"{application_id}: {column} cannot be encoded as {encoding}")
        self.application_id = application_id
        self.column = column
        self.encoding = encoding


def _child_cells(child: Child | None) -> list[str]:
    if child is None:
        return [""] * len(_CHILD)
    return [
        child.name,
        child.name_kana,
        child.birth_date.isoformat(),
        child.gender,
        child.relationship,
        "同居" if child.living_together else "別居",
    ]


def csv_row(stored: StoredApplication) -> list[str]:
    """The cells of one application, in the order of :data:`CSV_COLUMNS`."""
    item = stored.application
    person, account = item.applicant, item.account
    children: list[Child | None] = [*item.children]
    children += [None] * (MAX_CHILDREN - len(children))
    cells = [
        item.application_id,
        item.received_at.isoformat(),
        person.my_number,
        person.name,
        person.name_kana,
        person.birth_date.isoformat(),
        person.gender,
        person.postal_code,
        person.address,
        person.phone,
        "有" if person.has_spouse else "無",
        *(cell for child in children for cell in _child_cells(child)),
        account.bank_code,
        account.bank_name,
        account.branch_code,
        account.branch_name,
        account.account_type,
        account.account_number,
        account.account_holder_kana,
        stored.status,
        stored.recipient_no or "",
    ]
    for column, typed in stored.as_entered.items():
        cells[CSV_COLUMNS.index(column)] = typed
    return cells


def _check_encodable(rows: Sequence[Sequence[str]], encoding: CsvEncoding) -> None:
    for row in rows:
        for column, cell in zip(CSV_COLUMNS, row, strict=True):
            try:
                cell.encode(encoding)
            except UnicodeEncodeError:
                raise UnencodableText(
                    application_id=row[0], column=column, encoding=encoding
                ) from None


def export_csv(items: Iterable[StoredApplication], *, encoding: CsvEncoding) -> bytes:
    """The CSV file as bytes: a header line, one line per application, CRLF line ends.

    Text a spreadsheet would read as a formula is written with a leading ``'``. Raises
    :class:`UnencodableText` rather than replacing a character CP932 lacks.
    """
    rows = [[str(safe_cell(cell)) for cell in csv_row(item)] for item in items]
    if encoding == "cp932":
        _check_encodable(rows, encoding)
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    writer.writerows(rows)
    return buffer.getvalue().encode(encoding)
