"""The station in real Chromium: a reviewer corrects one of two uncertain fields and
confirms, spending at most one keystroke per uncertain field beyond the typed correction."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from core.ledger import Ledger
from review import Role, RunningReview, serve_review_in_background
from tests.conftest import CountingKeyboard
from tests.review.conftest import MY_NUMBER, PASSWORD, REVIEWER, document

pytestmark = pytest.mark.browser
DOC = "a1b2c3d4e5f60718"


@pytest.fixture
def station(tmp_path: Path) -> Iterator[RunningReview]:
    with serve_review_in_background(
        tmp_path, ledger_url=f"sqlite:///{tmp_path / 'ledger.sqlite3'}"
    ) as running:
        running.users.add_user(REVIEWER, PASSWORD, role=Role.REVIEWER)
        yield running


def test_correct_one_field_and_confirm_with_the_keyboard(
    station: RunningReview, page: Any, tmp_path: Path
) -> None:
    ledger = Ledger(f"sqlite:///{tmp_path / 'ledger.sqlite3'}")
    ledger.enqueue("paper-intake", DOC)
    station.store.submit(document())

    page.goto(f"{station.url}/")
    page.get_by_label("ユーザーID").fill(REVIEWER)
    page.get_by_label("パスワード").fill(PASSWORD)
    page.get_by_role("button", name="ログイン").click()
    expect(page.get_by_role("heading", name="確認待ち一覧")).to_be_visible()
    page.keyboard.press("Enter")  # the first document's link has the focus

    phone = page.get_by_label("電話番号")
    expect(page.get_by_label("個人番号")).to_be_focused()
    expect(page.get_by_label("個人番号")).to_have_value(MY_NUMBER)
    expect(page.get_by_text("電話番号は 03-1234-5678 の形です。")).to_be_visible()
    assert page.locator("#v-name_kana").count() == 0  # auto-accepted: read-only, no stop
    page.wait_for_timeout(1200)  # some review time to measure

    keys = CountingKeyboard(page)
    correction = "03-1234-5678"
    keys.press("Enter")  # 個人番号 is right: next field
    expect(phone).to_be_focused()
    keys.type(correction)  # replaces the selected reader's value
    expect(page.get_by_text("電話番号は 03-1234-5678 の形です。")).to_be_hidden()
    keys.press("Enter")  # last uncertain field: 確定
    expect(page.get_by_role("status")).to_contain_text("確定しました")

    uncertain = 2
    assert keys.count - len(correction) <= uncertain
    [done] = station.store.confirmed("paper-intake")
    assert done.values["phone"] == correction and done.values["my_number"] == MY_NUMBER
    assert done.reviewer == REVIEWER and 0.5 < done.review_seconds < 30
    item = ledger.get("paper-intake", DOC)
    assert item is not None and item.human_seconds == done.review_seconds
    assert [(a.field, a.after) for a in station.store.audit() if a.action == "corrected"] == [
        ("phone", correction)
    ]
