"""The review station: people check only the OCR fields that need them, and are timed.

A flow parks a document with :meth:`ReviewStore.submit`; reviewers confirm it on the
station's pages (:func:`create_review_app`); the flow collects it with
:meth:`ReviewStore.confirmed` (or :meth:`ReviewStore.returned`), registers it, and calls
:meth:`ReviewStore.mark_handed_over`. Between rounds it blocks in
:meth:`ReviewStore.wait_for_change`, never in a busy loop::

    store = ReviewStore()
    store.submit(ReviewDocument(document_id=sha[:16], scenario="paper-intake", ...))
    while store.waiting_count() or store.confirmed("paper-intake"):
        for document in store.confirmed("paper-intake"):
            register(document.values)
            store.mark_handed_over(document.document_id)
        store.wait_for_change(timeout=60)
"""

from __future__ import annotations

from review._app import create_review_app
from review._errors import FieldErrors, NotAllowed, StaleDocument, UnknownDocument
from review._models import (
    AuditEntry,
    ConfirmedDocument,
    DocumentState,
    DocumentView,
    FieldView,
    QueueEntry,
    ReturnedDocument,
    ReviewDocument,
    ReviewField,
    Role,
)
from review._server import RunningReview, open_stores, serve_review, serve_review_in_background
from review._settings import ReviewSettings
from review._store import ReviewStore
from review._users import Session, User, UserStore

__all__ = [
    "AuditEntry",
    "ConfirmedDocument",
    "DocumentState",
    "DocumentView",
    "FieldErrors",
    "FieldView",
    "NotAllowed",
    "QueueEntry",
    "ReturnedDocument",
    "ReviewDocument",
    "ReviewField",
    "ReviewSettings",
    "ReviewStore",
    "Role",
    "RunningReview",
    "Session",
    "StaleDocument",
    "UnknownDocument",
    "User",
    "UserStore",
    "create_review_app",
    "open_stores",
    "serve_review",
    "serve_review_in_background",
]
