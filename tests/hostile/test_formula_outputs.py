"""Formula injection: hostile text in every workbook and CSV jimu writes opens as text.

Each writer gets the same values (a file name, a 受付番号, an OCR reading, an inventory name,
a citizen's typed answer). In no workbook is any cell a formula (the hours report's own
``=SUM`` 合計 rows excepted), and in no CSV does a cell start with a formula character.
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from openpyxl import load_workbook

from core.errors import InvalidInput
from core.inventory import load_inventory
from core.ledger import Ledger
from ocr import DocumentReading, FieldReading, FormTemplate, PageReading, load_template
from ocr import write_csv as write_readings_csv
from ocr import write_workbook as write_readings_workbook

HOSTILE = ["=1+1", "+cmd", "-2+3", "@SUM(A1)", "\t=1", "＝1+1"]
_TRIGGERS = tuple("=+-@\t\r＝＋－＠")
_OWN_TOTAL = re.compile(r"=SUM\([A-Z]+\d+:[A-Z]+\d+\)")


def _formulas(path: Path) -> list[str]:
    """Every formula in the workbook (``=…``): in the sheets' XML and as openpyxl reads them."""
    with zipfile.ZipFile(path) as archive:
        xml = "".join(
            archive.read(name).decode("utf-8")
            for name in archive.namelist()
            if name.startswith("xl/worksheets/") and name.endswith(".xml")
        )
    found = ["=" + text for text in re.findall(r"<f(?:\s[^>]*)?>(.*?)</f>", xml)]
    found += ["=?" for _ in re.findall(r"<f\s[^>]*/>", xml)]  # shared formulas
    for sheet in load_workbook(path).worksheets:
        found += [
            str(cell.value) for row in sheet.iter_rows() for cell in row if cell.data_type == "f"
        ]
    return found


def _hostile_text(path: Path) -> list[str]:
    """The cells of the workbook that hold one of the hostile values (quoted)."""
    return [
        str(cell.value)
        for sheet in load_workbook(path).worksheets
        for row in sheet.iter_rows()
        for cell in row
        if isinstance(cell.value, str) and any(value in cell.value for value in HOSTILE)
    ]


def _csv_cells(data: str) -> Iterator[str]:
    for row in csv.reader(io.StringIO(data)):
        yield from row


@pytest.fixture(scope="module")
def template() -> FormTemplate:
    return load_template("paper-intake")


def test_the_table_workbook_behind_the_batch_workbook_has_no_formula(tmp_path: Path) -> None:
    from flows._workbook import write_table_workbook

    path = tmp_path / "batch.xlsx"
    rows = [(value, "要確認（内容不備）", "", -1, value) for value in HOSTILE]
    write_table_workbook(path, sheet="バッチ結果", headers=("文書ID", "結果", "受給者番号",
                         "確認項目数", "理由"), rows=rows)  # fmt: skip
    assert _formulas(path) == []
    assert len(_hostile_text(path)) == 2 * len(HOSTILE)
    assert all(text.startswith("'") for text in _hostile_text(path))
    sheet = load_workbook(path).active
    assert sheet is not None and sheet.cell(2, 4).value == -1  # jimu's number stays a number


def test_the_human_list_has_no_formula(tmp_path: Path) -> None:
    from flows._human_list import UnkeyedItem, write_human_list

    ledger = Ledger(f"sqlite:///{tmp_path / 'ledger.sqlite3'}")
    for n, value in enumerate(HOSTILE):
        key = f"R2026-{n:06d}"
        ledger.enqueue("e-application-sync", key)
        ledger.claim("e-application-sync", key, worker="w")
        ledger.fail("e-application-sync", key, InvalidInput(value))
    for value in HOSTILE:  # a hostile key never reaches the ledger at all
        with pytest.raises(InvalidInput):
            ledger.enqueue("e-application-sync", value)
    now = datetime.now(UTC)
    unkeyed = [UnkeyedItem(value, "invalid-item-key", value, now) for value in HOSTILE]
    path = tmp_path / "要確認リスト.xlsx"
    assert write_human_list(ledger, "e-application-sync", path, unkeyed=unkeyed) == 12
    assert _formulas(path) == []
    assert _hostile_text(path) and all(text.startswith("'") for text in _hostile_text(path))


