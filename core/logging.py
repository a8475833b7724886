"""Logging that never writes a 個人番号 or a configured personal field.

:class:`MaskingFilter` rewrites each record's final message: any run of exactly 12 digits
(optionally written 4-4-4 with spaces, hyphens, underscores or dots, full-width digits
included) becomes ``************``, and ``key=value`` / ``key: value`` pairs whose key is a
configured personal field (the settings' ``personal_fields``) have their value replaced by
``***``.

:func:`safe_text` applies the same masking to any outside text before it is stored or shown
(ledger reasons, Prefect artifacts, workbooks): one line, masked, bounded in length.
"""

from __future__ import annotations

import functools
import logging
import re
import unicodedata
from collections.abc import Iterable
from pathlib import Path

__all__ = [
    "ExpectedErrorFilter",
    "MaskingFilter",
    "configure_logging",
    "configured_personal_fields",
    "mask_text",
    "safe_text",
]

_DIGIT = r"[0-9０-９]"
# 4-4-4 groups may be split as people and file names split them: spaces (全角 too), hyphens,
# underscores and dots.
_SEP = r"[ 　\-－_.．]?"
_MY_NUMBER_LIKE = re.compile(
    rf"(?<![0-9０-９]){_DIGIT}{{4}}{_SEP}{_DIGIT}{{4}}{_SEP}{_DIGIT}{{4}}(?![0-9０-９])"
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


def configured_personal_fields() -> list[str]:
    """The settings' ``personal_fields`` and those of every registered target system.

    Read once per settings and systems folder: every masked reason (each ledger failure,
    each row of a history import) asks for them.
    """
    from core.settings import get_settings

    settings = get_settings()
    return list(_personal_fields(tuple(settings.personal_fields), settings.systems_dir))


@functools.cache
def _personal_fields(configured: tuple[str, ...], systems_dir: Path) -> tuple[str, ...]:
    from core.errors import ConfigError
    from core.systems import all_systems

    fields = list(configured)
    try:
        for system in all_systems(root=systems_dir):
            fields += [name for name in system.personal_fields if name not in fields]
    except ConfigError:  # a broken system.yaml is reported where it is read, not here
        pass
    return tuple(fields)


def mask_text(text: str, *, personal_fields: Iterable[str] = ()) -> str:
    """Return ``text`` with 12-digit numbers and personal ``key=value`` pairs masked."""
    masked = _MY_NUMBER_LIKE.sub(_MASK, text)
    pattern = _field_pattern(personal_fields)
    if pattern is not None:
        masked = pattern.sub(lambda m: f"{m.group('key')}***", masked)
    return masked


# Line breaks, tabs, other controls and the bidirectional overrides that make a file name
# read differently from what it is (U+202E "…fdp.exe").
_BIDI = "\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
_UNSAFE = re.compile(rf"[\x00-\x1f\x7f-\x9f\u2028\u2029{_BIDI}]+")
_ELLIPSIS = "…"


def safe_text(
    value: object, *, max_len: int = 500, personal_fields: Iterable[str] | None = None
) -> str:
    """``value`` as one line of text safe to store or show where logs would be safe.

    Control characters, line breaks and bidirectional overrides become a space; 12-digit
    numbers and ``key=value`` pairs of personal fields are masked as :func:`mask_text` does
    (``personal_fields`` defaults to the settings' ``personal_fields``); the result is at
    most ``max_len`` characters, cut with ``…``. Masking comes before cutting, so a cut
    never leaves part of a 個人番号 unmasked.
    """
    if personal_fields is None:
        personal_fields = configured_personal_fields()
    text = unicodedata.normalize("NFC", str(value))
    text = _UNSAFE.sub(" ", text).strip()
    text = mask_text(text, personal_fields=personal_fields)
    if len(text) > max_len:
        text = text[: max(max_len - 1, 0)] + _ELLIPSIS
    return text


class ExpectedErrorFilter(logging.Filter):
    """Drops the traceback of a :class:`~core.errors.JimuError` a library logs (Prefect's flow
    engine logs every exception a flow raises): jimu's errors are expected, each is reported
    in one clear line where it is handled, and a traceback would only bury that line."""

    def filter(self, record: logging.LogRecord) -> bool:
        from core.errors import JimuError

        if record.exc_info and isinstance(record.exc_info[1], JimuError):
            record.exc_info = None
            record.exc_text = None
        return True


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
    handler.addFilter(ExpectedErrorFilter())
    handler.addFilter(MaskingFilter(configured_personal_fields()))
    root.addHandler(handler)
    # Client libraries log every request URL at INFO; URLs can carry ids, and it is noise.
    for noisy in ("httpx", "httpcore", "urllib3"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
