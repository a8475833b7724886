"""The review store: documents waiting for a person, their fields and crops, and the audit.

One owner-only SQLite file (default ``<data_dir>/review/review.sqlite3``). The paper-intake
flow submits documents and collects confirmed or returned ones; the station's pages act on
them. Every step is one transaction that first bumps the document's ``revision`` where it
still has the revision the page showed, so two reviewers never both act on one state.
"""

from __future__ import annotations

import logging
import secrets
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, delete, func, insert, select, update
from sqlalchemy.exc import IntegrityError

from core.settings import get_settings
from review._db import audit_table, documents_table, fields_table, open_sqlite, review_metadata
from review._errors import FieldErrors, NotAllowed, StaleDocument, UnknownDocument
from review._models import (
    AuditEntry,
    ConfirmedDocument,
    DocumentState,
    DocumentView,
    QueueEntry,
    ReturnedDocument,
    ReviewDocument,
)
from review._rows import (
    add_audit,
    check_values,
    expect_state,
    field_update,
    now,
    to_view,
)
from review._time import StepTime, step_time
from review._watch import ChangeWatcher, notify_change

__all__ = ["ReviewStore", "default_review_path"]

log = logging.getLogger(__name__)

D, F, A = documents_table.c, fields_table.c, audit_table.c
SYSTEM_USER = "system"


def default_review_path(data_dir: Path | None = None) -> Path:
    """``<data_dir>/review/review.sqlite3`` (the folder is created owner-only)."""
    if data_dir is None:
        return get_settings().path("review", "review.sqlite3")
    (data_dir / "review").mkdir(parents=True, exist_ok=True, mode=0o700)
    return data_dir / "review" / "review.sqlite3"


