"""Flow e-application-sync in real Chromium against the real sandbox, in a real Prefect run."""

from __future__ import annotations

from pathlib import Path

import pytest
from openpyxl import load_workbook

from core.ledger import Ledger, Status
from sandbox import RunningSandbox
from sandbox.business import inspect_business
from sandbox.fake_people import FakePeople
from sandbox.portal import inspect_portal, seed_portal
from tests.conftest import latest_artifact

pytestmark = pytest.mark.browser

BAD_ROWS = {
    "R2026-000101": {"個人番号": "123456789019"},  # wrong check digit
    "R2026-000102": {"生年月日": "平成31年5月1日"},  # a date that never existed
    "R2026-000103": {"フリガナ": "やまだ　はなこ"},  # hiragana, not katakana
}


@pytest.mark.usefixtures("prefect_harness")
def test_batch_registers_good_rows_and_lists_bad_ones(
    sandbox: RunningSandbox, ledger_url: str
) -> None:
    people = FakePeople(seed=21)
    good = people.recent_applications(20)
    bad = people.recent_applications(3)
    bad = [
        app.model_copy(update={"application_id": key})
        for app, key in zip(bad, BAD_ROWS, strict=True)
    ]
    seed_portal(sandbox.paths.portal_db, good + bad, as_entered=BAD_ROWS)

    from flows.e_application_sync import e_application_sync

    summary = e_application_sync(
        workers=2, portal_url=sandbox.portal_url, business_url=sandbox.business_url
    )

    business = inspect_business(sandbox.paths.business_db)
    portal = inspect_portal(sandbox.paths.portal_db)
    assert business.records == 20 and not business.duplicates
    assert sorted(portal.write_backs) == sorted(app.application_id for app in good)
    assert portal.by_status["未処理"] == 3
    assert summary["registered_new"] == 20
    assert summary["business_failures"] == 3

    workbook = load_workbook(summary["human_list"])
    rows = list(workbook["要確認リスト"].iter_rows(values_only=True))
    assert rows[0][:4] == ("受付番号", "区分", "理由コード", "理由")
    reasons = {row[0]: row[3] for row in rows[1:]}
    assert set(reasons) == set(BAD_ROWS)
    assert "個人番号" in reasons["R2026-000101"]
    assert "生年月日" in reasons["R2026-000102"]
    assert "フリガナ" in reasons["R2026-000103"]
    assert all("123456789019" not in str(cell) for row in rows for cell in row)

    ledger = Ledger(ledger_url)
    assert ledger.counts("e-application-sync")[Status.DONE] == 20

    artifact = latest_artifact("e-application-sync-summary")
    assert artifact["type"] == "table"
    assert "新規登録 20 件" in str(artifact["description"])
    assert "R2026-000101" in str(artifact["data"])  # ids only …
    assert "123456789019" not in str(artifact["data"])  # … never a 個人番号

    # Run again: nothing is registered twice, nothing is lost.
    again = e_application_sync(portal_url=sandbox.portal_url, business_url=sandbox.business_url)
    assert again["registered_new"] == 0
    assert inspect_business(sandbox.paths.business_db).records == 20


def test_human_list_is_owner_only(tmp_path: Path) -> None:
    from flows._human_list import write_human_list

    ledger = Ledger(f"sqlite:///{tmp_path / 'l.sqlite3'}")
    path = tmp_path / "out" / "list.xlsx"
    assert write_human_list(ledger, "e-application-sync", path) == 0
    assert path.stat().st_mode & 0o077 == 0
