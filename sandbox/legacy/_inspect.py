"""Read-only inspection of the 資格管理システム for tests and benchmarks (never faulted).

Over HTTP (``GET /_inspect/summary``) it needs the system's login or the admin token. The
file holds no 個人番号, only their keyed hashes: the summary is keyed by those.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Any

from fastapi import APIRouter, Request
from starlette.concurrency import run_in_threadpool

from sandbox._admin import hash_key
from sandbox._db import open_read_only
from sandbox._web import AdminApi
from sandbox.business._inspect import my_number_digest

__all__ = ["LegacySummary", "inspect_legacy", "router"]

router = APIRouter()


@dataclass(frozen=True)
class LegacySummary:
    """What the 資格管理システム holds, without any personal data.

    ``insured_nos_by_my_number_hash`` maps the keyed hash of every registered 個人番号 to its
    被保険者番号 in registration order; ``duplicates`` counts the hashes registered more
    than once (the system lets that happen: robots must search first).
    """

    records: int
    duplicates: Mapping[str, int]
    insured_nos_by_my_number_hash: Mapping[str, tuple[str, ...]] = field(repr=False)
    key: bytes = field(default=b"", repr=False, compare=False)

    def digest_of(self, my_number: str) -> str:
        """The key under which this summary holds ``my_number``."""
        return my_number_digest(my_number, self.key)

    def insured_nos_of(self, my_number: str) -> tuple[str, ...]:
        """The 被保険者番号 registered for ``my_number`` (empty if none)."""
        return self.insured_nos_by_my_number_hash.get(self.digest_of(my_number), ())

    def to_json(self) -> dict[str, Any]:
        """The JSON of ``GET /_inspect/summary``."""
        return {
            "records": self.records,
            "duplicates": [
                {"my_number_hmac": digest, "count": count}
                for digest, count in self.duplicates.items()
            ],
        }


def inspect_legacy(db_path: Path, *, key: bytes | None = None) -> LegacySummary:
    """Count the 被保険者 records in the 資格管理システム database ``db_path``, find duplicates.

    ``key`` is the key the app hashed 個人番号 with (default: the install's
    ``sandbox-hash-key``); it is only needed by :meth:`LegacySummary.insured_nos_of`. Opens
    the file read-only. Raises :class:`FileNotFoundError` if it does not exist (the app
    creates it when it starts).
    """
    if not db_path.is_file():
        raise FileNotFoundError(f"no legacy database at {db_path}")
    conn = open_read_only(db_path)
    try:
        rows = conn.execute("SELECT my_number_hmac, insured_no FROM insured ORDER BY id").fetchall()
    finally:
        conn.close()
    by_hash: defaultdict[str, list[str]] = defaultdict(list)
    for digest, insured_no in rows:
        by_hash[digest].append(insured_no)
    frozen = {digest: tuple(nos) for digest, nos in by_hash.items()}
    return LegacySummary(
        records=len(rows),
        duplicates=MappingProxyType({d: len(nos) for d, nos in frozen.items() if len(nos) > 1}),
        insured_nos_by_my_number_hash=MappingProxyType(frozen),
        key=hash_key() if key is None else key,
    )


@router.get("/_inspect/summary", dependencies=[AdminApi])
async def summary(request: Request) -> dict[str, Any]:
    """Counts and duplicate 個人番号 keyed hashes, as JSON (login or admin token)."""
    db_path: Path = request.app.state.db_path
    result = await run_in_threadpool(inspect_legacy, db_path, key=request.app.state.hash_key)
    return result.to_json()
