"""Opening a store that several processes share: its tables, and SQLite's settings."""

from __future__ import annotations

import sqlite3
import time
from typing import Any

from sqlalchemy import Engine, MetaData
from sqlalchemy.exc import DBAPIError, IntegrityError

__all__ = ["create_tables", "set_sqlite_pragmas"]

_ATTEMPTS = 5
_WAL_WAIT_SECONDS = 10.0


def create_tables(metadata: MetaData, engine: Engine) -> None:
    """Create ``metadata``'s tables that are absent, safe against a concurrent creator.

    ``MetaData.create_all`` checks, then creates: two workers opening a new ledger at the
    same moment both see no table and the slower one fails with "table … already exists"
    (PostgreSQL: a duplicate ``pg_type`` row). Such a failure means another process made the
    table, so the check runs again and finds it.
    """
    for attempt in range(1, _ATTEMPTS + 1):
        try:
            metadata.create_all(engine)
            return
        except DBAPIError as exc:
            if attempt == _ATTEMPTS or not _made_by_someone_else(exc):
                raise
            time.sleep(0.05 * attempt)


def set_sqlite_pragmas(dbapi_connection: Any, *pragmas: str) -> None:
    """Wait up to 10 s for a lock, use WAL, then run ``pragmas`` (e.g. ``"foreign_keys=ON"``).

    Switching a new file to WAL answers "database is locked" at once, without waiting, while
    another process is switching it too; that is retried here for the same 10 s.
    """
    cursor = dbapi_connection.cursor()
    try:
        cursor.execute(f"PRAGMA busy_timeout={int(_WAL_WAIT_SECONDS * 1000)}")
        deadline = time.monotonic() + _WAL_WAIT_SECONDS
        while True:
            try:
                cursor.execute("PRAGMA journal_mode=WAL")
                break
            except sqlite3.OperationalError as exc:
                if "locked" not in str(exc) or time.monotonic() > deadline:
                    raise
                time.sleep(0.02)
        for pragma in pragmas:
            cursor.execute(f"PRAGMA {pragma}")
    finally:
        cursor.close()


def _made_by_someone_else(exc: DBAPIError) -> bool:
    return isinstance(exc, IntegrityError) or "already exists" in str(exc.orig).lower()
