"""What the review station takes in and hands back: documents, fields, states, audit entries."""

from __future__ import annotations

import enum
import re
import unicodedata
from dataclasses import dataclass
from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

__all__ = [
    "AuditEntry",
    "ConfirmedDocument",
    "DocumentState",
    "DocumentView",
    "FieldView",
    "QueueEntry",
    "ReturnedDocument",
    "ReviewDocument",
    "ReviewField",
    "Role",
    "normalise_value",
]

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
DOCUMENT_ID = r"^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$"
FIELD_NAME = r"^[A-Za-z][A-Za-z0-9_]{0,63}$"
# Kinds whose typed value is folded with NFKC (全角 digits and 半角 kana typed with an IME
# become what the pattern expects). Names and addresses are kept exactly as typed: NFKC
# would rewrite some characters people use in them.
NFKC_KINDS = frozenset({"digits", "date", "katakana", "checkbox"})


class Role(enum.StrEnum):
    """What a user of the station may do: 確認者 review documents; RPA担当 (the RPA team)
    define forms on the form-definition screen; 管理者 do both and resolve conflicts."""

    REVIEWER = "確認者"
    ADMIN = "管理者"
    RPA = "RPA担当"


class DocumentState(enum.StrEnum):
    """Where a document stands in review.

    ``waiting`` (確認待ち) ─► ``confirmed`` (確定), or ─► ``verifying`` (ベリファイ待ち) when a
    critical field was reviewed; a second reviewer's blind entry then confirms it or sends it
    to ``conflict`` (管理者確認待ち), which an admin resolves to ``confirmed``. Any open state
    may end in ``returned`` (差戻し, 判読不能).
    """

    WAITING = "waiting"
    VERIFYING = "verifying"
    CONFLICT = "conflict"
    CONFIRMED = "confirmed"
    RETURNED = "returned"

    @property
    def label(self) -> str:
        """The Japanese name shown on the pages."""
        return _STATE_LABELS[self]

    @property
    def is_open(self) -> bool:
        """True while a person still has to act on the document."""
        return self in (DocumentState.WAITING, DocumentState.VERIFYING, DocumentState.CONFLICT)


_STATE_LABELS = {
    DocumentState.WAITING: "確認待ち",
    DocumentState.VERIFYING: "ベリファイ待ち",
    DocumentState.CONFLICT: "管理者確認待ち",
    DocumentState.CONFIRMED: "確定",
    DocumentState.RETURNED: "差戻し",
}


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class ReviewField(_Model):
    """One field of a document as the reader saw it.

    ``accepted`` fields were auto-accepted: they are shown read-only and never reviewed.
    The others are reviewed, prefilled with ``value``; ``critical`` ones (個人番号) then need a
    second reviewer's blind entry (ベリファイ). ``pattern`` is a regular expression the whole
    final value must match, checked as the reviewer types and again on the server: keep it to
    the syntax Python and JavaScript share (classes, ``{m,n}``, ``|``, groups). ``hint`` is the
    Japanese message shown when it does not match. Values of the kinds ``digits``, ``date``,
    ``katakana`` and ``checkbox`` are NFKC-folded before they are checked and stored.
    ``crop_png`` is the field's image (PNG bytes), kept in the database, never on disk.
    """

    name: str = Field(pattern=FIELD_NAME)
    label: str = Field(max_length=100)
    kind: str = Field(min_length=1, max_length=32)
    value: str = Field(max_length=500)
    confidence: float = Field(ge=0.0, le=1.0)
    accepted: bool = False
    reason: str | None = Field(default=None, max_length=500)
    critical: bool = False
    crop_png: bytes | None = None
    pattern: str | None = Field(default=None, max_length=500)
    hint: str | None = Field(default=None, max_length=200)

    @field_validator("pattern")
    @classmethod
    def _compiles(cls, value: str | None) -> str | None:
        if value is not None:
            try:
                re.compile(value)
            except re.error as exc:
                raise ValueError(f"pattern does not compile: {exc}") from None
        return value

    @field_validator("crop_png")
    @classmethod
    def _is_png(cls, value: bytes | None) -> bytes | None:
        if value is not None and not value.startswith(PNG_MAGIC):
            raise ValueError("crop_png must be a PNG image")
        return value


