"""Page objects and business verbs for the 電子申請システム (online-application back office)."""

from __future__ import annotations

from robots.portal._export import ExportRow, read_export
from robots.portal._verbs import ENCODING_LABELS, Portal

__all__ = ["ENCODING_LABELS", "ExportRow", "Portal", "read_export"]
