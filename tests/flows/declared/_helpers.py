"""Source files for the declared-scenario tests: real xlsx (openpyxl) and CSV bytes."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from openpyxl import Workbook

from core.identifiers import my_number_check_digit
from flows.declared import ColumnSpec, SourceSpec


def my_number(first_eleven: str) -> str:
    """A real 個人番号: ``first_eleven`` and its check digit."""
    return first_eleven + str(my_number_check_digit(first_eleven))


def wrong_check_digit(first_eleven: str) -> str:
    """A 12-digit number whose check digit is wrong."""
    return first_eleven + str((my_number_check_digit(first_eleven) + 1) % 10)


def write_xlsx(
    path: Path, rows: Sequence[Sequence[Any]], *, sheet: str = "届出", others: Sequence[str] = ()
) -> Path:
    """A workbook whose sheet ``sheet`` holds ``rows`` (the first is the header); every
    string is a text cell."""
    workbook = Workbook()
    worksheet = workbook.active
    assert worksheet is not None
    worksheet.title = sheet
    for row in rows:
        worksheet.append(list(row))
        for cell in worksheet[worksheet.max_row]:
            if isinstance(cell.value, str):
                cell.data_type = "s"  # text, as a clerk types it (even "=…"), not a formula
    for name in others:
        workbook.create_sheet(name)
    workbook.save(path)
    return path


def write_csv(path: Path, lines: Sequence[str], *, encoding: str = "cp932") -> Path:
    """A CSV file of ``lines`` (CRLF, as Excel saves it) in ``encoding``."""
    path.write_bytes("".join(line + "\r\n" for line in lines).encode(encoding))
    return path


def spec(columns: Mapping[str, object], **options: Any) -> SourceSpec:
    """A source keyed by 受付番号 with ``columns`` (a string is a column type)."""
    described = {
        name: value if isinstance(value, ColumnSpec) else ColumnSpec.model_validate({"type": value})
        for name, value in columns.items()
    }
    return SourceSpec(
        path=options.pop("path", "data.xlsx"), key="受付番号", columns=described, **options
    )
