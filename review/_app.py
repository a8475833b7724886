"""The review station's pages: login, the queue, a document, crops and the audit log.

Every route but the login page needs a session; every POST needs the session's CSRF token.
Crops are served by an opaque random id looked up in the database, never by a path.
"""

from __future__ import annotations

import logging
import secrets
from datetime import timedelta, timezone
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import FastAPI, Query, Request
from fastapi import Path as PathParam
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, PlainTextResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates
from sqlalchemy.exc import SQLAlchemyError
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException

from core.errors import JimuError
from core.ledger import Ledger
from review._define_screen import add_definition_routes
from review._errors import FieldErrors, NotAllowed, StaleDocument, UnknownDocument
from review._models import ACTION_LABELS, DOCUMENT_ID, DocumentState, DocumentView
from review._security import (
    COOKIE,
    LOGIN_COOKIE,
    AdminDep,
    AdminRequired,
    CsrfRejected,
    LoginRequired,
    LoginThrottle,
    Posted,
    PostedDep,
    SecurityMiddleware,
    SessionDep,
    safe_next,
    tokens_match,
)
from review._settings import ReviewSettings
from review._store import ReviewStore
from review._time import parse_seconds, step_time
from review._unsorted import add_unsorted_routes
from review._users import Session, UserStore

__all__ = ["create_review_app"]

log = logging.getLogger(__name__)

JST = timezone(timedelta(hours=9), "JST")
CROP_ID = r"^[A-Za-z0-9_-]{16,43}$"
DocumentId = Annotated[str, PathParam(pattern=DOCUMENT_ID)]
DONE = {
    "confirmed": "確定しました。",
    "verifying": "ベリファイ待ちに回しました。別の確認者が入力します。",
    "conflict": "ベリファイの入力が一致しません。管理者の判断待ちに回しました。",
    "returned": "差戻しました。",
}

templates = Jinja2Templates(directory=Path(__file__).parent / "templates")
templates.env.filters["jst"] = lambda at: at.astimezone(JST).strftime("%Y-%m-%d %H:%M")


def render(
    request: Request, template: str, *, status_code: int = 200, **context: Any
) -> HTMLResponse:
    """A page with the station's frame (user, CSRF token, CSP nonce)."""
    base = {
        "session": getattr(request.state, "session", None),
        "nonce": request.state.csp_nonce,
        "idle_pause": request.app.state.settings.idle_pause_seconds,
    }
    return templates.TemplateResponse(
        request, template, {**base, **context}, status_code=status_code
    )


def _message(request: Request, status: int, text: str) -> HTMLResponse:
    return render(request, "message.html", status_code=status, text=text)


def _revision(posted: Posted) -> int:
    try:
        return int(posted.text("revision", "-1"))
    except ValueError:
        return -1


def _mode(view: DocumentView, session: Session) -> str:
    if view.state is DocumentState.WAITING:
        return "review"
    if view.state is DocumentState.VERIFYING and view.reviewer != session.user.name:
        return "verify"
    if view.state is DocumentState.CONFLICT and session.user.is_admin:
        return "resolve"
    return "view"


