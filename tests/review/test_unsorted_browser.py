"""The 未仕分け tray in real Chromium: from the queue's link to the tray, one key assigns
the page to a form — it lands in that scenario's inbox — and the tray is empty."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from core.settings import get_settings
from review import Role, RunningReview, serve_review_in_background
from review._unsorted import UnsortedTray
from tests.conftest import CountingKeyboard
from tests.flows.test_paper_intake_sorting import make_scenarios
from tests.review.conftest import PASSWORD, REVIEWER
from tests.review.test_unsorted import REASON, page_png

pytestmark = pytest.mark.browser


@pytest.fixture
def station(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[RunningReview]:
    monkeypatch.setenv("JIMU_SCENARIOS_DIR", str(make_scenarios(tmp_path / "scenarios")))
    get_settings.cache_clear()
    with serve_review_in_background(
        tmp_path, ledger_url=f"sqlite:///{tmp_path / 'ledger.sqlite3'}"
    ) as running:
        running.users.add_user(REVIEWER, PASSWORD, role=Role.REVIEWER)
        yield running
    monkeypatch.undo()
    get_settings.cache_clear()


def test_one_key_assigns_an_unsorted_page_to_a_form(
    station: RunningReview, page: Any, tmp_path: Path
) -> None:
    tray = UnsortedTray(station.store)
    png = page_png("児童手当 認定請求書")
    page_id, _ = tray.add(png, scenario="paper-intake", reason=REASON)

    page.goto(f"{station.url}/")
    page.get_by_label("ユーザーID").fill(REVIEWER)
    page.get_by_label("パスワード").fill(PASSWORD)
    page.get_by_role("button", name="ログイン").click()
    page.get_by_role("link", name="未仕分け 1 件").click()
    expect(page.get_by_role("heading", name="未仕分け")).to_be_visible()
    expect(page.get_by_text("どの様式の印刷内容も見つかりません")).to_be_visible()
    image = page.get_by_role("img", name=f"未仕分けのページ {page_id}")
    expect(image).to_be_visible()
    # visible is not loaded: wait until the browser has finished with the image (loaded
    # or failed), then ask what it got — a page not served has width 0
    page.wait_for_function("img => img.complete", arg=image.element_handle())
    assert image.evaluate("img => img.naturalWidth") == 420  # the page itself, served
    paper_intake = page.get_by_role("button", name="児童手当", exact=False)
    expect(paper_intake).to_contain_text("2")  # kouza-furikae is 1: forms by id

    keys = CountingKeyboard(page)
    keys.press("2")
    expect(page.get_by_role("status")).to_contain_text("様式を指定して受付フォルダへ回しました")
    expect(page.get_by_text("未仕分けのページはありません")).to_be_visible()
    assert keys.count == 1

    landed = tmp_path / "inbox" / "paper-intake" / f"{page_id}.png"
    assert landed.read_bytes() == png
    assert not (tmp_path / "inbox" / "kouza-furikae").exists()
    assert tray.waiting() == []
    page.goto(f"{station.url}/")
    expect(page.get_by_role("link", name="未仕分け 0 件")).to_be_visible()
