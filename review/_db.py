"""The station's SQLite files: owner-only, WAL, deleted rows overwritten (secure_delete)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from sqlalchemy import (
    Boolean,
    Column,
    Engine,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
    create_engine,
    event,
)

from core.database import create_tables, set_sqlite_pragmas
from core.ledger import UtcDateTime

__all__ = [
    "audit_table",
    "documents_table",
    "fields_table",
    "open_sqlite",
    "review_metadata",
    "sessions_table",
    "unsorted_table",
    "user_metadata",
    "users_table",
]


def open_sqlite(path: Path, metadata: MetaData) -> Engine:
    """An engine on ``path`` (created mode 600 in an owner-only folder) with its tables."""
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    os.close(os.open(path, os.O_RDWR | os.O_CREAT, 0o600))
    os.chmod(path, 0o600)  # tighten a file someone left readable
    engine = create_engine(f"sqlite:///{path}", connect_args={"check_same_thread": False})
    event.listen(engine, "connect", _pragmas)
    create_tables(metadata, engine)
    return engine


def _pragmas(dbapi_connection: Any, _record: Any) -> None:
    # secure_delete: a purged row with personal data is overwritten in the file, not unlinked.
    set_sqlite_pragmas(dbapi_connection, "foreign_keys=ON", "secure_delete=ON")


review_metadata = MetaData()

documents_table = Table(
    "documents",
    review_metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("document_id", String(128), nullable=False, unique=True),
    Column("scenario", String(64), nullable=False),
    Column("source_name", String(255), nullable=False),
    Column("state", String(16), nullable=False),
    Column("revision", Integer, nullable=False, default=0),
    Column("submitted_at", UtcDateTime(), nullable=False),
    Column("finished_at", UtcDateTime()),
    Column("handed_over_at", UtcDateTime()),
    Column("reviewer", String(64)),
    Column("verifier", String(64)),
    Column("review_seconds", Float, nullable=False, default=0.0),
    Column("return_reason", String(500)),
    Index("ix_documents_state", "state", "scenario"),
)

fields_table = Table(
    "fields",
    review_metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("document", Integer, ForeignKey("documents.id", ondelete="CASCADE"), nullable=False),
    Column("position", Integer, nullable=False),
    Column("name", String(64), nullable=False),
    Column("label", String(100), nullable=False),
    Column("kind", String(32), nullable=False),
    Column("ocr_value", Text, nullable=False),
    Column("confidence", Float, nullable=False),
    Column("accepted", Boolean, nullable=False),
    Column("reason", String(500)),
    Column("critical", Boolean, nullable=False),
    Column("pattern", String(500)),
    Column("hint", String(200)),
    # An opaque random id: the only way a browser can ask for a crop.
    Column("crop_id", String(32), unique=True),
    Column("crop_png", LargeBinary),
    Column("value", Text, nullable=False),
    Column("first_entry", Text),
    Column("second_entry", Text),
    Index("ix_fields_document", "document"),
)

audit_table = Table(
    "audit",
    review_metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("at", UtcDateTime(), nullable=False),
    Column("username", String(64), nullable=False),
    Column("document_id", String(128), nullable=False),
    Column("action", String(32), nullable=False),
    Column("field", String(64)),
    Column("before", Text),
    Column("after", Text),
    Column("seconds", Float),
    Index("ix_audit_at", "at"),
)

# The 未仕分け tray: pages no form's template matched, waiting for a person to name the form.
# The page itself is an owner-only file beside the database (review/unsorted/<page_id>.png);
# a handled row stays (assigned or discarded) so a rerun of the batch never puts it back.
unsorted_table = Table(
    "unsorted_pages",
    review_metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("page_id", String(128), nullable=False, unique=True),
    Column("scenario", String(64), nullable=False),  # the run that found it
    Column("reason", String(1000), nullable=False),
    Column("candidates", String(500), nullable=False, default=""),  # form ids, comma-separated
    Column("state", String(16), nullable=False),  # waiting, assigned, discarded
    Column("added_at", UtcDateTime(), nullable=False),
    Column("handled_at", UtcDateTime()),
    Column("handled_by", String(64)),
    Column("assigned_to", String(64)),
    Index("ix_unsorted_state", "state"),
)

user_metadata = MetaData()

users_table = Table(
    "users",
    user_metadata,
    Column("name", String(64), primary_key=True),
    Column("role", String(16), nullable=False),
    Column("password_hash", String(256), nullable=False),
    Column("created_at", UtcDateTime(), nullable=False),
)

sessions_table = Table(
    "sessions",
    user_metadata,
    # SHA-256 of the cookie value: a copy of the database opens no session.
    Column("token_hash", String(64), primary_key=True),
    Column("username", String(64), ForeignKey("users.name", ondelete="CASCADE"), nullable=False),
    Column("csrf", String(64), nullable=False),
    Column("created_at", UtcDateTime(), nullable=False),
    Column("last_seen_at", UtcDateTime(), nullable=False),
)
