"""Page objects and business verbs for the 電子申請システム (online-application back office)."""

from __future__ import annotations

from systems.e_application_portal._export import ExportRow, read_export
from systems.e_application_portal._verbs import ENCODING_LABELS, Portal

__all__ = ["ENCODING_LABELS", "ExportRow", "Portal", "read_export"]
