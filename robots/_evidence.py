"""Evidence of a failed item, with personal data removed before anything is kept.

A Playwright trace records what the robot typed (action parameters), the pages it saw (DOM
snapshots) and the network. On failure jimu keeps the trace only after
:func:`redact_trace` has replaced every personal value of the item — and every 12-digit
number — in every text file of the archive, and dropped the screenshots inside it (pixels
cannot be redacted by text). Screenshots are taken with personal fields masked.
"""

from __future__ import annotations

import os
import zipfile
from collections.abc import Iterable
from pathlib import Path
from urllib.parse import quote, quote_plus

from core.logging import mask_text

__all__ = ["PERSONAL_SELECTORS", "redact_trace"]

# Masked in every failure screenshot: form values and the cells that show citizen data.
# Headings, labels, buttons and error banners stay visible — they explain the failure.
PERSONAL_SELECTORS = ("input", "select", "textarea", "td", "dd", "[data-personal]")

_REDACTED = "＊＊＊"
_TEXT_SUFFIXES = (".trace", ".network", ".json", ".html", ".txt", ".css", ".js", ".stacks")


def _variants(values: Iterable[str]) -> list[str]:
    found: set[str] = set()
    for value in values:
        value = value.strip()
        if len(value) < 2:
            continue
        found.add(value)
        found.add(value.replace("　", " "))
        found.add(value.replace("　", ""))
        found.add(value.replace("-", ""))
    # Form posts and URLs carry the same values percent-encoded.
    for value in list(found):
        found.add(quote(value))
        found.add(quote_plus(value))
    # Longest first, so a full name is replaced before its family name.
    return sorted((v for v in found if len(v) >= 2), key=len, reverse=True)


def redact_trace(source: Path, target: Path, *, personal_values: Iterable[str]) -> Path:
    """Copy the trace archive ``source`` to ``target`` with personal data removed.

    Text members have each personal value (and any 12-digit number) replaced; image members
    are dropped. ``target`` is written owner-only. Returns ``target``.
    """
    variants = _variants(personal_values)
    target.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    partial = target.with_suffix(".partial")
    with (
        zipfile.ZipFile(source) as archive,
        zipfile.ZipFile(partial, "w", compression=zipfile.ZIP_DEFLATED) as redacted,
    ):
        for member in archive.infolist():
            name = member.filename
            if name.lower().endswith((".jpeg", ".jpg", ".png", ".webp")):
                continue
            data = archive.read(member)
            if name.endswith(_TEXT_SUFFIXES) or "." not in Path(name).name:
                try:
                    text = data.decode("utf-8")
                except UnicodeDecodeError:
                    continue  # a binary resource (an image, a font): not kept
                for value in variants:
                    text = text.replace(value, _REDACTED)
                data = mask_text(text).encode("utf-8")
            redacted.writestr(name, data)
    os.chmod(partial, 0o600)
    os.replace(partial, target)
    return target
