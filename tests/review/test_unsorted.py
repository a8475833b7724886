"""The 未仕分け tray over HTTP: a reviewer sees the page, its reason and the paper forms,
assigns it to one (the page lands in that scenario's inbox, owner-only, and leaves the tray)
or discards it (audited, the file gone); a page handled once is never put back."""

from __future__ import annotations

import io
import stat
from collections.abc import Callable, Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from PIL import Image, ImageDraw
from sqlalchemy import update

from core.settings import get_settings
from review import ReviewStore
from review._db import unsorted_table
from review._rows import now
from review._unsorted import UnsortedTray, paper_forms
from tests.flows.test_paper_intake_sorting import OTHER, make_scenarios
from tests.review.conftest import REVIEWER, csrf_of

REASON = "どの様式の印刷内容も見つかりません（no form's printed content on this page）"


def page_png(text: str = "転入届") -> bytes:
    """A small page with a title on it."""
    image = Image.new("L", (420, 594), 255)
    ImageDraw.Draw(image).rectangle((40, 40, 380, 120), outline=0, width=3)
    ImageDraw.Draw(image).text((60, 70), text, fill=0)
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


@pytest.fixture(autouse=True)
def scenarios(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """Two paper forms: paper-intake and kouza-furikae (a 口座振替依頼書)."""
    folder = make_scenarios(tmp_path / "scenarios")
    monkeypatch.setenv("JIMU_SCENARIOS_DIR", str(folder))
    get_settings.cache_clear()
    yield folder
    monkeypatch.undo()
    get_settings.cache_clear()


@pytest.fixture
def tray(store: ReviewStore) -> UnsortedTray:
    """The tray beside the fixtures' store (data folder: the test's tmp_path)."""
    return UnsortedTray(store)


def test_a_page_is_shown_with_its_reason_and_the_forms_to_choose(
    tray: UnsortedTray, client_as: Callable[[str], TestClient], tmp_path: Path
) -> None:
    png = page_png()
    page_id, new = tray.add(png, scenario="paper-intake", reason=REASON)
    assert new and page_id.startswith("scan-")
    assert stat.S_IMODE(tray.file(page_id).stat().st_mode) == 0o600
    assert stat.S_IMODE(tray.folder.stat().st_mode) == 0o700
    client = client_as(REVIEWER)

    queue = client.get("/")
    assert '<a href="/unsorted">未仕分け 1 件</a>' in queue.text
    html = client.get("/unsorted").text
    assert page_id in html and "どの様式の印刷内容も見つかりません" in html
    assert "<kbd>1</kbd> 口座振替依頼書（kouza-furikae）" in html
    assert "<kbd>2</kbd> " in html and "（paper-intake）" in html
    image = client.get(f"/unsorted/{page_id}/image")
    assert image.status_code == 200 and image.content == png
    assert image.headers["cache-control"] == "no-store"
    assert client.get("/unsorted/scan-0000000000000000/image").status_code == 404
    assert client.get("/unsorted/..%2Fetc/image").status_code in (404, 422)


def test_assigning_writes_the_page_into_the_forms_inbox_and_empties_the_tray(
    tray: UnsortedTray, store: ReviewStore, client_as: Callable[[str], TestClient], tmp_path: Path
) -> None:
    png = page_png()
    page_id, _ = tray.add(png, scenario="paper-intake", reason=REASON, candidates=(OTHER,))
    client = client_as(REVIEWER)
    token = csrf_of(client.get("/unsorted").text)

    refused = client.post(f"/unsorted/{page_id}/assign", data={"form": OTHER})
    assert refused.status_code == 403  # no CSRF token
    unknown = client.post(f"/unsorted/{page_id}/assign", data={"form": "nai", "csrf": token})
    assert unknown.status_code == 422
    done = client.post(f"/unsorted/{page_id}/assign", data={"form": OTHER, "csrf": token})
    assert done.status_code == 303 and done.headers["location"].startswith("/unsorted?done=")

    [inbox] = [f.inbox for f in paper_forms(tmp_path) if f.scenario == OTHER]
    assert inbox == tmp_path / "inbox" / OTHER
    written = inbox / f"{page_id}.png"
    assert written.read_bytes() == png and stat.S_IMODE(written.stat().st_mode) == 0o600
    assert [p.name for p in inbox.iterdir()] == [written.name]  # no temporary left
    assert tray.waiting() == [] and not tray.file(page_id).exists()
    after = client.get(f"/unsorted?done=assigned&page={page_id}").text
    assert "未仕分けのページはありません" in after and "受付フォルダへ回しました" in after
    [entry] = [a for a in store.audit() if a.document_id == page_id]
    assert (entry.user, entry.action, entry.after) == (REVIEWER, "unsorted-assigned", OTHER)

    again = client.post(f"/unsorted/{page_id}/assign", data={"form": OTHER, "csrf": token})
    assert again.status_code == 409  # handled already: nothing written twice
    assert tray.add(png, scenario="paper-intake", reason=REASON) == (page_id, False)
    assert tray.waiting() == []  # a rerun of the batch does not put it back


def test_discarding_keeps_an_audit_entry_and_removes_the_file(
    tray: UnsortedTray, store: ReviewStore, client_as: Callable[[str], TestClient], tmp_path: Path
) -> None:
    page_id, _ = tray.add(page_png(), scenario="paper-intake", reason=REASON)
    client = client_as(REVIEWER)
    token = csrf_of(client.get("/unsorted").text)
    done = client.post(f"/unsorted/{page_id}/discard", data={"csrf": token})
    assert done.status_code == 303
    assert not tray.file(page_id).exists() and tray.count() == 0
    assert tray.page(page_id).state == "discarded"
    assert [a.action for a in store.audit() if a.document_id == page_id] == ["unsorted-discarded"]
    assert not (tmp_path / "inbox").exists()  # discarded pages go nowhere


def test_a_visitor_without_a_session_is_sent_to_the_login(
    tray: UnsortedTray, app: object, tmp_path: Path
) -> None:
    page_id, _ = tray.add(page_png(), scenario="paper-intake", reason=REASON)
    with TestClient(app, follow_redirects=False) as anonymous:  # type: ignore[arg-type]
        assert anonymous.get("/unsorted").status_code == 303
        assert anonymous.get(f"/unsorted/{page_id}/image").status_code == 303
        assert anonymous.post(f"/unsorted/{page_id}/discard").status_code == 303
    assert tray.count() == 1


def test_handled_pages_are_purged_after_the_retention_waiting_ones_kept(
    tray: UnsortedTray, client_as: Callable[[str], TestClient]
) -> None:
    old, _ = tray.add(page_png("old"), scenario="paper-intake", reason=REASON)
    waiting, _ = tray.add(page_png("waiting"), scenario="paper-intake", reason=REASON)
    tray.discard(old, user=REVIEWER)
    with tray.engine.begin() as conn:
        long_ago = now() - timedelta(days=40)
        conn.execute(update(unsorted_table).values(handled_at=long_ago, added_at=long_ago))
    assert tray.purge_older_than(30) == 1
    assert [p.page_id for p in tray.waiting()] == [waiting]
