"""What both sandbox systems share: login, sessions, fault knobs, page rendering.

The fault knobs and the inspection need the system's login or the admin token
(:mod:`sandbox._admin`): anyone who can reach the port must not steer or read the system.
"""

from __future__ import annotations

import hmac
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import Depends, FastAPI, Form, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates
from pydantic import ValidationError

from sandbox._admin import AdminRequired, is_admin
from sandbox._faults import FaultInjector, FaultMiddleware
from sandbox._sessions import Session, SessionStore
from sandbox._settings import FaultSettings

__all__ = [
    "COOKIE",
    "AdminApi",
    "AdminPage",
    "LoginRequired",
    "SessionDep",
    "add_fault_routes",
    "create_base_app",
    "current_session",
    "render",
]

# The default session cookie. Each system names its own, as real ones do (JSESSIONID,
# ASP.NET_SessionId …): a browser keeps cookies per host, not per port, so two systems on
# one host that shared a name would log each other out.
COOKIE = "SESSIONID"
templates = Jinja2Templates(directory=Path(__file__).parent / "templates")


class LoginRequired(Exception):
    """Raised by :func:`current_session`; answered with a redirect to the login page."""

    def __init__(self, *, expired: bool, next_url: str) -> None:
        super().__init__("login required")
        self.expired = expired
        self.next_url = next_url


def _safe_next(url: str | None, default: str = "/") -> str:
    if not url or not url.startswith("/") or url.startswith("//") or "\\" in url:
        return default
    return url


def current_session(request: Request) -> Session:
    """FastAPI dependency: the caller's live session, else :class:`LoginRequired`."""
    store: SessionStore = request.app.state.sessions
    token = request.cookies.get(request.app.state.cookie)
    session = store.touch(token)
    if session is None:
        if request.method == "GET":
            query = request.url.query
            next_url = request.url.path + (f"?{query}" if query else "")
        else:
            next_url = request.app.state.home
        raise LoginRequired(expired=token is not None, next_url=next_url)
    request.state.user = session.user
    return session


SessionDep = Annotated[Session, Depends(current_session)]


def _admin_page(request: Request) -> None:
    if not is_admin(request):
        raise LoginRequired(expired=False, next_url=request.url.path)


def _admin_api(request: Request) -> None:
    if not is_admin(request):
        raise AdminRequired()


# Route dependencies: a page sends a browser without a login to the login page; an API
# answers 401 with ``WWW-Authenticate: Bearer``.
AdminPage = Depends(_admin_page)
AdminApi = Depends(_admin_api)


def render(
    request: Request, template: str, *, status_code: int = 200, **context: Any
) -> HTMLResponse:
    """Render a Japanese page with the system's frame (name, colour, logged-in user)."""
    base = {
        "system_name": request.app.state.system_name,
        "header_color": request.app.state.header_color,
        "user": getattr(request.state, "user", None),
    }
    return templates.TemplateResponse(
        request, template, {**base, **context}, status_code=status_code
    )


