"""The 業務システム: a stand-in for a municipal child-allowance (児童手当) business system.

Server-rendered Japanese screens that robots drive (メニュー, 受給者検索, 新規登録 over three
screens with 確認 and 完了, 受給者詳細) over SQLite, plus a read-only inspection
(``GET /_inspect/summary`` and :func:`inspect_business`) for tests and benchmarks.
"""

from __future__ import annotations

from sandbox.business._app import create_business_app
from sandbox.business._inspect import BusinessSummary, inspect_business

__all__ = ["BusinessSummary", "create_business_app", "inspect_business"]
