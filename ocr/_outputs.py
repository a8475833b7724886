"""Batch outputs for the people who check and key in: an Excel workbook and a CSV file.

The workbook has a summary sheet 一覧 (one row per document page: file, whether every field
was accepted, how many need review, then each field's value) and one sheet per field (value,
normalised value, confidence, accepted, reasons) so a department can sort a single field by
confidence. Files that could not be read get a row with the reason. The CSV holds the summary
rows, in UTF-8 with BOM (Excel opens it as is) or CP932 (older Windows systems); a character
CP932 cannot hold is an error, never silently replaced, because these are people's names.

File names and read values come from outside: every one is written as text, never as a
formula (:mod:`core.cells`: ``=…``, ``+…``, ``-…``, ``@…`` get a leading ``'``).
"""

from __future__ import annotations

import csv
import io
from collections import Counter
from collections.abc import Sequence
from pathlib import Path
from typing import Literal

from core.cells import CellValue, append_safe_row, safe_row
from core.errors import InvalidInput
from core.files import write_owner_only
from ocr._models import DocumentReading, FieldReading
from ocr._template import FormTemplate

__all__ = ["CsvEncoding", "column_labels", "write_csv", "write_workbook"]

CsvEncoding = Literal["utf-8-sig", "cp932"]
Failure = tuple[str, str]
"""A file that could not be read: its name and the reason (log-safe)."""

_SUMMARY = ("ファイル", "ページ", "自動確定", "要確認項目数", "要確認項目", "エラー")
_FIELD_SHEET = ("ファイル", "ページ", "値", "正規化値", "確信度", "自動確定", "理由")
_BAD_SHEET_CHARS = str.maketrans({c: "・" for c in "[]:*?/\\"})


def column_labels(template: FormTemplate) -> dict[str, str]:
    """A unique Japanese heading per field: its ``heading`` or printed label, a check box's
    with its group's label and its option; the field's name is added to one still shared."""
    group_label: dict[str, str] = {}
    for spec in template.fields:
        if spec.kind == "checkbox" and spec.group and (spec.heading or spec.label):
            group_label.setdefault(spec.group, spec.heading or spec.label)
    labels: dict[str, str] = {}
    for spec in template.fields:
        label = spec.heading or spec.label
        if spec.kind == "checkbox" and spec.group:
            label = f"{group_label.get(spec.group, label or spec.group)} {spec.option}"
        labels[spec.name] = label.strip() or spec.name
    counts = Counter(labels.values())
    return {name: label if counts[label] == 1 else f"{label}（{name}）"
            for name, label in labels.items()}


def _shown(reading: FieldReading) -> str:
    if reading.kind == "checkbox":
        return "○" if reading.value else ""  # ○ is in CP932, ✓ is not
    return reading.normalised if reading.normalised is not None else reading.value


def _summary_rows(readings: Sequence[DocumentReading], labels: dict[str, str],
                  failures: Sequence[Failure]) -> list[list[CellValue]]:
    rows: list[list[CellValue]] = []
    for document in readings:
        name = Path(document.source).name
        for page in document.pages:
            review = [labels.get(n, n) for n in page.needs_review]
            rows.append([name, page.page, "はい" if not review else "いいえ", len(review),
                         "、".join(review), "",
                         *(_shown(page.fields[n]) if n in page.fields else "" for n in labels)])
    for name, reason in failures:
        rows.append([name, "", "いいえ", "", "", reason, *([""] * len(labels))])
    return rows


def _sheet_title(label: str, used: set[str]) -> str:
    base = label.translate(_BAD_SHEET_CHARS)[:28] or "項目"
    title, number = base, 2
    while title in used or title == "一覧":
        title, number = f"{base[:26]}_{number}", number + 1
    used.add(title)
    return title


def write_workbook(readings: Sequence[DocumentReading], path: Path, template: FormTemplate,
                   *, failures: Sequence[Failure] = ()) -> Path:
    """Write the batch workbook (一覧 plus a sheet per field) to ``path``; returns ``path``."""
    from openpyxl import Workbook
    from openpyxl.styles import Font, PatternFill
    from openpyxl.utils import get_column_letter

    labels = column_labels(template)
    book = Workbook()
    summary = book.active
    assert summary is not None
    summary.title = "一覧"
    append_safe_row(summary, [*_SUMMARY, *labels.values()])
    for row in _summary_rows(readings, labels, failures):
        append_safe_row(summary, row)
    review_fill = PatternFill("solid", fgColor="FFF2CC")
    used: set[str] = set()
    for name, label in labels.items():
        sheet = book.create_sheet(_sheet_title(label, used))
        append_safe_row(sheet, _FIELD_SHEET)
        for document in readings:
            for page in document.pages:
                reading = page.fields.get(name)
                if reading is None:
                    continue
                append_safe_row(sheet, [Path(document.source).name, page.page, reading.value,
                                        reading.normalised or "", round(reading.confidence, 4),
                                        "はい" if reading.accepted else "いいえ",
                                        "、".join(reading.reasons)])
                if not reading.accepted:
                    for cell in sheet[sheet.max_row]:
                        cell.fill = review_fill
        sheet.freeze_panes = "A2"
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        for column, width in zip("ABCDEFG", (22, 6, 28, 28, 8, 8, 40), strict=True):
            sheet.column_dimensions[column].width = width
    summary.freeze_panes = "B2"
    for cell in summary[1]:
        cell.font = Font(bold=True)
    for index in range(1, summary.max_column + 1):
        summary.column_dimensions[get_column_letter(index)].width = 16 if index > 1 else 22
    buffer = io.BytesIO()
    book.save(buffer)
    return write_owner_only(path, buffer.getvalue())  # it holds what the forms say


def write_csv(readings: Sequence[DocumentReading], path: Path, template: FormTemplate, *,
              encoding: CsvEncoding = "utf-8-sig", failures: Sequence[Failure] = ()) -> Path:
    """Write the summary rows as CSV in ``encoding`` (UTF-8 with BOM or CP932).

    Raises :class:`InvalidInput` if a value cannot be written in CP932 (choose UTF-8 then).
    """
    labels = column_labels(template)
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(safe_row([*_SUMMARY, *labels.values()]))
    writer.writerows(safe_row(row) for row in _summary_rows(readings, labels, failures))
    try:
        data = buffer.getvalue().encode(encoding)
    except UnicodeEncodeError as exc:
        raise InvalidInput(
            f"{path.name}: a value has a character that {encoding} cannot hold "
            f"(U+{ord(exc.object[exc.start]):04X}); write the CSV as utf-8-sig instead"
        ) from exc
    return write_owner_only(path, data)
