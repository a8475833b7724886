"""The review store: what the paper-intake flow submits, collects and waits for."""

from __future__ import annotations

import sqlite3
import stat
import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from pydantic import ValidationError

from review import (
    DocumentState,
    FieldErrors,
    NotAllowed,
    ReviewDocument,
    ReviewField,
    ReviewStore,
    StaleDocument,
)
from tests.review.conftest import ADMIN, MY_NUMBER, REVIEWER, SECOND, document, png

FIXED = {"my_number": MY_NUMBER, "phone": "03-1234-5678"}


def test_submit_is_idempotent_and_survives_reopening(tmp_path: Path) -> None:
    path = tmp_path / "review" / "review.sqlite3"
    store = ReviewStore(path)
    assert store.submit(document()) == "a1b2c3d4e5f60718"
    assert store.submit(document()) == "a1b2c3d4e5f60718"
    assert store.waiting_count() == 1
    crop_id = store.document("a1b2c3d4e5f60718").fields[1].crop_id
    store.close()

    reopened = ReviewStore(path)
    assert reopened.waiting_count() == 1
    view = reopened.document("a1b2c3d4e5f60718")
    assert [f.name for f in view.to_review()] == ["my_number", "phone"]
    assert crop_id and reopened.crop(crop_id) == png(MY_NUMBER)
    reopened.close()


def test_database_is_owner_only(store: ReviewStore) -> None:
    assert stat.S_IMODE(store.path.stat().st_mode) == 0o600
    assert stat.S_IMODE(store.path.parent.stat().st_mode) == 0o700


def test_confirm_hands_over_final_values_and_audits_the_correction(store: ReviewStore) -> None:
    store.submit(document())
    state = store.confirm("a1b2c3d4e5f60718", user=REVIEWER, revision=0, values=FIXED, seconds=12.5)
    assert state is DocumentState.CONFIRMED
    [done] = store.confirmed("paper-intake")
    assert done.values == {
        "name_kana": "ヤマダ タロウ",
        "my_number": MY_NUMBER,
        "phone": "03-1234-5678",
    }
    assert done.corrected == ("phone",)
    assert (done.reviewer, done.review_seconds) == (REVIEWER, 12.5)
    corrections = [a for a in store.audit() if a.action == "corrected"]
    assert [(a.user, a.field, a.before, a.after) for a in corrections] == [
        (REVIEWER, "phone", "63-1234-5678", "03-1234-5678")
    ]
    store.mark_handed_over("a1b2c3d4e5f60718")
    store.mark_handed_over("a1b2c3d4e5f60718")  # idempotent
    assert store.confirmed("paper-intake") == []
    assert store.waiting_count() == 0


def test_an_invalid_value_changes_nothing(store: ReviewStore) -> None:
    store.submit(document())
    with pytest.raises(FieldErrors) as caught:
        store.confirm(
            "a1b2c3d4e5f60718",
            user=REVIEWER,
            revision=0,
            values={"my_number": "12345", "phone": "03-1234-5678"},
            seconds=1,
        )
    assert caught.value.errors == {"my_number": "個人番号は12桁の数字です。"}
    assert store.document("a1b2c3d4e5f60718").state is DocumentState.WAITING
    assert [a.action for a in store.audit()] == ["submitted"]


def test_full_width_digits_typed_with_an_ime_are_folded(store: ReviewStore) -> None:
    store.submit(document())
    store.confirm(
        "a1b2c3d4e5f60718",
        user=REVIEWER,
        revision=0,
        values={"my_number": "１２３４５６７８９０１８", "phone": "03-1234-5678"},
        seconds=3,
    )
    assert store.confirmed("paper-intake")[0].values["my_number"] == MY_NUMBER


def test_a_stale_page_cannot_act_twice(store: ReviewStore) -> None:
    store.submit(document())
    store.confirm("a1b2c3d4e5f60718", user=REVIEWER, revision=0, values=FIXED, seconds=1)
    with pytest.raises(StaleDocument):
        store.confirm("a1b2c3d4e5f60718", user=SECOND, revision=0, values=FIXED, seconds=1)


def test_verify_needs_a_second_person_and_matching_entries_confirm(store: ReviewStore) -> None:
    store.submit(document(critical=True))
    state = store.confirm("a1b2c3d4e5f60718", user=REVIEWER, revision=0, values=FIXED, seconds=5)
    assert state is DocumentState.VERIFYING
    assert store.confirmed("paper-intake") == []
    with pytest.raises(NotAllowed):
        store.verify(
            "a1b2c3d4e5f60718",
            user=REVIEWER,
            revision=1,
            values={"my_number": MY_NUMBER},
            seconds=1,
        )
    state = store.verify(
        "a1b2c3d4e5f60718", user=SECOND, revision=1, values={"my_number": MY_NUMBER}, seconds=4
    )
    assert state is DocumentState.CONFIRMED
    [done] = store.confirmed("paper-intake")
    assert (done.reviewer, done.verifier, done.review_seconds) == (REVIEWER, SECOND, 9.0)