def test_readings_workbook_and_csv_have_no_formula(template: FormTemplate, tmp_path: Path) -> None:
    readings = []
    for n, value in enumerate(HOSTILE):
        fields = {
            spec.name: FieldReading(kind=spec.kind, value=value if spec.kind != "checkbox" else "",
                                    confidence=0.5, engine="ppocr", name=spec.name,
                                    accepted=False, reasons=(value,))
            for spec in template.fields
        }  # fmt: skip
        readings.append(DocumentReading(f"/scans/{value}{n}.pdf", template.name,
                                        (PageReading(1, 0, 0.9, fields),)))  # fmt: skip
    failures = [(f"{value}.pdf", value) for value in HOSTILE]

    book = write_readings_workbook(readings, tmp_path / "readings.xlsx", template,
                                   failures=failures)  # fmt: skip
    assert _formulas(book) == []
    assert all(text.startswith("'") for text in _hostile_text(book))

    table = write_readings_csv(readings, tmp_path / "readings.csv", template, failures=failures)
    cells = list(_csv_cells(table.read_text(encoding="utf-8-sig")))
    assert not [cell for cell in cells if cell.startswith(_TRIGGERS)]
    assert sum(cell.startswith("'") for cell in cells) >= len(HOSTILE) * 3


INVENTORY = """\
scenarios:
  - id: alpha-sync
    name: "=1+1"
    department: "+cmd"
    owner: "@SUM(A1)"
    status: 稼働中
    target_systems: ["-2+3"]
    data_classification: 個人番号を含む
    baseline: {minutes_per_item: 30, method: 計測, measured_on: 2026-01-10, measured_by: "=1"}
    forecast: {items_per_year: 24, hours_per_year: 12}
    started_on: 2026-04-01
candidates:
  - {id: delta-idea, name: "＝1+1", department: "-2+3", survey_year: 2026,
     items_per_year: 600, minutes_per_item: 10, feasibility: 中}
"""


def test_the_hours_report_has_only_its_own_totals_as_formulas(tmp_path: Path) -> None:
    from reports import Period, compute_hours
    from reports import write_workbook as write_report_workbook

    inventory_path = tmp_path / "inventory.yaml"
    inventory_path.write_text(INVENTORY, encoding="utf-8")
    inventory = load_inventory(inventory_path)
    ledger = Ledger(f"sqlite:///{tmp_path / 'ledger.sqlite3'}")
    finished = datetime(2026, 6, 1, 1, 0, tzinfo=UTC)
    ledger.insert_many(
        {"scenario": scenario, "item_key": key, "status": "done", "attempts": 1,
         "queued_at": finished - timedelta(minutes=5), "started_at": finished,
         "finished_at": finished, "robot_seconds": 60.0, "human_seconds": 0.0}
        for scenario, key in (("alpha-sync", "a1"), ("@SUM(A1)", "z1"))
    )  # fmt: skip

    report = compute_hours(ledger.engine, inventory, Period.fy(2026))
    path = write_report_workbook(report, tmp_path / "report.xlsx")

    formulas = _formulas(path)
    assert formulas, "the 合計 rows are the workbook's own formulas"
    assert not [f for f in formulas if not _OWN_TOTAL.fullmatch(f)], "a formula from outside"
    quoted = _hostile_text(path)
    assert "'=1+1" in quoted and "'+cmd" in quoted and "'＝1+1" in quoted
    assert all(text.startswith(("'", "注意")) for text in quoted)


def test_the_sandbox_portal_export_has_no_formula() -> None:
    from sandbox.fake_people import FakePeople
    from sandbox.portal._csv import CSV_COLUMNS, export_csv
    from sandbox.portal._store import StoredApplication

    applications = FakePeople(seed=4).recent_applications(len(HOSTILE))
    stored = [
        StoredApplication(
            application=app, status="未処理", recipient_no=None, return_reason=None,
            updated_at="2026-04-01T09:00:00+09:00",
            as_entered={"住所": value, "電話番号": value, "児童1_氏名": value},
        )
        for app, value in zip(applications, HOSTILE, strict=True)
    ]  # fmt: skip
    for encoding in ("utf-8-sig", "cp932"):
        data = export_csv(stored, encoding=encoding).decode(encoding)  # type: ignore[arg-type]
        rows = list(csv.reader(io.StringIO(data)))
        assert rows[0] == list(CSV_COLUMNS)
        cells = [cell for row in rows for cell in row]
        assert not [cell for cell in cells if cell.startswith(_TRIGGERS)]
        address = CSV_COLUMNS.index("住所")
        assert [row[address] for row in rows[1:]] == ["'" + value for value in HOSTILE]
