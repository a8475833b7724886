"""The station's pages over HTTP: queue, review, ベリファイ, 判読不能, audit, ledger time."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

from fastapi.testclient import TestClient

from core.ledger import Ledger, Status
from review import DocumentState, ReviewStore, UserStore, create_review_app
from tests.review.conftest import (
    ADMIN,
    MY_NUMBER,
    REVIEWER,
    SECOND,
    csrf_of,
    document,
    log_in,
)

DOC = "a1b2c3d4e5f60718"
ClientAs = Callable[[str], TestClient]


def _post(
    client: TestClient, path: str, data: dict[str, str], *, revision: str = ""
) -> tuple[int, str]:
    """POST as the page would, with the page's CSRF token and revision (or ``revision``)."""
    page = client.get(f"/documents/{DOC}").text
    shown = re.search(r'name="revision" value="(\d+)"', page)
    form = {"csrf": csrf_of(page), "revision": shown.group(1) if shown else revision, **data}
    response = client.post(path, data=form)
    return response.status_code, response.headers.get("location", response.text)


def test_queue_lists_waiting_documents_with_counts(store: ReviewStore, client_as: ClientAs) -> None:
    store.submit(document())
    store.submit(document("ffff000000000001"))
    page = client_as(REVIEWER).get("/")
    assert page.status_code == 200
    assert "確認待ち <strong>2</strong> 件" in page.text
    assert f'href="/documents/{DOC}"' in page.text
    assert page.text.count("<td>要確認 2項目</td>") == 2  # my_number and phone, per document


def test_document_page_shows_only_uncertain_fields_as_inputs(
    store: ReviewStore, client_as: ClientAs
) -> None:
    store.submit(document())
    page = client_as(REVIEWER).get(f"/documents/{DOC}").text
    inputs = re.findall(r'<input class="value" id="v-(\w+)"[^>]* value="([^"]*)"', page)
    assert inputs == [("my_number", MY_NUMBER), ("phone", "63-1234-5678")]
    assert 'id="v-name_kana"' not in page and "ヤマダ タロウ" in page
    crop_ids = re.findall(r'src="/crops/([\w-]+)"', page)
    assert len(crop_ids) == 3
    assert 'data-pattern="[0-9]{12}"' in page and "62%" in page


def test_a_correction_is_confirmed_audited_and_timed_in_the_ledger(
    store: ReviewStore, client_as: ClientAs, ledger: Ledger
) -> None:
    ledger.enqueue("paper-intake", DOC)
    store.submit(document())
    client = client_as(REVIEWER)
    status, location = _post(
        client,
        f"/documents/{DOC}/confirm",
        {"v.my_number": MY_NUMBER, "v.phone": "03-1234-5678", "active_seconds": "17.5"},
    )
    assert (status, location) == (303, f"/?done=confirmed&doc={DOC}")
    assert "確定しました" in client.get(location).text
    [done] = store.confirmed("paper-intake")
    assert done.values["phone"] == "03-1234-5678" and done.review_seconds == 17.5
    item = ledger.get("paper-intake", DOC)
    assert item is not None and (item.human_seconds, item.reviewer) == (17.5, REVIEWER)
    audit = client_as(ADMIN).get("/admin/audit").text
    assert "63-1234-5678" in audit and "03-1234-5678" in audit and "修正" in audit


def test_an_invalid_value_is_shown_again_with_its_hint(
    store: ReviewStore, client_as: ClientAs
) -> None:
    store.submit(document())
    client = client_as(REVIEWER)
    status, page = _post(
        client,
        f"/documents/{DOC}/confirm",
        {"v.my_number": "1234", "v.phone": "03-1234-5678", "active_seconds": "4"},
    )
    assert status == 422
    assert "個人番号は12桁の数字です。" in page and 'value="1234"' in page
    assert 'data-carried="4.0"' in page  # the time spent so far is not lost
    assert store.document(DOC).state is DocumentState.WAITING


