"""What keeps the station safe: sessions and CSRF as FastAPI dependencies, a login throttle,
security headers with a per-response CSP nonce, and an access log without personal data.
"""

from __future__ import annotations

import hmac
import logging
import secrets
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import Depends, Request
from starlette.datastructures import FormData, MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from review._users import Session, UserStore

__all__ = [
    "COOKIE",
    "LOGIN_COOKIE",
    "AdminDep",
    "AdminRequired",
    "CsrfRejected",
    "LoginRequired",
    "LoginThrottle",
    "Posted",
    "PostedDep",
    "SecurityMiddleware",
    "SessionDep",
    "safe_next",
    "tokens_match",
]

COOKIE = "jimu_review"
LOGIN_COOKIE = "jimu_review_login"  # double-submit CSRF token of the login form

access_log = logging.getLogger("review.access")


class LoginRequired(Exception):
    """No live session: answered with a redirect to the login page."""

    def __init__(self, *, next_url: str, expired: bool) -> None:
        super().__init__("login required")
        self.next_url = next_url
        self.expired = expired


class CsrfRejected(Exception):
    """A POST without this session's CSRF token: answered with 403."""


class AdminRequired(Exception):
    """A 確認者 asked for a 管理者 page: answered with 403."""


def tokens_match(given: object, expected: str) -> bool:
    """Constant-time comparison of a submitted token with the expected one."""
    return isinstance(given, str) and hmac.compare_digest(given.encode(), expected.encode())


def safe_next(url: str | None, default: str = "/") -> str:
    """``url`` if it is a path on this site (no scheme, host or backslash), else ``default``."""
    if not url or not url.startswith("/") or url.startswith("//") or "\\" in url:
        return default
    return url


def current_session(request: Request) -> Session:
    """FastAPI dependency: the caller's live session, else :class:`LoginRequired`."""
    users: UserStore = request.app.state.users
    token = request.cookies.get(COOKIE)
    session = users.session(token)
    if session is None:
        next_url = request.url.path if request.method == "GET" else "/"
        raise LoginRequired(next_url=next_url, expired=token is not None)
    request.state.session = session
    return session


SessionDep = Annotated[Session, Depends(current_session)]


@dataclass(frozen=True)
class Posted:
    """A POST from a live session that carried the session's CSRF token, with its form."""

    session: Session
    form: FormData

    def text(self, name: str, default: str = "") -> str:
        """A text field of the form (files are ignored)."""
        value = self.form.get(name, default)
        return value if isinstance(value, str) else default


async def posted(request: Request, session: SessionDep) -> Posted:
    """FastAPI dependency for every POST: a session and its CSRF token, else refusal."""
    form = await request.form()
    if not tokens_match(form.get("csrf"), session.csrf):
        raise CsrfRejected()
    return Posted(session, form)


PostedDep = Annotated[Posted, Depends(posted)]


def admin_session(session: SessionDep) -> Session:
    """FastAPI dependency: a 管理者's session, else 403."""
    if not session.user.is_admin:
        raise AdminRequired()
    return session


AdminDep = Annotated[Session, Depends(admin_session)]


class LoginThrottle:
    """Counts failed logins; too many for one user name (or one client) pause further tries."""

    def __init__(
        self,
        *,
        per_user: int,
        per_client: int = 30,
        window: float = 300.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.per_user, self.per_client, self.window, self.clock = (
            per_user,
            per_client,
            window,
            clock,
        )
        self._failures: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def _recent(self, key: str, now: float) -> deque[float]:
        times = self._failures.setdefault(key, deque())
        while times and times[0] < now - self.window:
            times.popleft()
        return times

    def blocked(self, user: str, client: str) -> bool:
        """True while ``user`` or ``client`` has too many recent failures."""
        now = self.clock()
        with self._lock:
            return (
                len(self._recent("u:" + user, now)) >= self.per_user
                or len(self._recent("c:" + client, now)) >= self.per_client
            )

    def failed(self, user: str, client: str) -> None:
        """Note a failed login."""
        now = self.clock()
        with self._lock:
            self._recent("u:" + user, now).append(now)
            self._recent("c:" + client, now).append(now)

    def succeeded(self, user: str) -> None:
        """Forget a user's failures after a good login."""
        with self._lock:
            self._failures.pop("u:" + user, None)


def _csp(nonce: str) -> str:
    return (
        "default-src 'none'; img-src 'self'; "
        f"style-src 'nonce-{nonce}'; script-src 'nonce-{nonce}'; "
        "form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
    )


class SecurityMiddleware:
    """Adds security headers (CSP with a fresh nonce, no caching, no framing, no referrer)
    to every response and logs one access line: method, route template, status, time.

    The route template (``/documents/{document_id}``) is logged, never the real path or
    query, so no id a person could be traced by ends up in the log.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        nonce = secrets.token_urlsafe(16)
        scope.setdefault("state", {})["csp_nonce"] = nonce
        status = {"code": 500}
        started = time.perf_counter()

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                status["code"] = message["status"]
                headers = MutableHeaders(scope=message)
                headers["Content-Security-Policy"] = _csp(nonce)
                headers["X-Content-Type-Options"] = "nosniff"
                headers["X-Frame-Options"] = "DENY"
                headers["Referrer-Policy"] = "no-referrer"
                headers["Cache-Control"] = "no-store"
            await send(message)

        try:
            await self.app(scope, receive, send_with_headers)
        finally:
            route: Any = scope.get("route")
            access_log.info(
                "%s %s %d %.0fms",
                scope["method"],
                getattr(route, "path", "-"),
                status["code"],
                (time.perf_counter() - started) * 1000,
            )
