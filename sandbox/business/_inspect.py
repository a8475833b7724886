"""Read-only inspection of the 業務システム for tests and benchmarks (never faulted).

Over HTTP it needs the system's login or the admin token (:mod:`sandbox._admin`). 個人番号
never leave: duplicates are keyed by an HMAC-SHA256 (hex) of the 12 ASCII digits, keyed with
the install's secret ``sandbox-hash-key`` — a plain hash of 12 digits is undone by trying
all 10¹² of them, a keyed one is not without the key.
"""

from __future__ import annotations

import hashlib
import hmac
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Any

from fastapi import APIRouter, Request
from starlette.concurrency import run_in_threadpool

from core.text import nfkc
from sandbox._admin import hash_key
from sandbox._db import open_read_only
from sandbox._web import AdminApi

__all__ = ["BusinessSummary", "inspect_business", "my_number_digest", "router"]

router = APIRouter()


def my_number_digest(my_number: str, key: bytes) -> str:
    """HMAC-SHA256 (hex) of a 個人番号's 12 ASCII digits under ``key`` (全角 digits are read
    as ASCII)."""
    return hmac.new(key, nfkc(my_number).strip().encode("ascii"), hashlib.sha256).hexdigest()


@dataclass(frozen=True)
class BusinessSummary:
    """What the 業務システム holds, without any personal data.

    ``recipient_nos_by_my_number_hash`` maps the keyed hash (:func:`my_number_digest`) of every
    registered 個人番号 to its 受給者番号 in registration order; ``duplicates`` keeps only those
    registered more than once.
    """

    records: int
    children: int
    duplicates: Mapping[str, tuple[str, ...]]
    recipient_nos_by_my_number_hash: Mapping[str, tuple[str, ...]] = field(repr=False)
    key: bytes = field(default=b"", repr=False, compare=False)

    def digest_of(self, my_number: str) -> str:
        """The key under which this summary holds ``my_number``."""
        return my_number_digest(my_number, self.key)

    def recipient_nos_of(self, my_number: str) -> tuple[str, ...]:
        """The 受給者番号 registered for ``my_number`` (empty if none)."""
        return self.recipient_nos_by_my_number_hash.get(self.digest_of(my_number), ())

    def to_json(self) -> dict[str, Any]:
        """The JSON of ``GET /_inspect/summary``."""
        return {
            "records": self.records,
            "children": self.children,
            "duplicates": [
                {"my_number_hmac": digest, "recipient_nos": list(nos)}
                for digest, nos in self.duplicates.items()
            ],
        }


def inspect_business(db_path: Path, *, key: bytes | None = None) -> BusinessSummary:
    """Count the records of the 業務システム database ``db_path`` and find duplicate 個人番号.

    ``key`` keys the 個人番号 hashes (default: the install's ``sandbox-hash-key``). Opens the
    file read-only. Raises :class:`FileNotFoundError` if it does not exist (the app creates
    it when it starts).
    """
    if not db_path.is_file():
        raise FileNotFoundError(f"no business database at {db_path}")
    conn = open_read_only(db_path)
    try:
        records = conn.execute("SELECT count(*) FROM recipients").fetchone()[0]
        kids = conn.execute("SELECT count(*) FROM children").fetchone()[0]
        rows = conn.execute("SELECT my_number, recipient_no FROM recipients ORDER BY id").fetchall()
    finally:
        conn.close()
    key = hash_key() if key is None else key
    by_hash: defaultdict[str, list[str]] = defaultdict(list)
    for my_number, recipient_no in rows:
        by_hash[my_number_digest(my_number, key)].append(recipient_no)
    frozen = {digest: tuple(nos) for digest, nos in by_hash.items()}
    return BusinessSummary(
        records=int(records),
        children=int(kids),
        duplicates=MappingProxyType({d: nos for d, nos in frozen.items() if len(nos) > 1}),
        recipient_nos_by_my_number_hash=MappingProxyType(frozen),
        key=key,
    )


@router.get("/_inspect/summary", dependencies=[AdminApi])
async def summary(request: Request) -> dict[str, Any]:
    """Counts and duplicate 個人番号 keyed hashes, as JSON (login or admin token)."""
    db_path: Path = request.app.state.db_path
    result = await run_in_threadpool(inspect_business, db_path)
    return result.to_json()
