"""Logging that never writes a 個人番号 or a configured personal field.

:class:`MaskingFilter` rewrites each record's final message: any run of exactly 12 digits
(optionally written 4-4-4 with spaces or hyphens, full-width digits included) becomes
``************``, and ``key=value`` / ``key: value`` pairs whose key is a configured personal
field have their value replaced by ``***``.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable

__all__ = ["MaskingFilter", "configure_logging", "mask_text"]

_DIGIT = r"[0-9０-９]"
_MY_NUMBER_LIKE = re.compile(
    rf"(?<![0-9０-９]){_DIGIT}{{4}}[ \-－]?{_DIGIT}{{4}}[ \-－]?{_DIGIT}{{4}}(?![0-9０-９])"
)
_MASK = "************"


def _field_pattern(fields: Iterable[str]) -> re.Pattern[str] | None:
    names = sorted({f for f in fields if f}, key=len, reverse=True)
    if not names:
        return None
    alternatives = "|".join(re.escape(n) for n in names)
    # key=value, key: value, 'key': 'value', "key": "value". An unquoted value may hold
    # spaces (山田 太郎), so it runs to the next `other_key=`, a separator or the line's end.
    return re.compile(
        rf"""(?P<key>['"]?(?:{alternatives})['"]?\s*[=:：]\s*)"""
        rf"""(?P<value>'[^']*'|"[^"]*"|.+?)"""
        rf"""(?=\s+[\w\-]+\s*[=:：]|[,;、\n}}\])]|$)"""
    )


def mask_text(text: str, *, personal_fields: Iterable[str] = ()) -> str:
    """Return ``text`` with 12-digit numbers and personal ``key=value`` pairs masked."""
    masked = _MY_NUMBER_LIKE.sub(_MASK, text)
    pattern = _field_pattern(personal_fields)
    if pattern is not None:
        masked = pattern.sub(lambda m: f"{m.group('key')}***", masked)
    return masked


class MaskingFilter(logging.Filter):
    """A logging filter that masks personal data in the formatted message (and exceptions)."""

    def __init__(self, personal_fields: Iterable[str] = ()) -> None:
        super().__init__()
        self.personal_fields = tuple(personal_fields)

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        record.msg = mask_text(message, personal_fields=self.personal_fields)
        record.args = None
        if record.exc_info and record.exc_info[1] is not None:
            # Render the traceback now, masked, so formatters never see the raw text.
            formatted = logging.Formatter().formatException(record.exc_info)
            record.exc_text = mask_text(formatted, personal_fields=self.personal_fields)
            record.exc_info = None
        return True


def configure_logging(level: str | int | None = None) -> None:
    """Configure the root logger once: a stderr handler with the masking filter."""
    from core.settings import get_settings

    settings = get_settings()
    root = logging.getLogger()
    root.setLevel(level or settings.log_level)
    for handler in root.handlers:
        if any(isinstance(f, MaskingFilter) for f in handler.filters):
            return
    handler = logging.StreamHandler()
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    handler.addFilter(MaskingFilter(settings.personal_fields))
    root.addHandler(handler)
    # Client libraries log every request URL at INFO; URLs can carry ids, and it is noise.
    for noisy in ("httpx", "httpcore", "urllib3"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
