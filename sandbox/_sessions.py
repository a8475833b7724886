"""Server-side login sessions that expire when idle or after a number of requests."""

from __future__ import annotations

import secrets
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from sandbox._faults import FaultInjector

__all__ = ["Session", "SessionStore"]


@dataclass
class Session:
    """One logged-in user. ``data`` holds screen state such as a registration draft."""

    user: str
    last_seen: float
    requests: int = 0
    data: dict[str, Any] = field(default_factory=dict)


class SessionStore:
    """In-memory sessions, like the legacy systems that lose them on restart."""

    def __init__(self, injector: FaultInjector, *, clock: Callable[[], float] = time.monotonic):
        self._injector = injector
        self._clock = clock
        self._lock = threading.Lock()
        self._sessions: dict[str, Session] = {}

    def create(self, user: str) -> str:
        """Start a session for ``user`` and return its token."""
        token = secrets.token_urlsafe(24)
        with self._lock:
            self._sessions[token] = Session(user=user, last_seen=self._clock())
        return token

    def touch(self, token: str | None) -> Session | None:
        """The live session for ``token`` (counting this request), or None if absent or expired."""
        if not token:
            return None
        knobs = self._injector.settings
        now = self._clock()
        with self._lock:
            session = self._sessions.get(token)
            if session is None:
                return None
            idle = now - session.last_seen
            session.requests += 1
            limit = knobs.session_expiry_requests
            if idle > knobs.idle_timeout_seconds or (limit and session.requests > limit):
                del self._sessions[token]
                return None
            session.last_seen = now
            return session

    def end(self, token: str | None) -> None:
        """Log out."""
        if token:
            with self._lock:
                self._sessions.pop(token, None)