def create_base_app(
    *,
    system_name: str,
    header_color: str,
    username: str,
    password: str,
    faults: FaultSettings | None = None,
    home: str = "/",
    cookie: str = COOKIE,
    admin_token: str | None = None,
) -> FastAPI:
    """A FastAPI app with login, logout, fault knobs and ``/healthz``; add business routes to it.

    The fault knobs need the login or ``admin_token`` as a bearer token (default: the
    install's, :func:`sandbox._admin.admin_token`, read when first presented).
    """
    app = FastAPI(title=system_name, docs_url=None, redoc_url=None, openapi_url=None)
    injector = FaultInjector(faults)
    app.state.faults = injector
    app.state.sessions = SessionStore(injector)
    app.state.system_name = system_name
    app.state.header_color = header_color
    app.state.home = home
    app.state.cookie = cookie
    app.state.admin_token = admin_token
    app.add_middleware(FaultMiddleware, injector=injector)

    @app.exception_handler(LoginRequired)
    async def _to_login(_request: Request, exc: LoginRequired) -> Response:
        reason = "&reason=expired" if exc.expired else ""
        response = RedirectResponse(f"/login?next={quote(exc.next_url)}{reason}", status_code=303)
        response.delete_cookie(cookie)
        return response

    @app.get("/healthz")
    async def healthz() -> dict[str, str]:
        return {"status": "ok", "system": system_name}

    @app.get("/login", response_class=HTMLResponse)
    async def login_form(request: Request, next: str = "/", reason: str = "") -> HTMLResponse:
        message = (
            "セッションの有効期限が切れました。再度ログインしてください。"
            if reason == "expired"
            else None
        )
        return render(request, "login.html", next_url=_safe_next(next, home), message=message)

    @app.post("/login")
    async def login(
        request: Request,
        username_in: Annotated[str, Form(alias="username")] = "",
        password_in: Annotated[str, Form(alias="password")] = "",
        next: Annotated[str, Form()] = "/",
    ) -> Response:
        user_ok = hmac.compare_digest(username_in.encode(), username.encode())
        password_ok = hmac.compare_digest(password_in.encode(), password.encode())
        if not (user_ok and password_ok):
            return render(
                request,
                "login.html",
                status_code=401,
                next_url=_safe_next(next, home),
                errors=["ユーザーIDまたはパスワードが正しくありません。"],
            )
        token = app.state.sessions.create(username)
        response = RedirectResponse(_safe_next(next, home), status_code=303)
        response.set_cookie(cookie, token, httponly=True, samesite="lax")
        return response

    @app.post("/logout")
    async def logout(request: Request) -> Response:
        app.state.sessions.end(request.cookies.get(cookie))
        response = RedirectResponse("/login", status_code=303)
        response.delete_cookie(cookie)
        return response

    add_fault_routes(app)
    return app


def add_fault_routes(app: FastAPI) -> None:
    """Add ``/admin/faults`` (page and form) and ``/admin/faults.json`` (GET, PUT) to ``app``.

    They steer ``app.state.faults`` and answer only the login or the admin token; an API call
    without either gets 401 with ``WWW-Authenticate: Bearer``.
    """
    injector: FaultInjector = app.state.faults

    @app.exception_handler(AdminRequired)
    async def _refused(_request: Request, _exc: AdminRequired) -> Response:
        return JSONResponse(
            {"error": "log in to this system or send 'Authorization: Bearer <admin token>'"},
            status_code=401,
            headers={"WWW-Authenticate": 'Bearer realm="jimu-sandbox"'},
        )

    @app.get("/admin/faults", response_class=HTMLResponse, dependencies=[AdminPage])
    async def faults_page(request: Request) -> HTMLResponse:
        return render(request, "faults.html", knobs=injector.settings.model_dump())

    @app.post("/admin/faults", dependencies=[AdminPage])
    async def faults_form(request: Request) -> Response:
        form = await request.form()
        raw = {k: v for k, v in form.items() if isinstance(v, str) and v.strip() != ""}
        try:
            injector.update(FaultSettings.model_validate(raw))
        except ValidationError as exc:
            errors = [f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors()]
            return render(request, "faults.html", status_code=422, knobs=raw, errors=errors)
        return render(
            request, "faults.html", knobs=injector.settings.model_dump(), message="保存しました。"
        )

    @app.get("/admin/faults.json", dependencies=[AdminApi])
    async def faults_json() -> dict[str, Any]:
        return injector.settings.model_dump()

    @app.put("/admin/faults.json", dependencies=[AdminApi])
    async def faults_put(request: Request) -> Response:
        try:
            injector.update(FaultSettings.model_validate(await request.json()))
        except (ValidationError, ValueError) as exc:
            return JSONResponse({"error": str(exc)}, status_code=422)
        return JSONResponse(injector.settings.model_dump())