def test_verify_is_blind_and_a_mismatch_goes_to_the_admin(
    store: ReviewStore, client_as: ClientAs, ledger: Ledger
) -> None:
    ledger.enqueue("paper-intake", DOC)
    store.submit(document(critical=True))
    first = client_as(REVIEWER)
    _status, location = _post(
        first,
        f"/documents/{DOC}/confirm",
        {"v.my_number": "123456789018", "v.phone": "03-1234-5678", "active_seconds": "10"},
    )
    assert location == f"/?done=verifying&doc={DOC}"
    queue = first.get("/").text
    assert f'href="/documents/{DOC}"' not in queue  # not offered to verify their own entry
    refused = first.post(
        f"/documents/{DOC}/verify",
        data={"csrf": csrf_of(queue), "revision": "1", "v.my_number": MY_NUMBER},
    )
    assert refused.status_code == 403

    second = client_as(SECOND)
    blind = second.get(f"/documents/{DOC}").text
    assert 'name="v.my_number" value=""' in blind
    assert MY_NUMBER not in blind  # neither the OCR value nor the first entry
    assert 'name="v.phone"' not in blind
    _status, location = _post(
        second, f"/documents/{DOC}/verify", {"v.my_number": "123456789010", "active_seconds": "6"}
    )
    assert location == f"/?done=conflict&doc={DOC}"
    resolve = _post(second, f"/documents/{DOC}/resolve", {"v.my_number": MY_NUMBER}, revision="2")
    assert resolve[0] == 403

    admin = client_as(ADMIN)
    page = admin.get(f"/documents/{DOC}").text
    assert "123456789010" in page and MY_NUMBER in page
    _status, location = _post(
        admin, f"/documents/{DOC}/resolve", {"v.my_number": MY_NUMBER, "active_seconds": "3"}
    )
    assert location == f"/?done=confirmed&doc={DOC}"
    [done] = store.confirmed("paper-intake")
    assert done.values["my_number"] == MY_NUMBER and done.review_seconds == 19.0
    item = ledger.get("paper-intake", DOC)
    assert item is not None and item.human_seconds == 19.0
    audit = admin.get(f"/admin/audit?document={DOC}").text
    assert "ベリファイ不一致" in audit and "管理者判断" in audit


def test_unreadable_document_is_returned_with_a_reason(
    store: ReviewStore, client_as: ClientAs, ledger: Ledger
) -> None:
    ledger.enqueue("paper-intake", DOC)
    store.submit(document())
    _status, location = _post(
        client_as(REVIEWER),
        f"/documents/{DOC}/return",
        {"reason": "用紙が破れていて読めない", "active_seconds": "9"},
    )
    assert location == f"/?done=returned&doc={DOC}"
    assert store.returned("paper-intake")[0].reason == "用紙が破れていて読めない"
    item = ledger.get("paper-intake", DOC)
    assert item is not None
    assert (item.status, item.reason, item.human_seconds) == (
        Status.RETURNED,
        "用紙が破れていて読めない",
        9.0,
    )


def test_two_reviewers_on_one_document_the_second_is_told(
    store: ReviewStore, client_as: ClientAs
) -> None:
    store.submit(document())
    first, second = client_as(REVIEWER), client_as(SECOND)
    page = second.get(f"/documents/{DOC}").text
    _post(first, f"/documents/{DOC}/confirm", {"v.my_number": MY_NUMBER, "v.phone": "03-1234-5678"})
    response = second.post(
        f"/documents/{DOC}/confirm",
        data={
            "csrf": csrf_of(page),
            "revision": "0",
            "v.my_number": MY_NUMBER,
            "v.phone": "03-9999-9999",
        },
    )
    assert response.status_code == 409 and "他の確認者が先に処理しました" in response.text
    assert store.confirmed("paper-intake")[0].values["phone"] == "03-1234-5678"


def test_review_time_is_clamped(store: ReviewStore, client_as: ClientAs) -> None:
    store.submit(document())
    _post(
        client_as(REVIEWER),
        f"/documents/{DOC}/confirm",
        {"v.my_number": MY_NUMBER, "v.phone": "03-1234-5678", "active_seconds": "inf"},
    )
    assert store.confirmed("paper-intake")[0].review_seconds == 0.0


def test_only_whoever_may_act_can_return_a_document(
    store: ReviewStore, client_as: ClientAs
) -> None:
    store.submit(document(critical=True))
    first = client_as(REVIEWER)
    _post(first, f"/documents/{DOC}/confirm", {"v.my_number": MY_NUMBER, "v.phone": "03-1234-5678"})
    status, _page = _post(
        first, f"/documents/{DOC}/return", {"reason": "やっぱり読めない"}, revision="1"
    )
    assert status == 403
    assert store.document(DOC).state is DocumentState.VERIFYING


def test_waiting_documents_and_logins_survive_a_restart(
    tmp_path: Path, ledger_url: str, users: UserStore
) -> None:
    path = tmp_path / "review" / "review.sqlite3"
    before = ReviewStore(path)
    before.submit(document())
    client = log_in(
        TestClient(
            create_review_app(store=before, users=users, ledger_url=ledger_url),
            follow_redirects=False,
        ),
        REVIEWER,
    )
    cookies = dict(client.cookies)
    before.close()

    after, users_after = ReviewStore(path), UserStore(users.path)
    restarted = create_review_app(store=after, users=users_after, ledger_url=ledger_url)
    page = TestClient(restarted, follow_redirects=False, cookies=cookies).get("/")
    assert page.status_code == 200 and f'href="/documents/{DOC}"' in page.text
    after.close()
    users_after.close()


def test_public_surface_is_sorted_and_documented() -> None:
    import review

    assert review.__all__ == sorted(review.__all__)
    for name in review.__all__:
        assert getattr(review, name).__doc__, name
