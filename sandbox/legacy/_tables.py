"""The one table of the 資格管理システム: 被保険者 (insured persons), one row per 資格取得届.

The 個人番号 is kept only as its keyed hash (HMAC-SHA256 under the install's
``sandbox-hash-key``, :func:`sandbox.business.my_number_digest`): the search compares hashes,
and nothing that can be read back out of the file is a 個人番号.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import Column, Connection, Date, Integer, MetaData, String, Table, insert, update

from sandbox.legacy._validation import Registration

__all__ = ["FIRST_INSURED_NO", "insert_insured", "insured", "insured_no_of", "metadata"]

metadata = MetaData()

# 被保険者番号 are 8 digits, counted up from here with the row id (never reused).
FIRST_INSURED_NO = 10_000_001

insured = Table(
    "insured",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("insured_no", String(8), unique=True, nullable=True),  # filled from the id
    Column("my_number_hmac", String(64), nullable=False, index=True),
    Column("name", String(60), nullable=False),
    Column("name_kana", String(80), nullable=False),
    Column("sex", String(1), nullable=False),
    Column("birth_date", Date, nullable=False),
    Column("postal_code", String(8), nullable=False),
    Column("address", String(200), nullable=False),
    Column("acquired_on", Date, nullable=False),
    Column("reason", String(2), nullable=False),
    Column("registered_on", Date, nullable=False),
    Column("registered_by", String(40), nullable=False),
    sqlite_autoincrement=True,
)


def insured_no_of(row_id: int) -> str:
    """The 被保険者番号 of a row: 8 digits, ``10000001`` for the first."""
    return f"{FIRST_INSURED_NO + row_id - 1:08d}"


def insert_insured(
    conn: Connection,
    registration: Registration,
    *,
    my_number_hmac: str,
    registered_on: date,
    registered_by: str,
) -> str:
    """Insert one 資格取得届 on ``conn`` (the caller's transaction); its 被保険者番号."""
    fields = {k: v for k, v in vars(registration).items() if k != "my_number"}
    result = conn.execute(
        insert(insured).values(
            insured_no=None,
            my_number_hmac=my_number_hmac,
            registered_on=registered_on,
            registered_by=registered_by,
            **fields,
        )
    )
    row_id = result.inserted_primary_key[0] if result.inserted_primary_key else None
    if not isinstance(row_id, int):  # pragma: no cover - SQLite always reports the rowid
        raise RuntimeError("SQLite did not report the new row id")
    insured_no = insured_no_of(row_id)
    conn.execute(update(insured).where(insured.c.id == row_id).values(insured_no=insured_no))
    return insured_no
