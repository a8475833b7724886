"""The portal's SQLite schema: one row per received application, the full claim kept as JSON."""

from __future__ import annotations

from typing import Final, Literal

from sqlalchemy import (
    CheckConstraint,
    Column,
    Date,
    Engine,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
)

__all__ = ["ACCEPTED", "PENDING", "RETURNED", "STATUSES", "Status", "applications", "create_schema"]

Status = Literal["未処理", "受理", "差戻し"]
PENDING: Final = "未処理"
ACCEPTED: Final = "受理"
RETURNED: Final = "差戻し"
STATUSES: Final[tuple[Status, ...]] = (PENDING, ACCEPTED, RETURNED)

metadata = MetaData()

applications = Table(
    "applications",
    metadata,
    Column("application_id", String(32), primary_key=True),
    Column("received_at", Date, nullable=False),
    # Listing columns copied out of the payload so the 受付一覧 needs no JSON parsing.
    Column("applicant_name", Text, nullable=False),
    Column("children_count", Integer, nullable=False),
    Column("payload", Text, nullable=False, comment="ChildAllowanceApplication as JSON"),
    # Free-text answers exactly as the citizen typed them ({CSV column: text}), where they
    # differ from the structured payload: 平成31年5月1日 in a date field, ひらがな in フリガナ.
    Column("as_entered", Text, nullable=True),
    Column("status", String(8), nullable=False, server_default=PENDING),
    # Unique: one 受給者番号 belongs to one claim, so a robot writing it back twice is caught.
    Column("recipient_no", String(8), nullable=True, unique=True),
    Column("return_reason", Text, nullable=True),
    Column("created_at", String(32), nullable=False, comment="ISO 8601, JST"),
    Column("updated_at", String(32), nullable=False, comment="ISO 8601, JST"),
    CheckConstraint(f"status IN ('{PENDING}', '{ACCEPTED}', '{RETURNED}')", name="status_known"),
    CheckConstraint(
        f"(status = '{ACCEPTED}') = (recipient_no IS NOT NULL)", name="recipient_iff_accepted"
    ),
    CheckConstraint(
        f"(status = '{RETURNED}') = (return_reason IS NOT NULL)", name="reason_iff_returned"
    ),
    Index("ix_applications_listing", "status", "received_at", "application_id"),
    Index("ix_applications_received", "received_at", "application_id"),
)


def create_schema(engine: Engine) -> None:
    """Create the tables if they are absent (safe to call on every start)."""
    metadata.create_all(engine)
