"""Paper intake end to end: generated scans → AI-OCR → review station in real Chromium →
業務システム, with the reviewer's keystrokes and time measured."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from playwright.sync_api import expect, sync_playwright

from core.ledger import Ledger, Status
from core.text import nfkc
from flows._paper_intake import SCENARIO
from review import ReviewStore, Role, serve_review_in_background
from robots import launch_chromium
from sandbox import RunningSandbox
from sandbox.business import inspect_business
from tests.conftest import CountingKeyboard, latest_artifact
from tests.flows._paper import drop_scans

pytestmark = pytest.mark.browser

REVIEWER, PASSWORD = "kakunin1", "hoshi-no-kakera-7"
# Business-system columns for the form's fields, to check a corrected value arrived.
COLUMNS = {
    "phone": "phone", "postal_code": "postal_code", "address": "address", "name": "name",
    "name_kana": "name_kana", "my_number": "my_number", "account_number": "account_number",
    "account_holder_kana": "account_holder_kana", "bank_code": "bank_code",
}  # fmt: skip


def _compact(value: str) -> str:
    return nfkc(value).replace(" ", "").replace("-", "")


def _review_everything(
    url: str, store: ReviewStore, truths: dict[str, dict[str, str]]
) -> list[tuple[str, str]]:
    """Log in and confirm each waiting document with the keyboard only, typing the truth
    wherever the reader got it wrong. Returns the (document, field) pairs corrected."""
    corrected = []
    with sync_playwright() as playwright:
        browser = launch_chromium(playwright)
        page = browser.new_page(locale="ja-JP")
        page.goto(url)
        page.get_by_label("ユーザーID").fill(REVIEWER)
        page.get_by_label("パスワード").fill(PASSWORD)
        page.get_by_role("button", name="ログイン").click()
        expect(page.get_by_role("heading", name="確認待ち一覧")).to_be_visible()
        queue = store.queue(user=REVIEWER, admin=False)
        for entry in queue:  # every document that needs a person is in the queue page
            expect(page.get_by_role("link", name=entry.document_id, exact=False)).to_be_visible()
        for entry in queue:
            view = store.document(entry.document_id)
            uncertain = view.to_review()
            truth = truths[view.document_id]
            page.goto(f"{url}/documents/{view.document_id}")
            keys, typed = CountingKeyboard(page), 0
            for field in uncertain:
                wanted = truth.get(field.name, "")
                if field.value != wanted:
                    if wanted:
                        keys.type(wanted)  # replaces the selected reader's value
                        typed += len(wanted)
                    else:
                        keys.press("Backspace")  # a box read as ticked that is empty
                        typed += 1
                    corrected.append((view.document_id, field.name))
                keys.press("Enter")  # next uncertain field; on the last one, 確定
            expect(page.get_by_role("status")).to_contain_text("確定しました")
            assert keys.count - typed <= len(uncertain)
        browser.close()
    return corrected


@pytest.mark.usefixtures("prefect_harness")
def test_ten_forms_through_ocr_review_and_robot(
    sandbox: RunningSandbox, data_dir: Path, ledger_url: str, tmp_path: Path
) -> None:
    from flows.paper_intake import paper_intake

    inbox = tmp_path / "inbox"
    truths = drop_scans(inbox, n=10, seed=4)

    first = paper_intake(batch=str(inbox), business_url=sandbox.business_url, double_entry=False)
    store = ReviewStore()
    waiting = {entry.document_id for entry in store.queue(user=REVIEWER, admin=False)}
    assert first["waiting_for_review"] == len(waiting) > 0
    assert first["registered"] + len(waiting) == 10
    assert first["quarantined"] == 0
    assert not any(inbox.iterdir())  # every scan left the inbox

    with serve_review_in_background(data_dir, ledger_url=ledger_url) as station:
        station.users.add_user(REVIEWER, PASSWORD, role=Role.REVIEWER)
        corrected = _review_everything(station.url, station.store, truths)
        audit = [(a.document_id, a.field) for a in station.store.audit() if a.action == "corrected"]
    assert corrected, "the reader made no mistake for the reviewer to correct"
    assert set(corrected) <= set(audit)  # (the station also folds 全角 digits: more entries)

    second = paper_intake(business_url=sandbox.business_url)
    assert second["registered"] == len(waiting)

    business = inspect_business(sandbox.paths.business_db)
    assert business.records == 10 and not business.duplicates
    ledger = Ledger(ledger_url)
    for document_id in truths:
        item = ledger.get(SCENARIO, document_id)
        assert item is not None and item.status is Status.DONE
        assert (item.human_seconds > 0) == (document_id in waiting)
    with sqlite3.connect(f"file:{sandbox.paths.business_db}?mode=ro", uri=True) as db:
        for document_id, name in corrected:
            if name not in COLUMNS:
                continue
            recipient_no = ledger.get(SCENARIO, document_id).target_ref  # type: ignore[union-attr]
            (stored,) = db.execute(
                f"SELECT {COLUMNS[name]} FROM recipients WHERE recipient_no = ?", (recipient_no,)
            ).fetchone()
            assert _compact(stored) == _compact(truths[document_id][name])
    artifact = latest_artifact("paper-intake-summary")
    assert "登録済み" in str(artifact["description"])


@pytest.mark.usefixtures("prefect_harness")
def test_documents_waiting_for_review_survive_a_restart(
    sandbox: RunningSandbox, data_dir: Path, ledger_url: str, tmp_path: Path
) -> None:
    from flows.paper_intake import paper_intake

    inbox = tmp_path / "inbox"
    truths = drop_scans(inbox, n=3, seed=9)
    (inbox / "broken.pdf").write_bytes(b"")  # a scanner hiccup: the batch must go on
    first = paper_intake(batch=str(inbox), business_url=sandbox.business_url, double_entry=False)
    waiting = [entry.document_id for entry in ReviewStore().queue(user=REVIEWER, admin=False)]
    assert waiting
    assert first["quarantined"] == 1
    [reason] = (data_dir / SCENARIO / "quarantine").glob("*.reason.txt")
    assert "broken" not in reason.name  # kept under its document id, not its file name
    assert reason.read_text(encoding="utf-8").strip()

    # Everything stops; later a new process opens the same store and a reviewer confirms.
    store = ReviewStore()
    for document_id in waiting:
        view = store.document(document_id)
        values = {f.name: truths[document_id].get(f.name, "") for f in view.to_review()}
        store.confirm(
            document_id, user=REVIEWER, revision=view.revision, values=values, seconds=3.0
        )

    for _ in range(2):  # the next run registers them, and a further run adds nothing
        paper_intake(business_url=sandbox.business_url)
    business = inspect_business(sandbox.paths.business_db)
    assert business.records == 3 and not business.duplicates
    assert ReviewStore().confirmed(SCENARIO) == []