def create_review_app(
    *,
    store: ReviewStore,
    users: UserStore,
    ledger_url: str | None = None,
    settings: ReviewSettings | None = None,
) -> FastAPI:
    """The review station on ``store`` and ``users``.

    Review time is added to the ledger at ``ledger_url`` (default: ``JIMU_LEDGER_URL`` or the
    data folder's SQLite ledger) under the document's scenario and id.
    """
    settings = settings or ReviewSettings()
    app = FastAPI(title="確認ステーション", docs_url=None, redoc_url=None, openapi_url=None)
    app.state.store, app.state.users, app.state.settings = store, users, settings
    app.state.ledger = None
    throttle = LoginThrottle(per_user=settings.login_failures)
    app.add_middleware(SecurityMiddleware)
    add_definition_routes(app, store=store, render=render)
    add_unsorted_routes(app, store=store, render=render)

    def ledger() -> Ledger:
        if app.state.ledger is None:
            app.state.ledger = Ledger(ledger_url)
        result: Ledger = app.state.ledger
        return result

    def record_time(
        view: DocumentView, user: str, seconds: float, *, returned: str | None = None
    ) -> None:
        # The store already holds the time; a ledger that is down must not lose the review.
        try:
            if not ledger().add_human_time(view.scenario, view.document_id, seconds, reviewer=user):
                log.warning(
                    "review: the ledger does not know %s; time kept in the store", view.document_id
                )
            if returned is not None:
                ledger().return_item(view.scenario, view.document_id, reason=returned)
        except (JimuError, SQLAlchemyError) as exc:
            log.warning(
                "review: ledger not updated for %s: %s", view.document_id, type(exc).__name__
            )

    # -- refusals ------------------------------------------------------------------------

    @app.exception_handler(LoginRequired)
    async def _to_login(_request: Request, exc: LoginRequired) -> Response:
        reason = "&reason=expired" if exc.expired else ""
        response = RedirectResponse(f"/login?next={quote(exc.next_url)}{reason}", 303)
        response.delete_cookie(COOKIE)
        return response

    @app.exception_handler(CsrfRejected)
    async def _csrf(request: Request, _exc: CsrfRejected) -> Response:
        return _message(request, 403, "画面の有効期限が切れました。ページを開き直してください。")

    @app.exception_handler(AdminRequired)
    async def _admin(request: Request, _exc: AdminRequired) -> Response:
        return _message(request, 403, "管理者だけが使える画面です。")

    @app.exception_handler(RequestValidationError)
    async def _invalid(_request: Request, _exc: RequestValidationError) -> Response:
        return PlainTextResponse("invalid request", status_code=422)  # never echo the input

    @app.exception_handler(HTTPException)
    async def _http(_request: Request, exc: HTTPException) -> Response:
        return PlainTextResponse(str(exc.detail), status_code=exc.status_code)

    # -- login ---------------------------------------------------------------------------

    def login_page(
        request: Request,
        *,
        next_url: str,
        status_code: int = 200,
        errors: list[str] | None = None,
        message: str | None = None,
    ) -> Response:
        token = secrets.token_urlsafe(32)
        response = render(
            request,
            "login.html",
            status_code=status_code,
            next_url=next_url,
            login_csrf=token,
            errors=errors,
            message=message,
        )
        response.set_cookie(
            LOGIN_COOKIE,
            token,
            httponly=True,
            samesite="strict",
            secure=settings.secure_cookies,
            path="/login",
        )
        return response

    @app.get("/login", response_class=HTMLResponse)
    def login_form(request: Request, next: str = "/", reason: str = "") -> Response:
        expired = "ログインの有効期限が切れました。もう一度ログインしてください。"
        return login_page(
            request, next_url=safe_next(next), message=expired if reason == "expired" else None
        )

    @app.post("/login")
    async def login(request: Request) -> Response:
        form = await request.form()
        if not tokens_match(form.get("csrf"), request.cookies.get(LOGIN_COOKIE) or "\0"):
            raise CsrfRejected()
        name, password = str(form.get("username", "")), str(form.get("password", ""))
        client = request.client.host if request.client else "-"
        next_url = safe_next(str(form.get("next", "/")))
        if throttle.blocked(name, client):
            return _message(request, 429, "ログインの失敗が続いたため、しばらく待ってください。")
        user = await run_in_threadpool(users.authenticate, name, password)
        if user is None:
            throttle.failed(name, client)
            log.info("review: failed login")  # no name: people type passwords there
            return login_page(
                request,
                next_url=next_url,
                status_code=401,
                errors=["ユーザーIDまたはパスワードが違います。"],
            )
        throttle.succeeded(name)
        token, _session = users.start_session(user)
        log.info("review: %s logged in", user.name)
        redirect = RedirectResponse(next_url, status_code=303)
        redirect.set_cookie(
            COOKIE,
            token,
            httponly=True,
            samesite="strict",
            secure=settings.secure_cookies,
            path="/",
        )
        redirect.delete_cookie(LOGIN_COOKIE, path="/login")
        return redirect

    @app.post("/logout")
    def logout(request: Request, _posted: PostedDep) -> Response:
        users.end_session(request.cookies.get(COOKIE))
        response = RedirectResponse("/login", status_code=303)
        response.delete_cookie(COOKIE)
        return response

    # -- the queue and documents ---------------------------------------------------------

    @app.get("/", response_class=HTMLResponse)
    def queue(
        request: Request,
        session: SessionDep,
        done: str = "",
        doc: Annotated[str | None, Query(pattern=DOCUMENT_ID)] = None,
    ) -> Response:
        entries = store.queue(user=session.user.name, admin=session.user.is_admin)
        message = f"{doc}: {DONE[done]}" if done in DONE and doc else None
        return render(
            request,
            "queue.html",
            entries=entries,
            counts=store.counts(),
            states=[s for s in DocumentState if s.is_open],
            message=message,
        )

    def page(
        request: Request,
        session: Session,
        view: DocumentView,
        *,
        status_code: int = 200,
        typed: dict[str, str] | None = None,
        errors: dict[str, str] | None = None,
        carried: float = 0.0,
    ) -> HTMLResponse:
        mode = _mode(view, session)
        editable = {f.name for f in view.to_review()} if mode != "view" else set()
        return render(
            request,
            "document.html",
            status_code=status_code,
            doc=view,
            mode=mode,
            editable=editable,
            typed=typed or {},
            field_errors=errors or {},
            carried=f"{carried:.1f}",
        )

    @app.get("/documents/{document_id}", response_class=HTMLResponse)
    def document(request: Request, session: SessionDep, document_id: DocumentId) -> Response:
        return page(request, session, store.document(document_id))

    def step(request: Request, posted: Posted, document_id: str, action: str) -> Response:
        view = store.document(document_id)
        user = posted.session.user
        # The store bounds and audits the claim; the ledger gets the same bounded seconds.
        seconds = parse_seconds(posted.text("active_seconds", "0"))
        counted = step_time(seconds).seconds
        values = {
            key[2:]: value
            for key, value in posted.form.items()
            if key.startswith("v.") and isinstance(value, str)
        }
        revision = _revision(posted)
        try:
            if action == "confirm":
                state = store.confirm(
                    document_id, user=user.name, revision=revision, values=values, seconds=seconds
                )
            elif action == "verify":
                state = store.verify(
                    document_id, user=user.name, revision=revision, values=values, seconds=seconds
                )
            elif user.is_admin:
                state = store.resolve(
                    document_id, user=user.name, revision=revision, values=values, seconds=seconds
                )
            else:
                raise AdminRequired()
        except FieldErrors as exc:
            return page(
                request,
                posted.session,
                view,
                status_code=422,
                typed=values,
                errors=exc.errors,
                carried=counted,
            )
        record_time(view, user.name, counted)
        return RedirectResponse(f"/?done={state.value}&doc={document_id}", status_code=303)

    @app.post("/documents/{document_id}/confirm")
    def confirm(request: Request, posted: PostedDep, document_id: DocumentId) -> Response:
        return step(request, posted, document_id, "confirm")

    @app.post("/documents/{document_id}/verify")
    def verify(request: Request, posted: PostedDep, document_id: DocumentId) -> Response:
        return step(request, posted, document_id, "verify")

    @app.post("/documents/{document_id}/resolve")
    def resolve(request: Request, posted: PostedDep, document_id: DocumentId) -> Response:
        return step(request, posted, document_id, "resolve")

    @app.post("/documents/{document_id}/return")
    def return_document(request: Request, posted: PostedDep, document_id: DocumentId) -> Response:
        view = store.document(document_id)
        if _mode(view, posted.session) == "view":
            raise NotAllowed("this user cannot act on the document in its state")
        user = posted.session.user.name
        seconds = parse_seconds(posted.text("active_seconds", "0"))
        counted = step_time(seconds).seconds
        reason = posted.text("reason")
        try:
            store.return_document(
                document_id, user=user, revision=_revision(posted), reason=reason, seconds=seconds
            )
        except FieldErrors as exc:
            return page(
                request, posted.session, view, status_code=422, errors=exc.errors, carried=counted
            )
        record_time(view, user, counted, returned=reason.strip()[:500])
        return RedirectResponse(f"/?done=returned&doc={document_id}", status_code=303)

    @app.get("/crops/{crop_id}")
    def crop(_session: SessionDep, crop_id: Annotated[str, PathParam(pattern=CROP_ID)]) -> Response:
        png = store.crop(crop_id)
        if png is None:
            return PlainTextResponse("not found", status_code=404)
        return Response(
            png,
            media_type="image/png",
            headers={"Content-Disposition": "inline; filename=crop.png"},
        )

    @app.get("/admin/audit", response_class=HTMLResponse)
    def audit(
        request: Request,
        _session: AdminDep,
        document: Annotated[str | None, Query(pattern=DOCUMENT_ID)] = None,
    ) -> Response:
        entries = store.audit(document_id=document)
        return render(
            request, "audit.html", entries=entries, labels=ACTION_LABELS, document=document
        )

    # -- outcomes of the store -----------------------------------------------------------

    @app.exception_handler(UnknownDocument)
    async def _unknown(request: Request, _exc: UnknownDocument) -> Response:
        return _message(request, 404, "この書類は見つかりません。")

    @app.exception_handler(StaleDocument)
    async def _stale(request: Request, _exc: StaleDocument) -> Response:
        return _message(
            request, 409, "この書類は他の確認者が先に処理しました。一覧に戻ってください。"
        )

    @app.exception_handler(NotAllowed)
    async def _not_allowed(request: Request, exc: NotAllowed) -> Response:
        return _message(
            request,
            403,
            "この操作はできません（ベリファイは別の確認者、不一致の判断は管理者が行います）。",
        )

    return app
