"""The jimu error tree.

Every error jimu raises on purpose is a :class:`JimuError` with a stable ``code`` and a
``message`` that is safe to log: it never carries a name, an address or a 個人番号.

* :class:`BusinessError` — bad or missing data; a human looks at it, it is never retried.
* :class:`ApplicationError` — something technical went wrong; retried with backoff.
* :class:`ConfigError` — a scenario, template, inventory entry or setting is wrong.

Retry policies look at the class, never at the message text.
"""

from __future__ import annotations

__all__ = [
    "ApplicationError",
    "BusinessError",
    "ConfigError",
    "DuplicateRecord",
    "ElementNotFound",
    "FormNotRecognised",
    "InvalidInput",
    "JimuError",
    "NeedsReview",
    "OcrEngineFailure",
    "SessionExpired",
    "TargetUnavailable",
]


class JimuError(Exception):
    """Base of every error jimu raises on purpose.

    ``code`` is a stable kebab-case identifier; ``message`` is a one-line, log-safe text.
    """

    code = "jimu-error"

    def __init__(self, message: str, *, code: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        if code is not None:
            self.code = code

    def __str__(self) -> str:
        return self.message


class BusinessError(JimuError):
    """Bad or missing data: a human must look. Never retried."""

    code = "business-error"


class InvalidInput(BusinessError):
    """A value does not meet the rules (check digit, era date, kana, postal code …)."""

    code = "invalid-input"

    def __init__(self, message: str, *, field: str | None = None, code: str | None = None) -> None:
        super().__init__(message, code=code)
        self.field = field


class DuplicateRecord(BusinessError):
    """The record already exists in the target system."""

    code = "duplicate-record"


class FormNotRecognised(BusinessError):
    """A scanned page does not match any known form template."""

    code = "form-not-recognised"


class NeedsReview(BusinessError):
    """A value could not be accepted automatically; a person must confirm it."""

    code = "needs-review"


class ApplicationError(JimuError):
    """A technical failure: the operation may succeed if retried with backoff."""

    code = "application-error"


class TargetUnavailable(ApplicationError):
    """The target system did not answer or answered with a server error."""

    code = "target-unavailable"


class SessionExpired(ApplicationError):
    """The target system ended the session; log in again and retry."""

    code = "session-expired"


class ElementNotFound(ApplicationError):
    """An expected element did not appear on the target's screen."""

    code = "element-not-found"


class OcrEngineFailure(ApplicationError):
    """An OCR engine failed to run (not: it read something uncertain)."""

    code = "ocr-engine-failure"


class ConfigError(JimuError):
    """A scenario, template, inventory entry or setting is wrong."""

    code = "config-error"
