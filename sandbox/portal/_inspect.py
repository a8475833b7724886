"""Read-only inspection of the portal's database, for tests, benchmarks and the demo.

Over HTTP (``GET /_inspect/summary``) it needs the portal's login or the admin token.
"""

from __future__ import annotations

import sqlite3
from contextlib import closing
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sandbox._db import open_read_only
from sandbox.portal._tables import ACCEPTED, STATUSES

__all__ = ["PortalSummary", "inspect_portal"]


@dataclass(frozen=True)
class PortalSummary:
    """How many applications the portal holds, by 状態, and the 受給者番号 written back.

    ``write_backs`` maps 受付番号 → 受給者番号 for every application recorded as 受理.
    """

    applications: int
    by_status: dict[str, int] = field(default_factory=dict)
    write_backs: dict[str, str] = field(default_factory=dict)

    def as_json(self) -> dict[str, Any]:
        """The summary as the ``/_inspect/summary`` endpoint answers it."""
        return {
            "applications": self.applications,
            "by_status": dict(self.by_status),
            "write_backs": dict(self.write_backs),
        }


def inspect_portal(db_path: Path) -> PortalSummary:
    """Summarise the portal database at ``db_path`` without changing it.

    A file that does not exist yet, or holds no tables yet, reads as an empty portal.
    """
    empty: dict[str, int] = {status: 0 for status in STATUSES}
    if not db_path.exists():
        return PortalSummary(applications=0, by_status=empty)
    with closing(open_read_only(db_path)) as conn:
        try:
            counts = conn.execute(
                "SELECT status, COUNT(*) FROM applications GROUP BY status"
            ).fetchall()
            write_backs = conn.execute(
                "SELECT application_id, recipient_no FROM applications "
                "WHERE status = ? ORDER BY application_id",
                (ACCEPTED,),
            ).fetchall()
        except sqlite3.OperationalError as exc:
            if "no such table" in str(exc):
                return PortalSummary(applications=0, by_status=empty)
            raise
    by_status = empty | {str(status): int(n) for status, n in counts}
    return PortalSummary(
        applications=sum(by_status.values()),
        by_status=by_status,
        write_backs={str(app_id): str(number) for app_id, number in write_backs},
    )
