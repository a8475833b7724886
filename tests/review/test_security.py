"""Security of the station: sessions everywhere, CSRF on every POST, no steerable paths,
no personal data or passwords in logs."""

from __future__ import annotations

import asyncio
import builtins
import io
import logging
import os
import re
from collections.abc import Callable, Iterator
from datetime import timedelta
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient

from review import ReviewSettings, ReviewStore, UserStore, create_review_app
from review._security import COOKIE
from tests.review.conftest import (
    ADMIN,
    MY_NUMBER,
    PASSWORD,
    REVIEWER,
    csrf_of,
    document,
    log_in,
)

DOC = "a1b2c3d4e5f60718"
ClientAs = Callable[[str], TestClient]


def _routes(app: FastAPI, crop_id: str) -> Iterator[tuple[str, str]]:
    for route in app.routes:
        assert isinstance(route, APIRoute), route
        path = route.path.replace("{document_id}", DOC).replace("{crop_id}", crop_id)
        for method in sorted(route.methods):
            yield method, path


def _untouched(store: ReviewStore) -> None:
    assert store.waiting_count() == 1
    assert [a.action for a in store.audit()] == ["submitted"]


def test_every_route_but_login_refuses_an_anonymous_request(
    app: FastAPI, store: ReviewStore
) -> None:
    store.submit(document())
    crop_id = store.document(DOC).fields[0].crop_id or ""
    anonymous = TestClient(app, follow_redirects=False)
    checked = 0
    for method, path in _routes(app, crop_id):
        if path == "/login":
            continue
        response = anonymous.request(method, path, data={"v.phone": "03-0000-0000"})
        assert response.status_code == 303, (method, path)
        assert response.headers["location"].startswith("/login"), (method, path)
        assert "image/png" not in response.headers.get("content-type", "")
        checked += 1
    assert checked >= 9
    _untouched(store)


def test_every_post_without_the_csrf_token_is_refused(
    app: FastAPI, store: ReviewStore, client_as: ClientAs
) -> None:
    store.submit(document())
    client = client_as(ADMIN)
    form = {
        "revision": "0",
        "v.my_number": MY_NUMBER,
        "v.phone": "03-1234-5678",
        "reason": "読めない",
        "username": ADMIN,
        "password": PASSWORD,
    }
    posts = [path for method, path in _routes(app, "x" * 22) if method == "POST"]
    assert len(posts) == 10  # review 6, 帳票定義 2 (save, preview), 未仕分け 2 (assign, discard)
    for path in posts:
        assert client.post(path, data=form).status_code == 403, path
        assert client.post(path, data={**form, "csrf": "forged"}).status_code == 403, path
    _untouched(store)
    assert client.get("/").status_code == 200  # the logout above did not go through


def test_login_without_its_csrf_token_is_refused(app: FastAPI) -> None:
    client = TestClient(app, follow_redirects=False)
    response = client.post("/login", data={"username": ADMIN, "password": PASSWORD})
    assert response.status_code == 403
    assert COOKIE not in response.cookies


TRAVERSALS = [
    "/crops/../../etc/passwd",
    "/crops/%2e%2e%2fsecrets",
    "/crops/%2e%2e%2f%2e%2e%2fetc%2fpasswd",
    "/crops/..%5c..%5cwindows%5cwin.ini",
    "/crops/1;rm",
    "/crops/1%3Brm%20-rf",
    "/crops/%00",
    "/crops/AAAAAAAAAAAAAAAAAAAAAA",  # well-formed but unknown
    "/crops//etc/passwd",
]


