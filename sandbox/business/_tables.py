"""The two tables of the 業務システム: 受給者 (recipients) and their 児童 (children)."""

from __future__ import annotations

from datetime import date

from sqlalchemy import (
    Boolean,
    Column,
    Connection,
    Date,
    ForeignKey,
    Integer,
    MetaData,
    String,
    Table,
    insert,
    update,
)

from systems.business_system import Applicant, BankAccount, Child

__all__ = ["children", "insert_recipient", "metadata", "recipient_no_of", "recipients"]

metadata = MetaData()

recipients = Table(
    "recipients",
    metadata,
    Column("id", Integer, primary_key=True),
    # Filled from the id inside the inserting transaction; never reused (AUTOINCREMENT).
    Column("recipient_no", String(8), unique=True, nullable=True),
    Column("my_number", String(12), nullable=False, index=True),
    Column("name", String(60), nullable=False),
    Column("name_kana", String(60), nullable=False),
    Column("birth_date", Date, nullable=False, index=True),
    Column("gender", String(1), nullable=False),
    Column("postal_code", String(8), nullable=False),
    Column("address", String(200), nullable=False),
    Column("phone", String(20), nullable=False),
    Column("has_spouse", Boolean, nullable=False),
    Column("bank_code", String(4), nullable=False),
    Column("bank_name", String(60), nullable=False),
    Column("branch_code", String(3), nullable=False),
    Column("branch_name", String(60), nullable=False),
    Column("account_type", String(2), nullable=False),
    Column("account_number", String(7), nullable=False),
    Column("account_holder_kana", String(60), nullable=False),
    Column("registered_on", Date, nullable=False),
    Column("registered_by", String(40), nullable=False),
    sqlite_autoincrement=True,
)

children = Table(
    "children",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("recipient_id", ForeignKey("recipients.id"), nullable=False, index=True),
    Column("seq", Integer, nullable=False),
    Column("name", String(60), nullable=False),
    Column("name_kana", String(60), nullable=False),
    Column("birth_date", Date, nullable=False),
    Column("gender", String(1), nullable=False),
    Column("relationship", String(3), nullable=False),
    Column("living_together", Boolean, nullable=False),
)


def recipient_no_of(row_id: int) -> str:
    """The 受給者番号 of a row: ``J`` and the id in 7 digits (``J0000001``)."""
    return f"J{row_id:07d}"


def insert_recipient(
    conn: Connection,
    *,
    applicant: Applicant,
    kids: tuple[Child, ...],
    account: BankAccount,
    registered_on: date,
    registered_by: str,
) -> str:
    """Insert one recipient with children on ``conn`` (the caller's transaction); its 受給者番号."""
    result = conn.execute(
        insert(recipients).values(
            recipient_no=None,
            **applicant.model_dump(),
            **account.model_dump(),
            registered_on=registered_on,
            registered_by=registered_by,
        )
    )
    row_id = result.inserted_primary_key[0] if result.inserted_primary_key else None
    if not isinstance(row_id, int):  # pragma: no cover - SQLite always reports the rowid
        raise RuntimeError("SQLite did not report the new row id")
    recipient_no = recipient_no_of(row_id)
    conn.execute(
        update(recipients).where(recipients.c.id == row_id).values(recipient_no=recipient_no)
    )
    if kids:
        conn.execute(
            insert(children),
            [
                {"recipient_id": row_id, "seq": seq, **kid.model_dump()}
                for seq, kid in enumerate(kids, start=1)
            ],
        )
    return recipient_no
