"""One owner-only Excel table: a header row in the house colours, widths, a filterable table.

Every value goes through :func:`core.cells.append_safe_row`: text from outside (file names,
受付番号, reasons) is always a text cell, never a formula.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Sequence
from datetime import datetime
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.table import Table, TableStyleInfo

from core.cells import append_safe_row

__all__ = ["write_table_workbook"]

Cell = str | int | float | datetime | None


def write_table_workbook(
    path: Path,
    *,
    sheet: str,
    headers: Sequence[str],
    rows: Iterable[Sequence[Cell]],
    widths: Sequence[int] | None = None,
    table_name: str = "Items",
) -> int:
    """Write ``rows`` under ``headers`` to ``path`` (mode 600, atomically); returns the count.

    Long text wraps; datetimes show as ``yyyy/mm/dd hh:mm``. Text that a spreadsheet would
    read as a formula (``=…``, ``+…``, ``-…``, ``@…``) is written as text with a leading ``'``.
    """
    workbook = Workbook()
    worksheet = workbook.active
    assert worksheet is not None
    worksheet.title = sheet
    append_safe_row(worksheet, headers)
    count = 0
    for row in rows:
        append_safe_row(worksheet, row)
        count += 1
    for cell in worksheet[1]:
        cell.font = Font(bold=True, color="FFFFFF")
        cell.fill = PatternFill("solid", fgColor="34507A")
    for index, width in enumerate(widths or [18] * len(headers), start=1):
        worksheet.column_dimensions[get_column_letter(index)].width = width
    for row_cells in worksheet.iter_rows(min_row=2):
        for cell in row_cells:
            if isinstance(cell.value, datetime):
                cell.number_format = "yyyy/mm/dd hh:mm"
            elif isinstance(cell.value, str) and len(cell.value) > 30:
                cell.alignment = Alignment(wrap_text=True, vertical="top")
    if count:
        last = get_column_letter(len(headers))
        table = Table(displayName=table_name, ref=f"A1:{last}{count + 1}")
        table.tableStyleInfo = TableStyleInfo(name="TableStyleMedium2", showRowStripes=True)
        worksheet.add_table(table)
    worksheet.freeze_panes = "A2"
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    partial = path.with_suffix(".partial")
    workbook.save(partial)
    os.chmod(partial, 0o600)
    os.replace(partial, path)
    return count