@pytest.fixture
def opened_files(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every file Python opens from now on."""
    opened: list[str] = []

    def spy(real: Callable[..., Any]) -> Callable[..., Any]:
        def wrapper(file: Any, *args: Any, **kwargs: Any) -> Any:
            opened.append(str(file))
            return real(file, *args, **kwargs)

        return wrapper

    monkeypatch.setattr(builtins, "open", spy(builtins.open))
    monkeypatch.setattr(io, "open", spy(io.open))
    monkeypatch.setattr(os, "open", spy(os.open))
    return opened


@pytest.mark.parametrize("path", TRAVERSALS)
def test_traversal_on_the_crop_route_is_refused(
    path: str, store: ReviewStore, client_as: ClientAs, opened_files: list[str]
) -> None:
    store.submit(document())
    client = client_as(REVIEWER)
    opened_files.clear()
    response = client.get(path)
    assert response.status_code in (404, 422), path
    assert opened_files == []


@pytest.mark.parametrize("raw", ["/crops/../../etc/passwd", "/crops/../review.sqlite3"])
def test_raw_dot_segments_are_refused_too(
    raw: str, app: FastAPI, store: ReviewStore, client_as: ClientAs, opened_files: list[str]
) -> None:
    # httpx normalises "..", a raw HTTP request does not: hand the app the path as uvicorn
    # would.
    store.submit(document())
    cookie = client_as(REVIEWER).cookies[COOKIE]
    sent: list[dict[str, Any]] = []

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "GET",
        "scheme": "http",
        "path": raw,
        "raw_path": raw.encode(),
        "query_string": b"",
        "root_path": "",
        "server": ("testserver", 80),
        "client": ("127.0.0.1", 1),
        "headers": [(b"cookie", f"{COOKIE}={cookie}".encode())],
    }
    opened_files.clear()
    asyncio.run(app(scope, receive, send))
    assert sent[0]["status"] in (404, 422)
    assert opened_files == []


def test_crops_are_served_to_logged_in_users_by_opaque_id(
    store: ReviewStore, client_as: ClientAs
) -> None:
    store.submit(document())
    page = client_as(REVIEWER).get(f"/documents/{DOC}").text
    crop_id = re.findall(r'src="/crops/([\w-]+)"', page)[1]
    assert len(crop_id) >= 16 and not crop_id.isdigit()
    response = client_as(REVIEWER).get(f"/crops/{crop_id}")
    assert response.status_code == 200
    assert response.headers["content-type"] == "image/png"
    assert response.content.startswith(b"\x89PNG")


def test_cookies_are_http_only_and_same_site(
    app: FastAPI, store: ReviewStore, users: UserStore, ledger_url: str
) -> None:
    client = TestClient(app, follow_redirects=False)
    token = csrf_of(client.get("/login").text)
    response = client.post(
        "/login", data={"username": REVIEWER, "password": PASSWORD, "csrf": token}
    )
    cookie = next(h for h in response.headers.get_list("set-cookie") if COOKIE + "=" in h)
    assert "httponly" in cookie.lower() and "samesite=strict" in cookie.lower()
    assert "secure" not in cookie.lower()

    secure = create_review_app(
        store=store,
        users=users,
        ledger_url=ledger_url,
        settings=ReviewSettings(secure_cookies=True),
    )
    login = TestClient(secure, base_url="https://testserver").get("/login")
    assert "secure" in login.headers["set-cookie"].lower()


def test_pages_carry_security_headers(client_as: ClientAs) -> None:
    response = client_as(REVIEWER).get("/")
    csp = response.headers["content-security-policy"]
    assert "default-src 'none'" in csp and "frame-ancestors 'none'" in csp
    assert "unsafe-inline" not in csp
    nonce = re.search(r"script-src 'nonce-([\w-]+)'", csp)
    assert nonce and f'nonce="{nonce.group(1)}"' in response.text
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["cache-control"] == "no-store"


def test_sessions_expire(users: UserStore, client_as: ClientAs) -> None:
    client = client_as(REVIEWER)
    users.idle = timedelta(seconds=-1)
    response = client.get("/")
    assert response.status_code == 303
    assert response.headers["location"] == "/login?next=/&reason=expired"


def test_logout_ends_the_session(client_as: ClientAs) -> None:
    client = client_as(REVIEWER)
    token = csrf_of(client.get("/").text)
    cookie = client.cookies[COOKIE]
    assert client.post("/logout", data={"csrf": token}).status_code == 303
    client.cookies.set(COOKIE, cookie)  # a copied cookie is worthless after logout
    assert client.get("/").status_code == 303


def test_repeated_failed_logins_are_paused(app: FastAPI) -> None:
    client = TestClient(app, follow_redirects=False)
    for _ in range(5):
        token = csrf_of(client.get("/login").text)
        response = client.post(
            "/login", data={"username": REVIEWER, "password": "wrong-pw-1", "csrf": token}
        )
        assert response.status_code == 401
    token = csrf_of(client.get("/login").text)
    response = client.post(
        "/login", data={"username": REVIEWER, "password": PASSWORD, "csrf": token}
    )
    assert response.status_code == 429


def test_login_never_redirects_off_site(app: FastAPI) -> None:
    client = TestClient(app, follow_redirects=False)
    token = csrf_of(client.get("/login").text)
    response = client.post(
        "/login",
        data={
            "username": REVIEWER,
            "password": PASSWORD,
            "csrf": token,
            "next": "//evil.example/x",
        },
    )
    assert response.headers["location"] == "/"


def test_the_audit_page_is_for_admins_only(client_as: ClientAs) -> None:
    assert client_as(REVIEWER).get("/admin/audit").status_code == 403
    assert client_as(ADMIN).get("/admin/audit").status_code == 200


def test_logs_hold_neither_personal_data_nor_passwords(
    app: FastAPI, store: ReviewStore, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    store.submit(document())
    client = TestClient(app, follow_redirects=False)
    token = csrf_of(client.get("/login").text)
    client.post("/login", data={"username": REVIEWER, "password": "Hunter2-wrong", "csrf": token})
    log_in(client, REVIEWER)
    page = client.get(f"/documents/{DOC}?name=%E5%B1%B1%E7%94%B0").text
    client.post(
        f"/documents/{DOC}/confirm",
        data={
            "csrf": csrf_of(page),
            "revision": "0",
            "v.my_number": MY_NUMBER,
            "v.phone": "03-1234-5678",
        },
    )
    text = "\n".join(record.getMessage() for record in caplog.records)
    for secret in (
        MY_NUMBER,
        "03-1234-5678",
        "63-1234-5678",
        "ヤマダ",
        "山田",
        "scan-0001.pdf",
        PASSWORD,
        "Hunter2-wrong",
    ):
        assert secret not in text
    access = [r.getMessage() for r in caplog.records if r.name == "review.access"]
    assert "GET /documents/{document_id} 200" in "\n".join(access)
    assert all(DOC not in line for line in access)
