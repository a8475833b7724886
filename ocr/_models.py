"""What the reader returns: one :class:`FieldReading` per field, gathered per page and file."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

__all__ = ["DocumentReading", "FieldReading", "PageReading"]


@dataclass(frozen=True)
class FieldReading:
    """One field as read.

    ``value`` is what is written (box digits, text, ``"1"`` for a ticked box, ``""`` for
    an empty field); ``normalised`` is the validated value in the form systems want (an ISO
    date, ``NNN-NNNN``, …) or ``None``. ``confidence`` (0–1) is, for a boxed field, the
    probability of the value read among all values its rule allows (a real date, a 個人番号
    passing its check digit, a postal code in the national table; for other digit fields the
    chance that every box is right) and, for a line of text, its least sure character, each
    renormalised over the characters the field may hold. ``accepted`` is true only if the
    confidence clears the field's calibrated threshold **and** the value validates;
    otherwise ``reasons`` say why a person has to look.
    """

    kind: str
    value: str
    confidence: float
    engine: str
    name: str = ""
    char_confidences: tuple[float, ...] = ()
    normalised: str | None = None
    accepted: bool = False
    reasons: tuple[str, ...] = ()
    crop_path: str | None = None

    @property
    def empty(self) -> bool:
        """True if nothing is written in the field."""
        return self.value == ""

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict (confidences rounded to 4 places)."""
        data = asdict(self)
        data["confidence"] = round(self.confidence, 4)
        data["char_confidences"] = [round(c, 4) for c in self.char_confidences]
        data["reasons"] = list(self.reasons)
        return data


@dataclass(frozen=True)
class PageReading:
    """The fields of one page, in template order, plus the choices made by check boxes."""

    page: int
    rotated: int
    match: float
    fields: dict[str, FieldReading]
    choices: dict[str, str | None] = field(default_factory=dict)

    @property
    def needs_review(self) -> list[str]:
        """Names of the fields a person must confirm."""
        return [name for name, reading in self.fields.items() if not reading.accepted]

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict."""
        return {
            "page": self.page,
            "rotated": self.rotated,
            "match": round(self.match, 4),
            "choices": self.choices,
            "needs_review": self.needs_review,
            "fields": {name: reading.to_dict() for name, reading in self.fields.items()},
        }


@dataclass(frozen=True)
class DocumentReading:
    """Every page of one scanned file, read with one template."""

    source: str
    template: str
    pages: tuple[PageReading, ...]
    seconds: float = 0.0

    @property
    def accepted(self) -> bool:
        """True if every field of every page was accepted automatically."""
        return all(not page.needs_review for page in self.pages)

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict."""
        return {
            "source": self.source,
            "template": self.template,
            "accepted": self.accepted,
            "seconds": round(self.seconds, 3),
            "pages": [page.to_dict() for page in self.pages],
        }