class ReviewStore:
    """Documents waiting for review, on an owner-only SQLite file that survives restarts."""

    def __init__(self, path: Path | None = None) -> None:
        self.path = path or default_review_path()
        self.engine = open_sqlite(self.path, review_metadata)
        self._watcher = ChangeWatcher(self.path)

    def close(self) -> None:
        """Release the database connections."""
        self._watcher.close()
        self.engine.dispose()

    # -- the flow's side -----------------------------------------------------------------

    def submit(self, document: ReviewDocument, *, confirmed: bool = False) -> str:
        """Park ``document`` for review; returns its id. Submitting a known id changes nothing.

        ``confirmed=True`` keeps a document whose every field the reader accepted: it needs
        no person and is stored already 確定, so it is durable until the flow hands it over
        (registered) — a crash between reading and registering loses nothing.
        """
        submitted = now()
        state = DocumentState.CONFIRMED if confirmed else DocumentState.WAITING
        try:
            with self.engine.begin() as conn:
                known = conn.execute(
                    select(D.id).where(D.document_id == document.document_id)
                ).first()
                if known:
                    return document.document_id
                pk = conn.execute(
                    insert(documents_table)
                    .returning(D.id)
                    .values(
                        document_id=document.document_id,
                        scenario=document.scenario,
                        source_name=document.source_name,
                        state=state.value,
                        revision=0,
                        submitted_at=submitted,
                        finished_at=submitted if confirmed else None,
                        review_seconds=0.0,
                    )
                ).scalar_one()
                conn.execute(
                    insert(fields_table),
                    [
                        {
                            "document": pk,
                            "position": i,
                            **field.model_dump(exclude={"crop_png"}, exclude_none=False),
                            "ocr_value": field.value,
                            "crop_png": field.crop_png,
                            "crop_id": secrets.token_urlsafe(16) if field.crop_png else None,
                            "first_entry": None,
                            "second_entry": None,
                        }
                        for i, field in enumerate(document.fields)
                    ],
                )
                action = "auto-confirmed" if confirmed else "submitted"
                add_audit(conn, SYSTEM_USER, document.document_id, action, at=submitted)
        except IntegrityError:  # another process submitted the same id at the same moment
            return document.document_id
        notify_change(self.path)
        uncertain = sum(not f.accepted for f in document.fields)
        log.info(
            "review: document %s submitted, %d field(s) to review", document.document_id, uncertain
        )
        return document.document_id

    def confirmed(self, scenario: str) -> list[ConfirmedDocument]:
        """Confirmed documents of ``scenario`` not handed over yet, oldest first."""
        found = []
        for view in self._views(scenario, DocumentState.CONFIRMED):
            found.append(
                ConfirmedDocument(
                    document_id=view.document_id,
                    scenario=view.scenario,
                    source_name=view.source_name,
                    values={f.name: f.value for f in view.fields},
                    corrected=tuple(f.name for f in view.fields if f.value != f.ocr_value),
                    review_seconds=view.review_seconds,
                    reviewer=view.reviewer,
                    verifier=view.verifier,
                    confirmed_at=view.finished_at or view.submitted_at,
                )
            )
        return found

    def returned(self, scenario: str) -> list[ReturnedDocument]:
        """Returned (判読不能) documents of ``scenario`` not handed over yet, oldest first."""
        return [
            ReturnedDocument(
                document_id=view.document_id,
                scenario=view.scenario,
                source_name=view.source_name,
                reason=view.return_reason or "",
                review_seconds=view.review_seconds,
                reviewer=view.reviewer or SYSTEM_USER,
                returned_at=view.finished_at or view.submitted_at,
            )
            for view in self._views(scenario, DocumentState.RETURNED)
        ]

    def mark_handed_over(self, document_id: str) -> None:
        """Record that the flow took a confirmed or returned document over (idempotent).

        Raises :class:`UnknownDocument` for an unknown id and :class:`NotAllowed` for a
        document still under review.
        """
        with self.engine.begin() as conn:
            row = conn.execute(
                select(D.state, D.handed_over_at).where(D.document_id == document_id)
            ).first()
            if row is None:
                raise UnknownDocument(f"no document {document_id} in review")
            if DocumentState(row.state).is_open:
                raise NotAllowed(f"document {document_id} is still under review")
            if row.handed_over_at is None:
                conn.execute(
                    update(documents_table)
                    .where(D.document_id == document_id)
                    .values(handed_over_at=now())
                )
                add_audit(conn, SYSTEM_USER, document_id, "handed-over")
        notify_change(self.path)

    def waiting_count(self) -> int:
        """How many documents still need a person (確認待ち, ベリファイ待ち, 管理者確認待ち)."""
        return sum(n for state, n in self.counts().items() if state.is_open)

    def counts(self) -> dict[DocumentState, int]:
        """How many documents are in each state."""
        with self.engine.connect() as conn:
            rows = conn.execute(select(D.state, func.count()).group_by(D.state)).all()
        found = {DocumentState(state): int(n) for state, n in rows}
        return {state: found.get(state, 0) for state in DocumentState}

    def wait_for_change(self, timeout: float) -> bool:
        """Block until the store changed since the previous call, or ``timeout`` seconds passed.

        True means something changed (a document was submitted, confirmed, returned …) in
        this or another process: re-read :meth:`confirmed` and :meth:`returned`. It sleeps
        with a capped exponential backoff between cheap ``PRAGMA data_version`` looks and is
        woken at once by writes of this process; see ``review._watch``.
        """
        return self._watcher.wait(timeout)

    def purge_older_than(self, days: int) -> int:
        """Delete documents handed over more than ``days`` ago, and older audit entries.

        Open documents and ones not handed over are kept whatever their age (the work is not
        done). Returns how many documents were deleted; their crops go with them.
        """
        cutoff = now() - timedelta(days=days)
        with self.engine.begin() as conn:
            deleted = conn.execute(
                delete(documents_table).where(
                    D.handed_over_at.is_not(None), D.handed_over_at < cutoff
                )
            ).rowcount
            conn.execute(delete(audit_table).where(A.at < cutoff))
        if deleted:
            notify_change(self.path)
            log.info("review: purged %d document(s) older than %d days", deleted, days)
        return int(deleted)

    # -- the station's side --------------------------------------------------------------

    def document(self, document_id: str) -> DocumentView:
        """One document with its fields; raises :class:`UnknownDocument`."""
        with self.engine.connect() as conn:
            row = conn.execute(select(documents_table).where(D.document_id == document_id))
            found = row.mappings().first()
            if found is None:
                raise UnknownDocument(f"no document {document_id} in review")
            return to_view(conn, found)

    def queue(self, *, user: str, admin: bool) -> list[QueueEntry]:
        """What ``user`` can act on, oldest first: 確認待ち; others' ベリファイ待ち; and, for an
        admin, 管理者確認待ち."""
        wanted = [DocumentState.WAITING.value, DocumentState.VERIFYING.value]
        if admin:
            wanted.append(DocumentState.CONFLICT.value)
        to_review = (
            select(func.count())
            .where(F.document == D.id, F.accepted.is_(False))
            .scalar_subquery()
            .label("fields_to_review")
        )
        query = select(documents_table, to_review).where(D.state.in_(wanted)).order_by(D.id)
        with self.engine.connect() as conn:
            rows = conn.execute(query).mappings().all()
        return [
            QueueEntry(
                document_id=row["document_id"],
                scenario=row["scenario"],
                source_name=row["source_name"],
                state=DocumentState(row["state"]),
                submitted_at=row["submitted_at"],
                reviewer=row["reviewer"],
                fields_to_review=row["fields_to_review"],
            )
            for row in rows
            if not (row["state"] == DocumentState.VERIFYING.value and row["reviewer"] == user)
        ]

    def crop(self, crop_id: str) -> bytes | None:
        """The PNG crop with this opaque id, or None."""
        with self.engine.connect() as conn:
            row = conn.execute(select(F.crop_png).where(F.crop_id == crop_id)).first()
        return None if row is None else row.crop_png

    def audit(self, *, limit: int = 500, document_id: str | None = None) -> list[AuditEntry]:
        """The newest audit entries first (of one document, if given)."""
        query = select(audit_table).order_by(A.id.desc()).limit(limit)
        if document_id is not None:
            query = query.where(A.document_id == document_id)
        with self.engine.connect() as conn:
            rows = conn.execute(query).mappings().all()
        return [
            AuditEntry(
                id=r["id"],
                at=r["at"],
                user=r["username"],
                document_id=r["document_id"],
                action=r["action"],
                field=r["field"],
                before=r["before"],
                after=r["after"],
                seconds=r["seconds"],
            )
            for r in rows
        ]

    def confirm(
        self,
        document_id: str,
        *,
        user: str,
        revision: int,
        values: Mapping[str, str],
        seconds: float,
    ) -> DocumentState:
        """The first review: every uncertain field's value as the reviewer left it.

        Goes to 確定, or to ベリファイ待ち when a critical field was among them. Raises
        :class:`FieldErrors`, :class:`StaleDocument` or :class:`UnknownDocument`.
        """
        view = self.document(document_id)
        expect_state(view, DocumentState.WAITING, revision)
        fields = view.to_review()
        typed = check_values(fields, values)
        critical = any(f.critical for f in fields)
        state = DocumentState.VERIFYING if critical else DocumentState.CONFIRMED
        time = step_time(seconds)
        with self._step(view, state, user=user, time=time, reviewer=user) as conn:
            for field in fields:
                new = typed[field.name]
                conn.execute(
                    field_update(view, field.name).values(
                        value=new, first_entry=new if field.critical else None
                    )
                )
                if new != field.value:
                    add_audit(
                        conn,
                        user,
                        document_id,
                        "corrected",
                        field=field.name,
                        before=field.value,
                        after=new,
                    )
            add_audit(
                conn,
                user,
                document_id,
                "reviewed" if critical else "confirmed",
                seconds=time.seconds,
            )
        return state

    def verify(
        self,
        document_id: str,
        *,
        user: str,
        revision: int,
        values: Mapping[str, str],
        seconds: float,
    ) -> DocumentState:
        """The second, blind entry of the critical fields by a different user.

        All equal: 確定. Any different: 管理者確認待ち. Raises :class:`NotAllowed` for the
        first reviewer, and the errors of :meth:`confirm`.
        """
        view = self.document(document_id)
        expect_state(view, DocumentState.VERIFYING, revision)
        if view.reviewer == user:
            raise NotAllowed("the first reviewer cannot verify their own entry")
        fields = view.to_review()
        typed = check_values(fields, values)
        mismatched = [f for f in fields if typed[f.name] != f.first_entry]
        state = DocumentState.CONFLICT if mismatched else DocumentState.CONFIRMED
        time = step_time(seconds)
        with self._step(view, state, user=user, time=time, verifier=user) as conn:
            for field in fields:
                conn.execute(field_update(view, field.name).values(second_entry=typed[field.name]))
                if field in mismatched:
                    add_audit(
                        conn,
                        user,
                        document_id,
                        "mismatch",
                        field=field.name,
                        before=field.first_entry,
                        after=typed[field.name],
                    )
                else:
                    add_audit(conn, user, document_id, "verified", field=field.name)
            add_audit(
                conn,
                user,
                document_id,
                "confirmed" if not mismatched else "mismatch",
                seconds=time.seconds,
            )
        return state

    def resolve(
        self,
        document_id: str,
        *,
        user: str,
        revision: int,
        values: Mapping[str, str],
        seconds: float,
    ) -> DocumentState:
        """An admin's final value for each field where the two entries disagree: 確定."""
        view = self.document(document_id)
        expect_state(view, DocumentState.CONFLICT, revision)
        fields = view.to_review()
        typed = check_values(fields, values)
        time = step_time(seconds)
        with self._step(view, DocumentState.CONFIRMED, user=user, time=time) as conn:
            for field in fields:
                conn.execute(field_update(view, field.name).values(value=typed[field.name]))
                add_audit(
                    conn,
                    user,
                    document_id,
                    "resolved",
                    field=field.name,
                    before=field.first_entry,
                    after=typed[field.name],
                )
            add_audit(conn, user, document_id, "confirmed", seconds=time.seconds)
        return DocumentState.CONFIRMED

    def return_document(
        self, document_id: str, *, user: str, revision: int, reason: str, seconds: float
    ) -> None:
        """判読不能: send the document back to the department with ``reason``."""
        view = self.document(document_id)
        if not view.state.is_open:
            raise StaleDocument(f"document {document_id} is no longer under review")
        expect_state(view, view.state, revision)
        reason = reason.strip()[:500]
        if not reason:
            raise FieldErrors({"reason": "差戻しの理由を入力してください。"})
        time = step_time(seconds)
        with self._step(
            view,
            DocumentState.RETURNED,
            user=user,
            time=time,
            reviewer=view.reviewer or user,
            return_reason=reason,
        ) as conn:
            add_audit(conn, user, document_id, "returned", after=reason, seconds=time.seconds)

    # -- helpers -------------------------------------------------------------------------

    @contextmanager
    def _step(
        self,
        view: DocumentView,
        state: DocumentState,
        *,
        user: str,
        time: StepTime,
        **values: Any,
    ) -> Iterator[Connection]:
        """One review step as a transaction that starts by claiming the page's revision.

        The document gains ``time.seconds`` of review time; a claim ``step_time`` had to
        bound is audited (``time-clamped``, claimed → counted) and logged by document id.
        """
        finished = None if state.is_open else now()
        with self.engine.begin() as conn:
            claimed = conn.execute(
                update(documents_table)
                .where(
                    D.document_id == view.document_id,
                    D.revision == view.revision,
                    D.state == view.state.value,
                )
                .values(
                    state=state.value,
                    revision=D.revision + 1,
                    finished_at=finished,
                    review_seconds=D.review_seconds + time.seconds,
                    **values,
                )
            ).rowcount
            if claimed != 1:
                raise StaleDocument(f"document {view.document_id} changed meanwhile")
            if time.clamped:
                add_audit(
                    conn,
                    user,
                    view.document_id,
                    "time-clamped",
                    before=f"{time.claimed:g}",
                    after=f"{time.seconds:g}",
                )
            yield conn
        if time.clamped:
            log.warning(
                "review: document %s: a step claimed %g s of review time, counted as %g s",
                view.document_id,
                time.claimed,
                time.seconds,
            )
        notify_change(self.path)
        log.info("review: document %s is now %s", view.document_id, state.value)

    def _views(self, scenario: str, state: DocumentState) -> list[DocumentView]:
        query = (
            select(documents_table)
            .where(D.scenario == scenario, D.state == state.value, D.handed_over_at.is_(None))
            .order_by(D.id)
        )
        with self.engine.connect() as conn:
            rows = conn.execute(query).mappings().all()
            return [to_view(conn, row) for row in rows]
