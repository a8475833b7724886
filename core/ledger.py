"""The ledger: durable state of every item a scenario handles, and the time spent on it.

One row per (scenario, item key). The item key identifies the item without personal data
(an application's 受付番号, a scan's SHA-256), never a name or a 個人番号: every key is checked
against :data:`ITEM_KEY_PATTERN` (ASCII letters, digits and ``. _ : -``, at most 128
characters) before it is written, so a file name or a hostile value from another system
never becomes one. Reasons are stored masked (:func:`core.logging.safe_text`).

States::

    queued ─► in_progress ─► done
                  │   ▲
                  │   └── application_failure (retried)
                  ├─► business_failure (a human looks; never retried automatically)
                  └─► returned (sent back to the department: 差戻し, 判読不能)

Claiming is one atomic UPDATE, so two workers never hold the same item; an ``in_progress``
row whose lease ran out (its robot crashed or was killed) can be claimed again. Exactly-once
entry into a target system also needs the robot to ask the target before registering: the
ledger says what jimu *knows*, the target says what really happened.

SQLite under the data folder by default (owner-only file); PostgreSQL by URL
(``JIMU_LEDGER_URL=postgresql+psycopg://…``).
"""

from __future__ import annotations

import enum
import os
import re
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import (
    Column,
    DateTime,
    Engine,
    Float,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    TypeDecorator,
    UniqueConstraint,
    and_,
    create_engine,
    event,
    func,
    insert,
    literal,
    or_,
    select,
    update,
)
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.engine import Dialect

from core.database import create_tables, set_sqlite_pragmas
from core.errors import ApplicationError, ConfigError, InvalidInput, JimuError
from core.logging import safe_text

__all__ = [
    "ITEM_KEY_PATTERN",
    "ItemState",
    "Ledger",
    "Status",
    "UtcDateTime",
    "check_item_key",
    "default_ledger_url",
    "ledger_table",
]

ITEM_KEY_PATTERN = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:-]{0,127}")
"""What an item key may look like: ``R2026-000123``, ``scan-3f9a…``, ``DEMO-2026-0000001``."""

_REASON_MAX = 500


def check_item_key(item_key: str, *, what: str = "項目キー") -> str:
    """Return ``item_key`` if it has the shape of :data:`ITEM_KEY_PATTERN`.

    Raises :class:`InvalidInput` (code ``invalid-item-key``) otherwise; the message names the
    key as ``what`` and gives its length, never the key, which may hold a name or a 個人番号.
    """
    if isinstance(item_key, str) and ITEM_KEY_PATTERN.fullmatch(item_key):
        return item_key
    length = len(item_key) if isinstance(item_key, str) else 0
    raise InvalidInput(
        f"{what}の形式が正しくありません（{length}文字。使えるのは半角英数字と . _ : - で、"
        "先頭は英数字、128文字まで）",
        field="item_key",
        code="invalid-item-key",
    )


class Status(enum.StrEnum):
    """Where an item stands."""

    QUEUED = "queued"
    IN_PROGRESS = "in_progress"
    DONE = "done"
    BUSINESS_FAILURE = "business_failure"
    APPLICATION_FAILURE = "application_failure"
    RETURNED = "returned"


