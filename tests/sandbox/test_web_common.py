"""The parts both sandbox systems share: login, sessions, fault knobs."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends
from fastapi.testclient import TestClient

from sandbox import FaultSettings, admin_headers
from sandbox._sessions import Session, SessionStore
from sandbox._web import COOKIE, create_base_app, current_session


def _client(faults: FaultSettings | None = None) -> TestClient:
    app = create_base_app(
        system_name="テストシステム",
        header_color="#333",
        username="staff",
        password="correct horse",
        faults=faults,
        home="/menu",
    )

    @app.get("/menu")
    def menu(session: Annotated[Session, Depends(current_session)]) -> dict[str, str]:
        return {"user": session.user}

    return TestClient(app, follow_redirects=False)


def _login(client: TestClient) -> None:
    response = client.post("/login", data={"username": "staff", "password": "correct horse"})
    assert response.status_code == 303


def test_login_refuses_a_wrong_password_in_japanese() -> None:
    client = _client()
    response = client.post("/login", data={"username": "staff", "password": "nope"})
    assert response.status_code == 401
    assert "ユーザーIDまたはパスワードが正しくありません" in response.text
    assert COOKIE not in response.cookies


def test_session_cookie_is_http_only_and_same_site() -> None:
    client = _client()
    response = client.post("/login", data={"username": "staff", "password": "correct horse"})
    header = response.headers["set-cookie"].lower()
    assert "httponly" in header and "samesite=lax" in header


def test_anonymous_request_is_sent_to_login_with_next() -> None:
    response = _client().get("/menu")
    assert response.status_code == 303
    assert response.headers["location"] == "/login?next=/menu"


def test_login_never_redirects_off_site() -> None:
    client = _client()
    response = client.post(
        "/login",
        data={"username": "staff", "password": "correct horse", "next": "//evil.example/"},
    )
    assert response.headers["location"] == "/menu"


def test_session_expires_after_configured_number_of_requests() -> None:
    client = _client(FaultSettings(session_expiry_requests=2))
    _login(client)
    assert client.get("/menu").status_code == 200
    assert client.get("/menu").status_code == 200
    expired = client.get("/menu")
    assert expired.status_code == 303
    assert "reason=expired" in expired.headers["location"]
    page = client.get(expired.headers["location"])
    assert "セッションの有効期限が切れました" in page.text


def test_idle_session_expires() -> None:
    now = [1000.0]
    store = SessionStore(
        injector=_client().app.state.faults,  # type: ignore[attr-defined]
        clock=lambda: now[0],
    )
    token = store.create("staff")
    assert store.touch(token) is not None
    now[0] += 901  # default idle timeout is 900 s
    assert store.touch(token) is None


def test_server_errors_and_busy_pages_but_never_on_health_or_admin() -> None:
    client = _client(FaultSettings(error_rate=1.0))
    failed = client.get("/login")
    assert failed.status_code == 500
    assert "システムエラー" in failed.text
    assert client.get("/healthz").status_code == 200
    assert client.get("/admin/faults.json", headers=admin_headers()).json()["error_rate"] == 1.0

    busy = _client(FaultSettings(busy_rate=1.0)).get("/login")
    assert busy.status_code == 503
    assert "ただいま混み合っています" in busy.text


def test_fault_knobs_change_at_run_time_and_refuse_nonsense() -> None:
    client = _client()
    assert client.get("/login").status_code == 200
    token = admin_headers()
    put = client.put("/admin/faults.json", json={"error_rate": 1.0}, headers=token)
    assert put.status_code == 200
    assert client.get("/login").status_code == 500
    refused = client.post("/admin/faults", data={"error_rate": "1.5"}, headers=token)
    assert refused.status_code == 422
    assert "error_rate" in refused.text
    assert client.get("/admin/faults.json", headers=token).json()["error_rate"] == 1.0  # unchanged
    reset = client.post("/admin/faults", data={"error_rate": "0"}, headers=token)
    assert reset.status_code == 200
    assert client.get("/login").status_code == 200


def test_fault_knobs_refuse_anyone_without_the_login_or_the_token() -> None:
    client = _client()
    page = client.get("/admin/faults")
    assert (page.status_code, page.headers["location"]) == (303, "/login?next=/admin/faults")
    posted = client.post("/admin/faults", data={"error_rate": "1"})
    assert posted.status_code == 303 and posted.headers["location"].startswith("/login")
    put = client.put("/admin/faults.json", json={"error_rate": 1.0})
    assert put.status_code == 401 and put.headers["www-authenticate"].startswith("Bearer")
    wrong = {"Authorization": "Bearer not-the-token"}
    guessed = client.put("/admin/faults.json", json={"error_rate": 1.0}, headers=wrong)
    assert guessed.status_code == 401
    assert client.get("/admin/faults.json").status_code == 401
    assert client.app.state.faults.settings.error_rate == 0.0  # type: ignore[attr-defined]
    assert client.get("/login").status_code == 200  # nothing changed


def test_the_logged_in_user_steers_the_faults_on_the_page() -> None:
    client = _client()
    _login(client)
    page = client.get("/admin/faults")
    assert page.status_code == 200 and 'action="/admin/faults"' in page.text
    saved = client.post("/admin/faults", data={"busy_rate": "1"})
    assert saved.status_code == 200 and "保存しました。" in saved.text
    assert client.get("/admin/faults.json").json()["busy_rate"] == 1.0
    assert client.get("/login").status_code == 503


def test_seeded_fault_dice_repeat() -> None:
    def pattern() -> list[int]:
        client = _client(FaultSettings(error_rate=0.5, seed=11))
        return [client.get("/login").status_code for _ in range(30)]

    first = pattern()
    assert first == pattern()
    assert 500 in first and 200 in first


def test_latency_range_must_be_ordered() -> None:
    try:
        FaultSettings(latency_min_ms=50, latency_max_ms=10)
    except ValueError as exc:
        assert "latency_max_ms" in str(exc)
    else:
        raise AssertionError("an inverted latency range was accepted")


def test_both_systems_on_one_host_keep_their_own_sessions(sandbox: object) -> None:
    """A browser keeps cookies per host, not per port: one login must not end the other."""
    import httpx

    from core.secrets import get_secret
    from sandbox import BUSINESS_USER, PORTAL_USER, RunningSandbox

    assert isinstance(sandbox, RunningSandbox)
    logins = [
        (sandbox.portal_url, PORTAL_USER, "sandbox-portal-password", "/applications"),
        (sandbox.business_url, BUSINESS_USER, "sandbox-business-password", "/menu"),
    ]
    with httpx.Client(timeout=10) as browser_like:  # one cookie jar, as in one browser
        for url, user, secret, _ in logins:
            answer = browser_like.post(
                f"{url}/login", data={"username": user, "password": get_secret(secret)}
            )
            assert answer.status_code == 303
        for url, _, _, home in logins:
            assert browser_like.get(f"{url}{home}").status_code == 200, url
