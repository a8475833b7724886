"""Reading and changing applications, with the portal's rules for 受理 and 差戻し.

Only 未処理 applications change. Each change is one conditional UPDATE (``WHERE status =
'未処理'``), so two robots racing on the same application cannot both win.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from typing import Any

from sqlalchemy import Engine, func, select, update
from sqlalchemy.dialects.sqlite import insert
from sqlalchemy.exc import IntegrityError

from core.text import nfkc
from sandbox.portal._tables import ACCEPTED, PENDING, RETURNED, Status, applications
from systems.business_system import ChildAllowanceApplication

__all__ = [
    "JST",
    "REASON_MAX_LENGTH",
    "RECIPIENT_NO",
    "ListRow",
    "Outcome",
    "StoredApplication",
    "accept",
    "count",
    "get",
    "insert_new",
    "list_all",
    "list_page",
    "normalise_recipient_no",
    "return_application",
]

log = logging.getLogger(__name__)

JST = timezone(timedelta(hours=9), "JST")
RECIPIENT_NO = re.compile(r"J\d{7}")
REASON_MAX_LENGTH = 500


@dataclass(frozen=True)
class ListRow:
    """One line of the 受付一覧."""

    application_id: str
    received_at: date
    applicant_name: str
    children_count: int
    status: Status
    recipient_no: str | None


@dataclass(frozen=True)
class StoredApplication:
    """An application as the portal holds it: the claim plus its processing state."""

    application: ChildAllowanceApplication
    status: Status
    recipient_no: str | None
    return_reason: str | None
    updated_at: str
    as_entered: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Outcome:
    """What a 受理 or 差戻し request did: ``changed`` the row, or left it (``error`` says why)."""

    changed: bool
    message: str | None = None
    error: str | None = None
    conflict: bool = False  # refused by the state of the application, not by the input


def _now() -> str:
    return datetime.now(JST).isoformat(timespec="seconds")


def _stored(row: Any) -> StoredApplication:
    return StoredApplication(
        application=ChildAllowanceApplication.model_validate_json(row.payload),
        status=row.status,
        recipient_no=row.recipient_no,
        return_reason=row.return_reason,
        updated_at=row.updated_at,
        as_entered=json.loads(row.as_entered) if row.as_entered else {},
    )


def insert_new(
    engine: Engine,
    items: Sequence[ChildAllowanceApplication],
    *,
    as_entered: Mapping[str, Mapping[str, str]] | None = None,
) -> int:
    """Insert applications as 未処理, skipping ids already present; return how many were added.

    ``as_entered`` maps a 受付番号 to free-text answers ({CSV column: text}) kept as typed.
    """
    added = 0
    now = _now()
    with engine.begin() as conn:
        for item in items:
            statement = (
                insert(applications)
                .values(
                    application_id=item.application_id,
                    received_at=item.received_at,
                    applicant_name=item.applicant.name,
                    children_count=len(item.children),
                    payload=item.model_dump_json(),
                    as_entered=(
                        json.dumps(dict(typed), ensure_ascii=False)
                        if (typed := (as_entered or {}).get(item.application_id))
                        else None
                    ),
                    status=PENDING,
                    created_at=now,
                    updated_at=now,
                )
                .on_conflict_do_nothing(index_elements=["application_id"])
            )
            added += conn.execute(statement).rowcount
    return added


def _filtered(status: Status | None) -> Any:
    return applications.c.status == status if status else True


def count(engine: Engine, status: Status | None) -> int:
    """How many applications have ``status`` (all of them for None)."""
    query = select(func.count()).select_from(applications).where(_filtered(status))
    with engine.connect() as conn:
        return int(conn.execute(query).scalar_one())


_NEWEST_FIRST = (applications.c.received_at.desc(), applications.c.application_id.desc())


def list_page(engine: Engine, status: Status | None, *, offset: int, limit: int) -> list[ListRow]:
    """One page of the 受付一覧, newest first."""
    c = applications.c
    query = (
        select(
            c.application_id,
            c.received_at,
            c.applicant_name,
            c.children_count,
            c.status,
            c.recipient_no,
        )
        .where(_filtered(status))
        .order_by(*_NEWEST_FIRST)
        .offset(offset)
        .limit(limit)
    )
    with engine.connect() as conn:
        return [ListRow(*row) for row in conn.execute(query)]


def list_all(engine: Engine, status: Status | None) -> list[StoredApplication]:
    """Every application with ``status`` (all for None), newest first, for the CSV export."""
    query = select(applications).where(_filtered(status)).order_by(*_NEWEST_FIRST)
    with engine.connect() as conn:
        return [_stored(row) for row in conn.execute(query)]


def get(engine: Engine, application_id: str) -> StoredApplication | None:
    """The application with this 受付番号, or None."""
    query = select(applications).where(applications.c.application_id == application_id)
    with engine.connect() as conn:
        row = conn.execute(query).one_or_none()
    return None if row is None else _stored(row)


def _change(engine: Engine, application_id: str, **values: Any) -> bool:
    statement = (
        update(applications)
        .where(applications.c.application_id == application_id)
        .where(applications.c.status == PENDING)
        .values(**values, updated_at=_now())
    )
    with engine.begin() as conn:
        return conn.execute(statement).rowcount == 1


def normalise_recipient_no(text: str) -> str:
    """全角 or lower-case input such as ``ｊ０００１２３４`` → ``J0001234``."""
    return nfkc(text).strip().upper()


def accept(engine: Engine, application_id: str, recipient_no: str) -> Outcome:
    """Record 受理 with a 受給者番号 (J + 7 digits).

    Idempotent for the same number; refused for another number, a 差戻し application, or a
    number already recorded on another application.
    """
    number = normalise_recipient_no(recipient_no)
    if not RECIPIENT_NO.fullmatch(number):
        return Outcome(
            False, error="受給者番号は「J」と数字7桁で入力してください（例: J0001234）。"
        )
    try:
        changed = _change(engine, application_id, status=ACCEPTED, recipient_no=number)
    except IntegrityError:
        query = select(applications.c.application_id).where(applications.c.recipient_no == number)
        with engine.connect() as conn:
            other = conn.execute(query).scalar_one_or_none()
        return Outcome(
            False,
            error=f"受給者番号 {number} は別の申請（受付番号 {other}）に記録済みです。",
            conflict=True,
        )
    if changed:
        log.info("application %s accepted", application_id)
        return Outcome(True, message=f"受理として記録しました（受給者番号 {number}）。")
    current = get(engine, application_id)
    if current is None:
        return Outcome(False, error="この申請は見つかりません。")
    if current.status == ACCEPTED and current.recipient_no == number:
        return Outcome(False, message=f"既に受理済みです（受給者番号 {number}）。")
    if current.status == ACCEPTED:
        return Outcome(
            False,
            error=f"既に受給者番号 {current.recipient_no} で受理済みです。"
            "受給者番号は変更できません。",
            conflict=True,
        )
    return Outcome(False, error="差戻し済みの申請は受理できません。", conflict=True)


def return_application(engine: Engine, application_id: str, reason: str) -> Outcome:
    """Record 差戻し with a reason (required, at most 500 characters).

    Idempotent for the same reason; refused after 受理 or for a different reason.
    """
    text = reason.strip()
    if not text:
        return Outcome(False, error="差戻し理由を入力してください。")
    if len(text) > REASON_MAX_LENGTH:
        return Outcome(False, error=f"差戻し理由は{REASON_MAX_LENGTH}文字以内で入力してください。")
    if _change(engine, application_id, status=RETURNED, return_reason=text):
        log.info("application %s returned", application_id)
        return Outcome(True, message="差戻しとして記録しました。")
    current = get(engine, application_id)
    if current is None:
        return Outcome(False, error="この申請は見つかりません。")
    if current.status == RETURNED and current.return_reason == text:
        return Outcome(False, message="既に差戻し済みです。")
    if current.status == RETURNED:
        return Outcome(
            False, error="既に差戻し済みです。差戻し理由は変更できません。", conflict=True
        )
    return Outcome(False, error="受理済みの申請は差戻しできません。", conflict=True)