def test_a_verify_mismatch_goes_to_an_admin_who_decides(store: ReviewStore) -> None:
    store.submit(document(critical=True))
    store.confirm("a1b2c3d4e5f60718", user=REVIEWER, revision=0, values=FIXED, seconds=5)
    state = store.verify(
        "a1b2c3d4e5f60718", user=SECOND, revision=1, values={"my_number": "123456789010"}, seconds=4
    )
    assert state is DocumentState.CONFLICT
    view = store.document("a1b2c3d4e5f60718")
    assert [f.name for f in view.to_review()] == ["my_number"]
    assert store.queue(user=REVIEWER, admin=False) == []
    assert [e.document_id for e in store.queue(user=ADMIN, admin=True)] == ["a1b2c3d4e5f60718"]

    store.resolve(
        "a1b2c3d4e5f60718", user=ADMIN, revision=2, values={"my_number": MY_NUMBER}, seconds=6
    )
    assert store.confirmed("paper-intake")[0].values["my_number"] == MY_NUMBER
    trail = [
        (a.action, a.user, a.field, a.before, a.after)
        for a in reversed(store.audit())
        if a.field == "my_number"
    ]
    assert trail == [
        ("mismatch", SECOND, "my_number", MY_NUMBER, "123456789010"),
        ("resolved", ADMIN, "my_number", MY_NUMBER, MY_NUMBER),
    ]


def test_returned_documents_carry_the_reason(store: ReviewStore) -> None:
    store.submit(document())
    with pytest.raises(FieldErrors):
        store.return_document("a1b2c3d4e5f60718", user=REVIEWER, revision=0, reason=" ", seconds=1)
    store.return_document(
        "a1b2c3d4e5f60718",
        user=REVIEWER,
        revision=0,
        reason="個人番号欄が汚れて読めない",
        seconds=8,
    )
    [returned] = store.returned("paper-intake")
    assert (returned.reason, returned.reviewer, returned.review_seconds) == (
        "個人番号欄が汚れて読めない",
        REVIEWER,
        8.0,
    )
    assert store.waiting_count() == 0


def test_purge_deletes_only_handed_over_documents_past_retention(store: ReviewStore) -> None:
    for doc_id in ("old0000000000001", "new0000000000002", "open000000000003"):
        store.submit(document(doc_id))
    for doc_id in ("old0000000000001", "new0000000000002"):
        store.confirm(doc_id, user=REVIEWER, revision=0, values=FIXED, seconds=1)
        store.mark_handed_over(doc_id)
    past = (datetime.now(UTC) - timedelta(days=100)).replace(tzinfo=None)
    with sqlite3.connect(store.path) as conn:
        conn.execute(
            "UPDATE documents SET handed_over_at = ? WHERE document_id = ?",
            (past.isoformat(sep=" "), "old0000000000001"),
        )
        conn.execute(
            "UPDATE audit SET at = ? WHERE document_id = ?",
            (past.isoformat(sep=" "), "old0000000000001"),
        )
    assert store.purge_older_than(90) == 1
    assert {e.document_id for e in store.queue(user=REVIEWER, admin=False)} == {"open000000000003"}
    assert store.document("new0000000000002").state is DocumentState.CONFIRMED
    assert all(a.document_id != "old0000000000001" for a in store.audit())
    with sqlite3.connect(store.path) as conn:
        assert conn.execute("SELECT count(*) FROM fields").fetchone()[0] == 6


def test_wait_for_change_times_out_without_a_change(store: ReviewStore) -> None:
    started = time.monotonic()
    assert store.wait_for_change(0.2) is False
    assert time.monotonic() - started >= 0.2


def test_wait_for_change_wakes_on_a_submit_from_another_thread(store: ReviewStore) -> None:
    store.wait_for_change(0)
    other = ReviewStore(store.path)
    timer = threading.Timer(0.1, lambda: other.submit(document()))
    timer.start()
    started = time.monotonic()
    assert store.wait_for_change(30) is True
    assert time.monotonic() - started < 5
    timer.join()
    other.close()


def test_wait_for_change_sees_a_write_from_another_process(store: ReviewStore) -> None:
    store.submit(document())
    store.wait_for_change(0)
    with sqlite3.connect(store.path) as conn:  # no in-process notification
        conn.execute("UPDATE documents SET source_name = 'x.pdf'")
    assert store.wait_for_change(10) is True
    assert store.wait_for_change(0) is False


def test_documents_are_checked_when_submitted() -> None:
    with pytest.raises(ValidationError, match="PNG"):
        ReviewField(
            name="a", label="a", kind="digits", value="1", confidence=0.5, crop_png=b"<html>"
        )
    with pytest.raises(ValidationError, match="pattern"):
        ReviewField(name="a", label="a", kind="digits", value="1", confidence=0.5, pattern="[0-9")
    with pytest.raises(ValidationError):
        ReviewDocument(
            document_id="../etc/passwd",
            scenario="paper-intake",
            source_name="x",
            fields=document().fields,
        )