class ReviewDocument(_Model):
    """A document parked for review. ``document_id`` carries no personal data (a scan hash)."""

    document_id: str = Field(pattern=DOCUMENT_ID)
    scenario: str = Field(pattern=r"^[a-z][a-z0-9-]{0,63}$")
    source_name: str = Field(max_length=255)
    fields: tuple[ReviewField, ...] = Field(min_length=1)

    @model_validator(mode="after")
    def _unique_names(self) -> ReviewDocument:
        names = [f.name for f in self.fields]
        if len(set(names)) != len(names):
            raise ValueError("field names must be unique within a document")
        return self


def normalise_value(kind: str, value: str) -> str:
    """A typed value as stored: stripped, and NFKC-folded for the kinds in ``NFKC_KINDS``."""
    value = value.strip()
    return unicodedata.normalize("NFKC", value) if kind in NFKC_KINDS else value


@dataclass(frozen=True)
class ConfirmedDocument:
    """A confirmed document, ready to be registered: final ``values`` of every field by name.

    ``corrected`` names the fields whose final value differs from the OCR value.
    ``review_seconds`` is the active time of every reviewer together.
    """

    document_id: str
    scenario: str
    source_name: str
    values: dict[str, str]
    corrected: tuple[str, ...]
    review_seconds: float
    reviewer: str | None
    verifier: str | None
    confirmed_at: datetime


@dataclass(frozen=True)
class ReturnedDocument:
    """A document sent back to the department (判読不能) with the reviewer's reason."""

    document_id: str
    scenario: str
    source_name: str
    reason: str
    review_seconds: float
    reviewer: str
    returned_at: datetime


@dataclass(frozen=True)
class AuditEntry:
    """One audited change: who, when, which field, before → after."""

    id: int
    at: datetime
    user: str
    document_id: str
    action: str
    field: str | None
    before: str | None
    after: str | None
    seconds: float | None

    @property
    def action_label(self) -> str:
        """The action in Japanese."""
        return ACTION_LABELS.get(self.action, self.action)


ACTION_LABELS = {
    "submitted": "受付",
    "auto-confirmed": "自動確定",
    "corrected": "修正",
    "confirmed": "確定",
    "reviewed": "確認 (ベリファイへ)",
    "verified": "ベリファイ一致",
    "mismatch": "ベリファイ不一致",
    "resolved": "管理者判断",
    "returned": "差戻し",
    "handed-over": "引渡し",
    "time-clamped": "作業時間の補正",
}


@dataclass(frozen=True)
class FieldView:
    """One stored field, as the pages show it."""

    crop_id: str | None
    name: str
    label: str
    kind: str
    ocr_value: str
    value: str
    confidence: float
    accepted: bool
    reason: str | None
    critical: bool
    pattern: str | None
    hint: str | None
    first_entry: str | None
    second_entry: str | None

    def check(self, value: str) -> str | None:
        """The hint to show if ``value`` breaks the field's pattern, else None."""
        if self.pattern is None or re.fullmatch(self.pattern, value):
            return None
        return self.hint or "入力の形式が正しくありません。"

    @property
    def conflicting(self) -> bool:
        """True if the two entries of a verified field disagree."""
        return self.second_entry is not None and self.second_entry != self.first_entry


@dataclass(frozen=True)
class DocumentView:
    """One stored document with its fields in form order."""

    document_id: str
    scenario: str
    source_name: str
    state: DocumentState
    revision: int
    submitted_at: datetime
    finished_at: datetime | None
    reviewer: str | None
    verifier: str | None
    review_seconds: float
    return_reason: str | None
    fields: tuple[FieldView, ...]

    def to_review(self) -> tuple[FieldView, ...]:
        """The fields a person acts on in the document's current state."""
        if self.state is DocumentState.WAITING:
            return tuple(f for f in self.fields if not f.accepted)
        if self.state is DocumentState.VERIFYING:
            return tuple(f for f in self.fields if f.critical and not f.accepted)
        if self.state is DocumentState.CONFLICT:
            return tuple(f for f in self.fields if f.conflicting)
        return ()


@dataclass(frozen=True)
class QueueEntry:
    """One line of the queue (確認待ち一覧), with how many fields need a person (要確認 n項目)."""

    document_id: str
    scenario: str
    source_name: str
    state: DocumentState
    submitted_at: datetime
    reviewer: str | None
    fields_to_review: int = 0  # fields the reader did not accept: what a person checks
