"""The 資格管理システム app: login, the frameset, the menu, the 住所検索 pop-up and the knobs."""

from __future__ import annotations

import hmac
import logging
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response

from core.errors import InvalidInput
from core.postal import lookup_postal_areas, normalize_postal_code
from sandbox._admin import hash_key as install_hash_key
from sandbox._db import open_database
from sandbox._faults import FaultInjector, FaultMiddleware
from sandbox._sessions import SessionStore
from sandbox._settings import FaultSettings
from sandbox._web import AdminApi, LoginRequired, add_fault_routes
from sandbox.legacy._common import LegacyLoginRequired, LegacySession
from sandbox.legacy._inspect import router as inspect_router
from sandbox.legacy._pages import read_form, render_sjis
from sandbox.legacy._register import router as register_router
from sandbox.legacy._search import router as search_router
from sandbox.legacy._tables import metadata
from sandbox.legacy._validation import LABELS

__all__ = ["COOKIE", "SYSTEM_NAME", "create_legacy_app"]

log = logging.getLogger(__name__)

SYSTEM_NAME = "国民健康保険 資格管理システム"
COOKIE = "ASPSESSIONID"  # a classic ASP back office
_EXPIRED = "セッションの有効期限が切れました。再度ログインしてください。"
_BAD_LOGIN = "ユーザーIDまたはパスワードが正しくありません。"
_LABEL_MAX = 40


def _labels(changes: Mapping[str, Any]) -> dict[str, str]:
    """The register screen's labels with ``changes`` applied; ValueError names a bad entry."""
    unknown = sorted(set(changes) - set(LABELS))
    if unknown:
        raise ValueError(f"unknown fields {unknown}; known: {sorted(LABELS)}")
    for key, text in changes.items():
        if not isinstance(text, str) or not text.strip() or len(text) > _LABEL_MAX:
            raise ValueError(f"the label of {key} must be 1 to {_LABEL_MAX} characters")
        try:
            text.encode("cp932")
        except UnicodeEncodeError:
            raise ValueError(f"the label of {key} must be Shift_JIS (CP932) text") from None
    return {**LABELS, **{key: text.strip() for key, text in changes.items()}}


def create_legacy_app(
    *,
    db_path: Path,
    username: str,
    password: str,
    faults: FaultSettings | None = None,
    labels: Mapping[str, str] | None = None,
    hash_key: bytes | None = None,
    admin_token: str | None = None,
) -> FastAPI:
    """The 国民健康保険 資格管理システム on the SQLite file ``db_path`` (created owner-only).

    Staff log in as ``username`` with ``password``. ``faults`` sets the fault knobs (all
    off by default); ``labels`` renames labels of the register screen by field name, e.g.
    ``{"f_kana": "フリガナ（半角）"}`` as an upgrade would (also ``PUT /admin/labels.json``).
    ``hash_key`` keys the stored 個人番号 hashes (default: the install's
    ``sandbox-hash-key``). Raises :class:`ValueError` for an unknown field in ``labels``.
    """
    app = FastAPI(title=SYSTEM_NAME, docs_url=None, redoc_url=None, openapi_url=None)
    injector = FaultInjector(faults)
    app.state.faults = injector
    app.state.sessions = SessionStore(injector)
    app.state.system_name = SYSTEM_NAME
    app.state.header_color = "#000080"  # for the admin pages, which share the modern frame
    app.state.home = "/frame"
    app.state.cookie = COOKIE
    app.state.admin_token = admin_token
    app.state.labels = _labels(labels or {})
    app.state.hash_key = install_hash_key() if hash_key is None else hash_key
    app.add_middleware(FaultMiddleware, injector=injector)
    engine = open_database(db_path)
    metadata.create_all(engine)
    app.state.engine = engine
    app.state.db_path = db_path

    def login_page(request: Request, **context: Any) -> HTMLResponse:
        response = render_sjis(request, "login.html", **context)
        response.delete_cookie(COOKIE)
        return response

    # No redirect: the login page answers in place, inside whichever frame asked.
    @app.exception_handler(LegacyLoginRequired)
    async def _to_login(request: Request, exc: LegacyLoginRequired) -> Response:
        return login_page(request, message=_EXPIRED if exc.expired else None)

    @app.exception_handler(LoginRequired)  # the /admin/faults page without a login
    async def _admin_to_login(request: Request, _exc: LoginRequired) -> Response:
        return login_page(request)

    @app.get("/healthz")
    async def healthz() -> dict[str, str]:
        return {"status": "ok", "system": SYSTEM_NAME}

    @app.get("/", response_class=HTMLResponse)
    def root(request: Request) -> Response:
        if app.state.sessions.touch(request.cookies.get(COOKIE)) is not None:
            return RedirectResponse("/frame", status_code=303)
        return login_page(request)

    @app.post("/login")
    async def login(request: Request) -> Response:
        form = await read_form(request)
        user_in, password_in = form.get("f_uid", ""), form.get("f_pwd", "")
        user_ok = hmac.compare_digest(user_in.encode(), username.encode())
        password_ok = hmac.compare_digest(password_in.encode(), password.encode())
        if not (user_ok and password_ok):
            return login_page(request, errors=[_BAD_LOGIN])
        token = app.state.sessions.create(username)
        response = RedirectResponse("/frame", status_code=303)
        response.set_cookie(COOKIE, token, httponly=True, samesite="lax")
        return response

    @app.get("/logout", response_class=HTMLResponse)
    def logout(request: Request) -> HTMLResponse:
        app.state.sessions.end(request.cookies.get(COOKIE))
        return login_page(request, message="ログアウトしました。")

    @app.get("/frame", response_class=HTMLResponse)
    def frame(request: Request, _session: LegacySession) -> HTMLResponse:
        return render_sjis(request, "frame.html")

    @app.get("/menu", response_class=HTMLResponse)
    def menu(request: Request, _session: LegacySession) -> HTMLResponse:
        return render_sjis(request, "menu.html")

    @app.get("/top", response_class=HTMLResponse)
    def top(request: Request, _session: LegacySession) -> HTMLResponse:
        return render_sjis(request, "top.html")

    @app.get("/zip", response_class=HTMLResponse)
    def zip_popup(request: Request, _session: LegacySession, code: str = "") -> HTMLResponse:
        """The 住所検索 pop-up: the areas of a postal code, each with 選択."""
        try:
            normalized = normalize_postal_code(code)
        except InvalidInput:
            return render_sjis(request, "zip.html", code="", addresses=[])
        areas = lookup_postal_areas(normalized)
        addresses = [f"{a.prefecture}{a.city}{a.town}" for a in areas]
        return render_sjis(request, "zip.html", code=normalized, addresses=addresses)

    @app.get("/admin/labels.json", dependencies=[AdminApi])
    def labels_json() -> dict[str, str]:
        """The register screen's labels by field name."""
        current: dict[str, str] = app.state.labels
        return current

    @app.put("/admin/labels.json", dependencies=[AdminApi])
    async def labels_put(request: Request) -> Response:
        """Rename labels: the body maps field names to new labels (``{}`` restores them all)."""
        try:
            changes = await request.json()
            if not isinstance(changes, dict):
                raise ValueError("send a JSON object of field name → label")
            app.state.labels = _labels(changes)
        except ValueError as exc:
            return JSONResponse({"error": str(exc)}, status_code=422)
        log.info("register screen labels changed: %s", sorted(changes))
        return JSONResponse(app.state.labels)

    add_fault_routes(app)
    app.include_router(search_router)
    app.include_router(register_router)
    app.include_router(inspect_router)
    log.info("legacy system ready")
    return app
