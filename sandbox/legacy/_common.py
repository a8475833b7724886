"""What the screens of the 資格管理システム share: the session, the database, today, the hash."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy import Engine

from sandbox._sessions import Session
from sandbox.business._inspect import my_number_digest

__all__ = ["LegacyLoginRequired", "LegacySession", "digest", "engine_of", "today"]


class LegacyLoginRequired(Exception):
    """No live session: the app answers with the login page, in whichever frame asked."""

    def __init__(self, *, expired: bool) -> None:
        super().__init__("login required")
        self.expired = expired


def _session(request: Request) -> Session:
    token = request.cookies.get(request.app.state.cookie)
    session: Session | None = request.app.state.sessions.touch(token)
    if session is None:
        raise LegacyLoginRequired(expired=token is not None)
    request.state.user = session.user
    return session


LegacySession = Annotated[Session, Depends(_session)]


def engine_of(request: Request) -> Engine:
    """The app's database engine."""
    engine: Engine = request.app.state.engine
    return engine


def today() -> date:
    """The office's date (the machine's local date)."""
    return date.today()


def digest(request: Request, my_number: str) -> str:
    """The keyed hash under which the app stores and finds ``my_number``."""
    key: bytes = request.app.state.hash_key
    return my_number_digest(my_number, key)
