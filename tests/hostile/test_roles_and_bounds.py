"""Roles and bounds: anonymous callers cannot steer or read the sandbox, a forged review time
does not inflate the hours report, and quarantined copies are the owner's only."""

from __future__ import annotations

import hashlib
import re
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from cli import _ocr as cli_ocr
from core.ledger import Ledger
from review import ReviewStore, Role, UserStore, create_review_app
from review._time import MAX_STEP_SECONDS
from sandbox import admin_headers
from sandbox.business import create_business_app
from sandbox.portal import create_portal_app
from tests.review.conftest import PASSWORD, csrf_of, document, log_in
from tests.sandbox.test_business import APPLICANT, _register

MY_NUMBER = APPLICANT["my_number"]


@pytest.fixture
def business(tmp_path: Path) -> Iterator[TestClient]:
    """The 業務システム with one person registered twice (a duplicate to list), not logged in."""
    app = create_business_app(db_path=tmp_path / "business.sqlite3", username="u", password="p")
    with TestClient(app) as staff:
        assert staff.post("/login", data={"username": "u", "password": "p"}).url.path == "/menu"
        _register(staff)
        _register(staff)
    with TestClient(app, follow_redirects=False) as anonymous:
        yield anonymous


def test_an_anonymous_post_cannot_change_the_fault_knobs(business: TestClient) -> None:
    posted = business.post("/admin/faults", data={"error_rate": "1"})
    assert posted.status_code == 303 and posted.headers["location"].startswith("/login")
    assert business.put("/admin/faults.json", json={"busy_rate": 1.0}).status_code == 401
    assert business.get("/admin/faults.json").status_code == 401
    knobs = business.get("/admin/faults.json", headers=admin_headers()).json()
    assert (knobs["error_rate"], knobs["busy_rate"]) == (0.0, 0.0)


def test_inspection_is_refused_anonymously_and_keyed_with_the_token(
    business: TestClient, tmp_path: Path
) -> None:
    refused = business.get("/_inspect/summary")
    assert refused.status_code == 401 and "recipient_nos" not in refused.text
    portal = create_portal_app(db_path=tmp_path / "portal.sqlite3", username="u", password="p")
    assert TestClient(portal).get("/_inspect/summary").status_code == 401

    answer = business.get("/_inspect/summary", headers=admin_headers())
    assert answer.status_code == 200
    [duplicate] = answer.json()["duplicates"]
    assert duplicate["recipient_nos"] == ["J0000001", "J0000002"]
    plain = hashlib.sha256(MY_NUMBER.encode("ascii")).hexdigest()  # brute-forced in minutes
    assert plain not in answer.text and MY_NUMBER not in answer.text
    assert re.fullmatch(r"[0-9a-f]{64}", duplicate["my_number_hmac"])


def test_a_forged_review_time_is_bounded_in_the_ledger_and_audited(tmp_path: Path) -> None:
    store = ReviewStore(tmp_path / "review" / "review.sqlite3")
    users = UserStore(tmp_path / "review" / "users.sqlite3")
    users.add_user("kakunin1", PASSWORD, role=Role.ADMIN)
    url = f"sqlite:///{tmp_path / 'ledger.sqlite3'}"
    ledger = Ledger(url)
    doc = document()
    ledger.enqueue("paper-intake", doc.document_id)
    store.submit(doc)
    app = create_review_app(store=store, users=users, ledger_url=url)
    with TestClient(app, follow_redirects=False) as client:
        log_in(client, "kakunin1")
        page = client.get(f"/documents/{doc.document_id}").text
        form = {
            "csrf": csrf_of(page),
            "revision": "0",
            "v.my_number": MY_NUMBER,
            "v.phone": "03-1234-5678",
            "active_seconds": "1e9",
        }
        assert client.post(f"/documents/{doc.document_id}/confirm", data=form).status_code == 303
        audit = client.get(f"/admin/audit?document={doc.document_id}").text
    item = ledger.get("paper-intake", doc.document_id)
    assert item is not None and 0 < item.human_seconds <= MAX_STEP_SECONDS
    assert "作業時間の補正" in audit and "1e+09" in audit
    store.close()
    users.close()


def test_a_quarantined_copy_is_owner_only_and_a_link_is_not_followed(tmp_path: Path) -> None:
    scan, secret = tmp_path / "scan.pdf", tmp_path / "shadow"
    scan.write_bytes(b"%PDF-1.4 broken")
    secret.write_text("root:x:0:0\n", encoding="utf-8")
    (tmp_path / "link.pdf").symlink_to(secret)
    quarantine = tmp_path / "quarantine"
    for path in (scan, tmp_path / "link.pdf"):
        cli_ocr._quarantine(path, quarantine, "invalid-input: unreadable")
    assert stat.S_IMODE(quarantine.stat().st_mode) == 0o700
    modes = {p.name: stat.S_IMODE(p.lstat().st_mode) for p in quarantine.iterdir()}
    assert modes == {"scan.pdf": 0o600, "scan.pdf.reason.txt": 0o600, "link.pdf.reason.txt": 0o600}
