"""SQLite files for the sandbox systems: owner-only, WAL, one engine per file."""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event

__all__ = ["open_database", "open_read_only"]


def _create_owner_only(path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    os.close(fd)
    os.chmod(path, 0o600)  # also tighten a file an older version left readable


def open_database(path: Path) -> Engine:
    """An engine on the SQLite file ``path``, created owner-only (mode 600) if absent."""
    _create_owner_only(path)
    engine = create_engine(f"sqlite:///{path}", connect_args={"check_same_thread": False})

    @event.listens_for(engine, "connect")
    def _pragmas(dbapi_connection: Any, _record: Any) -> None:
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA busy_timeout=5000")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.close()

    return engine


def open_read_only(path: Path) -> sqlite3.Connection:
    """A read-only connection to a sandbox database (for inspection by tests and benchmarks)."""
    return sqlite3.connect(f"file:{path}?mode=ro", uri=True)