class UtcDateTime(TypeDecorator[datetime]):
    """Timestamps stored as UTC on every database; read back timezone-aware.

    SQLite keeps no zone: an aware time in JST would otherwise be stored as its wall clock.
    A naive time is taken to be UTC already.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None or value.tzinfo is None:
            return value
        return value.astimezone(UTC).replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


_metadata = MetaData()

ledger_table = Table(
    "ledger_items",
    _metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("scenario", String(64), nullable=False),
    Column("item_key", String(128), nullable=False),
    Column("status", String(24), nullable=False),
    Column("attempts", Integer, nullable=False, default=0),
    Column("worker", String(64)),
    Column("lease_until", UtcDateTime()),
    Column("reason_code", String(64)),
    Column("reason", String(500)),
    Column("target_ref", String(64)),
    Column("queued_at", UtcDateTime(), nullable=False),
    Column("started_at", UtcDateTime()),
    Column("finished_at", UtcDateTime()),
    Column("robot_seconds", Float, nullable=False, default=0.0),
    Column("human_seconds", Float, nullable=False, default=0.0),
    Column("reviewer", String(64)),
    UniqueConstraint("scenario", "item_key", name="uq_ledger_scenario_item"),
    Index("ix_ledger_status", "scenario", "status"),
    Index("ix_ledger_finished", "finished_at"),
)

_RETRYABLE = (Status.QUEUED.value, Status.APPLICATION_FAILURE.value)


@dataclass(frozen=True)
class ItemState:
    """A snapshot of one ledger row."""

    scenario: str
    item_key: str
    status: Status
    attempts: int
    reason_code: str | None
    reason: str | None
    target_ref: str | None
    queued_at: datetime
    started_at: datetime | None
    finished_at: datetime | None
    robot_seconds: float
    human_seconds: float
    reviewer: str | None

    @classmethod
    def _from_row(cls, row: Mapping[Any, Any]) -> ItemState:
        return cls(
            scenario=row["scenario"],
            item_key=row["item_key"],
            status=Status(row["status"]),
            attempts=row["attempts"],
            reason_code=row["reason_code"],
            reason=row["reason"],
            target_ref=row["target_ref"],
            queued_at=row["queued_at"],
            started_at=row["started_at"],
            finished_at=row["finished_at"],
            robot_seconds=row["robot_seconds"],
            human_seconds=row["human_seconds"],
            reviewer=row["reviewer"],
        )


def _now() -> datetime:
    return datetime.now(UTC)


def default_ledger_url(data_dir: Path | None = None) -> str:
    """``JIMU_LEDGER_URL``, else an owner-only SQLite file ``ledger.sqlite3`` in ``data_dir``
    (default: the settings' data folder), created if absent."""
    from core.settings import get_settings

    settings = get_settings()
    if settings.ledger_url:
        return settings.ledger_url
    folder = data_dir if data_dir is not None else settings.data_dir
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    path = folder / "ledger.sqlite3"
    if not path.exists():
        os.close(os.open(path, os.O_RDWR | os.O_CREAT, 0o600))
    return f"sqlite:///{path}"


class Ledger:
    """Per-item state of every scenario, on SQLite (default) or PostgreSQL."""

    def __init__(self, url: str | None = None, *, engine: Engine | None = None) -> None:
        if engine is None:
            url = url or default_ledger_url()
            try:
                engine = create_engine(url)
            except Exception as exc:  # a malformed URL or a missing driver
                raise ConfigError(f"ledger URL is not usable: {type(exc).__name__}") from exc
            if engine.dialect.name == "sqlite":
                event.listen(engine, "connect", _use_wal)
        self.engine = engine
        create_tables(_metadata, engine)

    # -- writing -------------------------------------------------------------------------

    def enqueue(self, scenario: str, item_key: str, *, at: datetime | None = None) -> bool:
        """Register an item as queued. Returns False (and changes nothing) if it is known.

        Raises :class:`InvalidInput` if ``item_key`` is not a valid key (:func:`check_item_key`).
        """
        check_item_key(item_key)
        values = {
            "scenario": scenario,
            "item_key": item_key,
            "status": Status.QUEUED.value,
            "attempts": 0,
            "queued_at": at or _now(),
            "robot_seconds": 0.0,
            "human_seconds": 0.0,
        }
        # One statement, so two processes enqueueing the same key cannot both insert, and
        # SQLite never has to upgrade a read into a write (which fails at once under WAL).
        with self.engine.begin() as conn:
            result = conn.execute(_insert_if_absent(self.engine.dialect.name, values))
            return bool(result.rowcount)

    def claim(
        self, scenario: str, item_key: str, *, worker: str, lease_seconds: float = 300.0
    ) -> bool:
        """Take the item for ``worker``: True if it was queued, retryable, or its lease ran out.

        False means someone else holds it, or it has already ended (done, failed, returned).
        """
        check_item_key(item_key)
        now = _now()
        claimable = or_(
            ledger_table.c.status.in_(_RETRYABLE),
            and_(
                ledger_table.c.status == Status.IN_PROGRESS.value,
                ledger_table.c.lease_until < now,
            ),
        )
        with self.engine.begin() as conn:
            result = conn.execute(
                update(ledger_table)
                .where(_key(scenario, item_key), claimable)
                .values(
                    status=Status.IN_PROGRESS.value,
                    worker=worker,
                    lease_until=now + timedelta(seconds=lease_seconds),
                    attempts=ledger_table.c.attempts + 1,
                    started_at=func.coalesce(
                        ledger_table.c.started_at, literal(now, UtcDateTime())
                    ),
                )
            )
            return bool(result.rowcount == 1)

    def complete(
        self,
        scenario: str,
        item_key: str,
        *,
        target_ref: str | None = None,
        robot_seconds: float = 0.0,
    ) -> None:
        """Mark the item done (it reached its target), adding ``robot_seconds``."""
        self._finish(
            scenario, item_key, Status.DONE, robot_seconds=robot_seconds, target_ref=target_ref
        )

    def fail(
        self, scenario: str, item_key: str, error: JimuError, *, robot_seconds: float = 0.0
    ) -> Status:
        """Record a failure (an ApplicationError stays retryable); returns the new status.

        The stored reason is the error's message, masked like a log line (:func:`safe_text`).
        """
        status = (
            Status.APPLICATION_FAILURE
            if isinstance(error, ApplicationError)
            else Status.BUSINESS_FAILURE
        )
        self._finish(
            scenario,
            item_key,
            status,
            robot_seconds=robot_seconds,
            reason_code=error.code,
            reason=safe_text(error.message, max_len=_REASON_MAX),
        )
        return status

    def requeue(self, scenario: str, item_key: str) -> bool:
        """Put an item that failed back in the queue, because a person fixed what was wrong
        (``jimu retry``). True if it was a business or application failure; a done, queued,
        running or returned item is left as it is (False). Its attempts and times are kept.
        """
        check_item_key(item_key)
        failed = (Status.BUSINESS_FAILURE.value, Status.APPLICATION_FAILURE.value)
        with self.engine.begin() as conn:
            result = conn.execute(
                update(ledger_table)
                .where(_key(scenario, item_key), ledger_table.c.status.in_(failed))
                .values(status=Status.QUEUED.value, worker=None, lease_until=None,
                        finished_at=None, reason_code=None, reason=None)
            )  # fmt: skip
            return bool(result.rowcount == 1)

    def return_item(self, scenario: str, item_key: str, *, reason: str) -> None:
        """Send the item back to the department (差戻し, 判読不能): it never counts as done.

        ``reason`` is stored masked like a log line (:func:`safe_text`).
        """
        self._finish(
            scenario,
            item_key,
            Status.RETURNED,
            reason_code="returned",
            reason=safe_text(reason, max_len=_REASON_MAX),
        )

    def add_human_time(
        self, scenario: str, item_key: str, seconds: float, *, reviewer: str | None = None
    ) -> bool:
        """Add time a person spent on the item (review, exception handling).

        Returns False (and records nothing) if the ledger does not know the item.
        """
        check_item_key(item_key)
        if seconds < 0:
            raise ValueError("human time cannot be negative")
        values: dict[str, Any] = {"human_seconds": ledger_table.c.human_seconds + seconds}
        if reviewer:
            values["reviewer"] = reviewer
        with self.engine.begin() as conn:
            result = conn.execute(
                update(ledger_table).where(_key(scenario, item_key)).values(**values)
            )
            return bool(result.rowcount == 1)

    def release_abandoned(self, scenario: str, *, is_alive: Callable[[str], bool]) -> int:
        """Put back in the queue items held by workers that are gone (killed, crashed).

        ``is_alive(worker)`` says whether a worker still runs; items of live workers keep
        their lease. Returns how many items were released.
        """
        query = select(ledger_table.c.worker).where(
            ledger_table.c.scenario == scenario,
            ledger_table.c.status == Status.IN_PROGRESS.value,
        )
        with self.engine.begin() as conn:
            workers = {row[0] for row in conn.execute(query)}
            dead = sorted(w for w in workers if w is None or not is_alive(w))
            if not dead:
                return 0
            result = conn.execute(
                update(ledger_table)
                .where(
                    ledger_table.c.scenario == scenario,
                    ledger_table.c.status == Status.IN_PROGRESS.value,
                    or_(ledger_table.c.worker.in_(dead), ledger_table.c.worker.is_(None)),
                )
                .values(status=Status.QUEUED.value, worker=None, lease_until=None)
            )
            return int(result.rowcount)

    def insert_many(self, rows: Iterable[Mapping[str, Any]], *, batch: int = 20_000) -> int:
        """Bulk-insert finished rows (history imports, generated demo data). Returns the count.

        Every row's ``item_key`` must pass :func:`check_item_key`; reasons are stored masked.
        """
        count = 0
        buffer: list[Mapping[str, Any]] = []
        with self.engine.begin() as conn:
            for row in rows:
                check_item_key(row["item_key"])
                if row.get("reason"):
                    row = {**row, "reason": safe_text(row["reason"], max_len=_REASON_MAX)}
                buffer.append(row)
                if len(buffer) >= batch:
                    conn.execute(insert(ledger_table), buffer)
                    count += len(buffer)
                    buffer = []
            if buffer:
                conn.execute(insert(ledger_table), buffer)
                count += len(buffer)
        return count

    def _finish(
        self,
        scenario: str,
        item_key: str,
        status: Status,
        *,
        robot_seconds: float = 0.0,
        **values: Any,
    ) -> None:
        check_item_key(item_key)
        with self.engine.begin() as conn:
            result = conn.execute(
                update(ledger_table)
                .where(_key(scenario, item_key))
                .values(
                    status=status.value,
                    lease_until=None,
                    finished_at=_now(),
                    robot_seconds=ledger_table.c.robot_seconds + robot_seconds,
                    **values,
                )
            )
            if result.rowcount != 1:
                raise ConfigError(f"ledger has no item {item_key} in scenario {scenario!r}")

    # -- reading -------------------------------------------------------------------------

    def get(self, scenario: str, item_key: str) -> ItemState | None:
        """The item's current state, or None if the ledger does not know it."""
        with self.engine.connect() as conn:
            row = (
                conn.execute(select(ledger_table).where(_key(scenario, item_key)))
                .mappings()
                .first()
            )
        return ItemState._from_row(row) if row else None

    def items(self, scenario: str | None = None) -> Iterator[ItemState]:
        """Every item (of one scenario, if given), oldest first."""
        query = select(ledger_table).order_by(ledger_table.c.id)
        if scenario is not None:
            query = query.where(ledger_table.c.scenario == scenario)
        with self.engine.connect() as conn:
            for row in conn.execute(query).mappings():
                yield ItemState._from_row(row)

    def counts(self, scenario: str) -> dict[Status, int]:
        """How many items of ``scenario`` are in each state."""
        query = (
            select(ledger_table.c.status, func.count())
            .where(ledger_table.c.scenario == scenario)
            .group_by(ledger_table.c.status)
        )
        with self.engine.connect() as conn:
            found = {Status(status): int(n) for status, n in conn.execute(query)}
        return {status: found.get(status, 0) for status in Status}


def _insert_if_absent(dialect: str, values: dict[str, Any]) -> Any:
    if dialect == "postgresql":
        return postgresql_insert(ledger_table).values(**values).on_conflict_do_nothing()
    return sqlite_insert(ledger_table).values(**values).on_conflict_do_nothing()


def _key(scenario: str, item_key: str) -> Any:
    return and_(ledger_table.c.scenario == scenario, ledger_table.c.item_key == item_key)


def _use_wal(dbapi_connection: Any, _record: Any) -> None:
    set_sqlite_pragmas(dbapi_connection)
