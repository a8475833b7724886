"""Rows to views, typed values to checked ones, and audit entries: the store's plumbing."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, insert, select, update

from review._db import audit_table, documents_table, fields_table
from review._errors import FieldErrors, StaleDocument
from review._models import DocumentState, DocumentView, FieldView, normalise_value

__all__ = ["add_audit", "check_values", "expect_state", "field_update", "now", "to_view"]

D, F = documents_table.c, fields_table.c


def now() -> datetime:
    """The current time, UTC."""
    return datetime.now(UTC)


def expect_state(view: DocumentView, state: DocumentState, revision: int) -> None:
    """Raise :class:`StaleDocument` unless the document is still as the page showed it."""
    if view.state is not state or view.revision != revision:
        raise StaleDocument(f"document {view.document_id} changed since the page was opened")


def check_values(fields: Sequence[FieldView], values: Mapping[str, str]) -> dict[str, str]:
    """The typed value of each field, normalised; raises :class:`FieldErrors` for any that is
    missing or breaks its pattern."""
    typed: dict[str, str] = {}
    errors: dict[str, str] = {}
    for field in fields:
        raw = values.get(field.name)
        if raw is None:
            errors[field.name] = "入力がありません。"
            continue
        typed[field.name] = normalise_value(field.kind, raw)
        hint = field.check(typed[field.name])
        if hint is not None:
            errors[field.name] = hint
    if errors:
        raise FieldErrors(errors)
    return typed


def field_update(view: DocumentView, name: str) -> Any:
    """An UPDATE of the field ``name`` of the document ``view``."""
    document = select(D.id).where(D.document_id == view.document_id).scalar_subquery()
    return update(fields_table).where(F.document == document, F.name == name)


def to_view(conn: Connection, row: Mapping[Any, Any]) -> DocumentView:
    """A document row and its fields as a :class:`DocumentView`."""
    query = select(fields_table).where(F.document == row["id"]).order_by(F.position)
    fields = tuple(
        FieldView(
            crop_id=f["crop_id"],
            name=f["name"],
            label=f["label"],
            kind=f["kind"],
            ocr_value=f["ocr_value"],
            value=f["value"],
            confidence=f["confidence"],
            accepted=f["accepted"],
            reason=f["reason"],
            critical=f["critical"],
            pattern=f["pattern"],
            hint=f["hint"],
            first_entry=f["first_entry"],
            second_entry=f["second_entry"],
        )
        for f in conn.execute(query).mappings()
    )
    return DocumentView(
        document_id=row["document_id"],
        scenario=row["scenario"],
        source_name=row["source_name"],
        state=DocumentState(row["state"]),
        revision=row["revision"],
        submitted_at=row["submitted_at"],
        reviewer=row["reviewer"],
        verifier=row["verifier"],
        review_seconds=row["review_seconds"],
        finished_at=row["finished_at"],
        return_reason=row["return_reason"],
        fields=fields,
    )


def add_audit(
    conn: Connection,
    user: str,
    document_id: str,
    action: str,
    *,
    field: str | None = None,
    before: str | None = None,
    after: str | None = None,
    seconds: float | None = None,
    at: datetime | None = None,
) -> None:
    """Write one audit entry in the caller's transaction."""
    conn.execute(
        insert(audit_table).values(
            at=at or now(),
            username=user,
            document_id=document_id,
            action=action,
            field=field,
            before=before,
            after=after,
            seconds=seconds,
        )
    )
