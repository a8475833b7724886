"""Errors of the review station; each maps to one HTTP status on the pages."""

from __future__ import annotations

from core.errors import BusinessError, InvalidInput

__all__ = ["FieldErrors", "NotAllowed", "StaleDocument", "UnknownDocument"]


class UnknownDocument(BusinessError):
    """No document with this id is in the review store (HTTP 404)."""

    code = "unknown-document"


class StaleDocument(BusinessError):
    """The document changed (another reviewer acted) since the page was opened (HTTP 409)."""

    code = "stale-document"


class NotAllowed(BusinessError):
    """This user may not take this step (the first reviewer verifying, a 確認者 resolving)."""

    code = "not-allowed"


class FieldErrors(InvalidInput):
    """Typed values break their fields' patterns; ``errors`` maps field name → hint (HTTP 422)."""

    code = "field-errors"

    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__(f"{len(errors)} field(s) do not validate: {', '.join(sorted(errors))}")
        self.errors = errors
