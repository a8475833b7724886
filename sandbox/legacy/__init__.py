"""The 国民健康保険 資格管理システム: a stand-in with the habits of legacy municipal web systems.

Shift_JIS pages and forms, a login page, a frameset (menu | main), table layouts with no
``<label>``, cryptic field names, radio buttons with bare text, 元号 selects with 年 月 日
boxes, a 住所検索 pop-up window and a ``confirm()`` before 登録 — so that robots can be
tested on the screens they meet in real offices. Duplicates are allowed; 個人番号 are stored
only as keyed hashes. Read-only inspection: ``GET /_inspect/summary`` and
:func:`inspect_legacy`; the register screen's labels can be renamed (``labels=`` or
``PUT /admin/labels.json``) to test how robots notice a changed screen.
"""

from __future__ import annotations

from sandbox.legacy._app import create_legacy_app
from sandbox.legacy._inspect import LegacySummary, inspect_legacy
from sandbox.legacy._validation import LABELS

__all__ = ["LABELS", "LegacySummary", "create_legacy_app", "inspect_legacy"]
