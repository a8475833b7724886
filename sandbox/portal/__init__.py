"""The 電子申請システム: the staff back office of an online-application service (like LoGoフォーム).

児童手当認定請求 applications arrive here (seeded with :func:`seed_portal`); staff, or robots,
list them, export them as CSV, and record each one as 受理 (with the 受給者番号 the business
system gave it) or 差戻し (with a reason). :func:`inspect_portal` reads the outcome back
from the database file (``GET /_inspect/summary`` needs the login or the admin token).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path

from sandbox._db import open_database
from sandbox.portal._csv import CSV_COLUMNS
from sandbox.portal._inspect import PortalSummary, inspect_portal
from sandbox.portal._routes import create_portal_app
from sandbox.portal._store import insert_new
from sandbox.portal._tables import create_schema
from systems.business_system import ChildAllowanceApplication

__all__ = ["CSV_COLUMNS", "PortalSummary", "create_portal_app", "inspect_portal", "seed_portal"]


def seed_portal(
    db_path: Path,
    applications: Sequence[ChildAllowanceApplication],
    *,
    as_entered: Mapping[str, Mapping[str, str]] | None = None,
) -> int:
    """Add ``applications`` as 未処理 to the portal database at ``db_path``.

    ``as_entered`` gives, per 受付番号, free-text answers exactly as a citizen typed them
    ({CSV column: text}); the export shows them in place of the structured values, as real
    form services do. Unknown column names raise ``ValueError``.

    Applications whose 受付番号 is already present are skipped, so seeding twice is harmless.
    Returns how many were added. The file is created owner-only if absent.
    """
    for answers in (as_entered or {}).values():
        unknown = set(answers) - set(CSV_COLUMNS)
        if unknown:
            raise ValueError(f"not export columns: {sorted(unknown)}")
    engine = open_database(db_path)
    try:
        create_schema(engine)
        return insert_new(engine, applications, as_entered=as_entered)
    finally:
        engine.dispose()
