"""Local users of the station (scrypt-hashed passwords, roles) and their login sessions.

Own owner-only SQLite file (default ``<data_dir>/review/users.sqlite3``), apart from the
review store, so that logins and page views never wake a flow waiting on the store.
A session cookie holds a random token; the database keeps only its SHA-256, with the
session's CSRF token and its times. A session ends after ``idle_seconds`` without a request
or ``max_seconds`` after login, whichever comes first.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import logging
import re
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import delete, insert, select, update
from sqlalchemy.exc import IntegrityError

from core.errors import DuplicateRecord, InvalidInput
from core.settings import get_settings
from review._db import open_sqlite, sessions_table, user_metadata, users_table
from review._models import Role

__all__ = ["Session", "User", "UserStore", "hash_password", "verify_password"]

log = logging.getLogger(__name__)

USER_NAME = re.compile(r"^[\w.-]{1,32}$")
MIN_PASSWORD = 8
# scrypt cost: 16 MiB of memory and about 50 ms per check on these machines.
_N, _R, _P, _DKLEN = 2**14, 8, 1, 32
_TOUCH_EVERY = timedelta(seconds=30)


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def hash_password(password: str, *, salt: bytes | None = None) -> str:
    """``scrypt$N$r$p$salt$hash`` of ``password`` with a fresh 16-byte salt."""
    salt = salt or secrets.token_bytes(16)
    digest = hashlib.scrypt(password.encode(), salt=salt, n=_N, r=_R, p=_P, dklen=_DKLEN)
    return f"scrypt${_N}${_R}${_P}${_b64(salt)}${_b64(digest)}"


def verify_password(password: str, stored: str) -> bool:
    """True if ``password`` matches the ``stored`` hash (constant-time comparison)."""
    try:
        scheme, n, r, p, salt, digest = stored.split("$")
        if scheme != "scrypt":
            return False
        expected = base64.b64decode(digest)
        actual = hashlib.scrypt(
            password.encode(),
            salt=base64.b64decode(salt),
            n=int(n),
            r=int(r),
            p=int(p),
            dklen=len(expected),
        )
    except ValueError:
        return False
    return hmac.compare_digest(actual, expected)


# Checked when the user name is unknown, so a wrong name costs as long as a wrong password.
_DUMMY_HASH = hash_password(secrets.token_urlsafe(16))


@dataclass(frozen=True)
class User:
    """A user of the station."""

    name: str
    role: Role

    @property
    def is_admin(self) -> bool:
        """True for a 管理者."""
        return self.role is Role.ADMIN


@dataclass(frozen=True)
class Session:
    """A live login: who, and the CSRF token every form of this session must carry."""

    user: User
    csrf: str


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _now() -> datetime:
    return datetime.now(UTC)


class UserStore:
    """Users and sessions of the review station."""

    def __init__(
        self,
        path: Path | None = None,
        *,
        idle_seconds: float = 1800.0,
        max_seconds: float = 12 * 3600.0,
    ) -> None:
        self.path = path or get_settings().path("review", "users.sqlite3")
        self.engine = open_sqlite(self.path, user_metadata)
        self.idle = timedelta(seconds=idle_seconds)
        self.max_age = timedelta(seconds=max_seconds)

    def close(self) -> None:
        """Release the database connections."""
        self.engine.dispose()

    # -- users ---------------------------------------------------------------------------

    def add_user(self, name: str, password: str, *, role: Role) -> User:
        """Create a user. Raises :class:`InvalidInput` for a bad name or a short password and
        :class:`DuplicateRecord` if the name is taken."""
        if not USER_NAME.fullmatch(name):
            raise InvalidInput("user names are 1–32 letters, digits, '.', '_' or '-'", field="name")
        _check_password(password)
        try:
            with self.engine.begin() as conn:
                conn.execute(
                    insert(users_table).values(
                        name=name,
                        role=Role(role).value,
                        password_hash=hash_password(password),
                        created_at=_now(),
                    )
                )
        except IntegrityError:
            raise DuplicateRecord(f"user {name!r} exists already") from None
        log.info("review: user %s added with role %s", name, Role(role).value)
        return User(name, Role(role))

    def set_password(self, name: str, password: str) -> None:
        """Change a user's password and end their sessions."""
        _check_password(password)
        with self.engine.begin() as conn:
            changed = conn.execute(
                update(users_table)
                .where(users_table.c.name == name)
                .values(password_hash=hash_password(password))
            ).rowcount
            conn.execute(delete(sessions_table).where(sessions_table.c.username == name))
        if changed != 1:
            raise InvalidInput(f"no user {name!r}", field="name")

    def get(self, name: str) -> User | None:
        """The user called ``name``, or None."""
        with self.engine.connect() as conn:
            row = conn.execute(select(users_table.c.role).where(users_table.c.name == name)).first()
        return None if row is None else User(name, Role(row.role))

    def users(self) -> list[User]:
        """Every user, by name."""
        with self.engine.connect() as conn:
            rows = conn.execute(
                select(users_table.c.name, users_table.c.role).order_by(users_table.c.name)
            ).all()
        return [User(row.name, Role(row.role)) for row in rows]

    def authenticate(self, name: str, password: str) -> User | None:
        """The user if ``password`` is theirs, else None; as slow for unknown names."""
        with self.engine.connect() as conn:
            row = conn.execute(
                select(users_table.c.role, users_table.c.password_hash).where(
                    users_table.c.name == name
                )
            ).first()
        ok = verify_password(password, row.password_hash if row else _DUMMY_HASH)
        return User(name, Role(row.role)) if row is not None and ok else None

    # -- sessions ------------------------------------------------------------------------

    def start_session(self, user: User) -> tuple[str, Session]:
        """A new session for ``user``: the cookie token and the session."""
        token, csrf, now = secrets.token_urlsafe(32), secrets.token_urlsafe(32), _now()
        with self.engine.begin() as conn:
            conn.execute(
                insert(sessions_table).values(
                    token_hash=_token_hash(token),
                    username=user.name,
                    csrf=csrf,
                    created_at=now,
                    last_seen_at=now,
                )
            )
        return token, Session(user, csrf)

    def session(self, token: str | None) -> Session | None:
        """The live session of a cookie token (noting this visit), or None."""
        if not token or len(token) > 128:
            return None
        key, now = _token_hash(token), _now()
        s, u = sessions_table.c, users_table.c
        with self.engine.connect() as conn:
            row = conn.execute(
                select(s.csrf, s.created_at, s.last_seen_at, u.name, u.role)
                .join_from(sessions_table, users_table, s.username == u.name)
                .where(s.token_hash == key)
            ).first()
        if row is None:
            return None
        if now - row.last_seen_at > self.idle or now - row.created_at > self.max_age:
            self.end_session(token)
            return None
        if now - row.last_seen_at > _TOUCH_EVERY:
            with self.engine.begin() as conn:
                conn.execute(
                    update(sessions_table).where(s.token_hash == key).values(last_seen_at=now)
                )
        return Session(User(row.name, Role(row.role)), row.csrf)

    def end_session(self, token: str | None) -> None:
        """Log out (nothing happens for an unknown token)."""
        if token:
            with self.engine.begin() as conn:
                conn.execute(
                    delete(sessions_table).where(sessions_table.c.token_hash == _token_hash(token))
                )

    def purge_sessions(self) -> int:
        """Delete expired sessions; returns how many."""
        now = _now()
        s = sessions_table.c
        with self.engine.begin() as conn:
            result = conn.execute(
                delete(sessions_table).where(
                    (s.last_seen_at < now - self.idle) | (s.created_at < now - self.max_age)
                )
            )
        return int(result.rowcount)


def _check_password(password: str) -> None:
    if len(password) < MIN_PASSWORD:
        raise InvalidInput(f"a password has at least {MIN_PASSWORD} characters", field="password")
