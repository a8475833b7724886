"""Review time a page claims is bounded per step, and a bounded claim is audited and logged."""

from __future__ import annotations

import logging
import math
import re
from collections.abc import Callable

import pytest
from fastapi.testclient import TestClient

from core.ledger import Ledger
from review import ReviewStore
from review._time import MAX_STEP_SECONDS, parse_seconds, step_time
from tests.review.conftest import ADMIN, MY_NUMBER, REVIEWER, SECOND, csrf_of, document

DOC = "a1b2c3d4e5f60718"
FIXED = {"my_number": MY_NUMBER, "phone": "03-1234-5678"}
ClientAs = Callable[[str], TestClient]


def _clamps(store: ReviewStore) -> list[tuple[str | None, str | None]]:
    return [(a.before, a.after) for a in store.audit(document_id=DOC) if a.action == "time-clamped"]


def test_a_step_counts_at_most_half_an_hour() -> None:
    assert MAX_STEP_SECONDS == 1800.0
    assert step_time(17.5).seconds == 17.5 and not step_time(17.5).clamped
    assert step_time(0.0).seconds == 0.0 and not step_time(0.0).clamped
    assert step_time(1800.0).seconds == 1800.0 and not step_time(1800.0).clamped
    for claim, counted in [(1e9, 1800.0), (1800.5, 1800.0), (-5.0, 0.0)]:
        assert (step_time(claim).seconds, step_time(claim).clamped) == (counted, True)
    for broken in (math.nan, math.inf, -math.inf):
        assert (step_time(broken).seconds, step_time(broken).clamped) == (0.0, True)
    assert math.isnan(parse_seconds("12 minutes")) and parse_seconds("4.5") == 4.5


def test_the_store_bounds_a_forged_claim_and_audits_it(
    store: ReviewStore, caplog: pytest.LogCaptureFixture
) -> None:
    store.submit(document())
    with caplog.at_level(logging.WARNING, logger="review"):
        store.confirm(DOC, user=REVIEWER, revision=0, values=FIXED, seconds=1e9)
    [done] = store.confirmed("paper-intake")
    assert done.review_seconds == MAX_STEP_SECONDS
    assert _clamps(store) == [("1e+09", "1800")]
    [entry] = [a for a in store.audit(document_id=DOC) if a.action == "time-clamped"]
    assert entry.user == REVIEWER and entry.action_label == "作業時間の補正"
    confirmed = [a for a in store.audit(document_id=DOC) if a.action == "confirmed"]
    assert confirmed[0].seconds == MAX_STEP_SECONDS
    warned = [r.getMessage() for r in caplog.records if "review time" in r.getMessage()]
    assert warned == [f"review: document {DOC}: a step claimed 1e+09 s of review time, "
                      "counted as 1800 s"]  # fmt: skip
    assert MY_NUMBER not in caplog.text


def test_every_step_is_bounded_on_its_own(store: ReviewStore) -> None:
    store.submit(document(critical=True))
    store.confirm(DOC, user=REVIEWER, revision=0, values=FIXED, seconds=-3)
    store.verify(DOC, user=SECOND, revision=1, values={"my_number": "123456789010"}, seconds=1e6)
    store.resolve(DOC, user=ADMIN, revision=2, values={"my_number": MY_NUMBER}, seconds=math.nan)
    [done] = store.confirmed("paper-intake")
    assert done.review_seconds == MAX_STEP_SECONDS  # 0 + 1800 + 0
    assert _clamps(store) == [("nan", "0"), ("1e+06", "1800"), ("-3", "0")]  # newest first


def test_a_plausible_time_is_kept_as_it_is_without_a_flag(store: ReviewStore) -> None:
    store.submit(document())
    store.return_document(DOC, user=REVIEWER, revision=0, reason="読めない", seconds=95.5)
    assert store.returned("paper-intake")[0].review_seconds == 95.5
    assert _clamps(store) == []


def _post(client: TestClient, path: str, data: dict[str, str]) -> int:
    page = client.get(f"/documents/{DOC}").text
    revision = re.search(r'name="revision" value="(\d+)"', page)
    assert revision is not None
    form = {"csrf": csrf_of(page), "revision": revision.group(1), **data}
    return client.post(path, data=form).status_code


def test_a_forged_active_time_does_not_inflate_the_hours_report(
    store: ReviewStore, client_as: ClientAs, ledger: Ledger
) -> None:
    ledger.enqueue("paper-intake", DOC)
    store.submit(document())
    status = _post(
        client_as(REVIEWER),
        f"/documents/{DOC}/confirm",
        {"v.my_number": MY_NUMBER, "v.phone": "03-1234-5678", "active_seconds": "1e9"},
    )
    assert status == 303
    item = ledger.get("paper-intake", DOC)
    assert item is not None and item.human_seconds == MAX_STEP_SECONDS
    assert store.confirmed("paper-intake")[0].review_seconds == MAX_STEP_SECONDS
    audit = client_as(ADMIN).get(f"/admin/audit?document={DOC}").text
    assert "作業時間の補正" in audit
    assert "<td>1e+09</td>" in audit and "<td>1800</td>" in audit


def test_a_returned_document_with_a_garbled_time_counts_nothing(
    store: ReviewStore, client_as: ClientAs, ledger: Ledger
) -> None:
    ledger.enqueue("paper-intake", DOC)
    store.submit(document())
    status = _post(
        client_as(REVIEWER),
        f"/documents/{DOC}/return",
        {"reason": "用紙が破れていて読めない", "active_seconds": "NaN"},
    )
    assert status == 303
    item = ledger.get("paper-intake", DOC)
    assert item is not None and item.human_seconds == 0.0
    assert _clamps(store) == [("nan", "0")]


def test_a_page_shown_again_carries_the_bounded_time(
    store: ReviewStore, client_as: ClientAs
) -> None:
    store.submit(document())
    client = client_as(REVIEWER)
    page = client.get(f"/documents/{DOC}").text
    again = client.post(
        f"/documents/{DOC}/confirm",
        data={
            "csrf": csrf_of(page),
            "revision": "0",
            "v.my_number": "1234",
            "v.phone": "03-1234-5678",
            "active_seconds": "1e9",
        },
    )
    assert again.status_code == 422
    assert 'data-carried="1800.0"' in again.text
