"""受給者検索: by 個人番号, or by 氏名 and 生年月日 (names compared NFKC-equal, spaces ignored)."""

from __future__ import annotations

from datetime import date
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse
from sqlalchemy import Engine, Row, select
from starlette.concurrency import run_in_threadpool

from core.text import same_text
from sandbox._web import SessionDep, render
from sandbox.business._common import choices, engine_of, form_values, today, wareki
from sandbox.business._tables import recipients
from sandbox.business._validation import check_my_number, parse_date

__all__ = ["router"]

router = APIRouter()

_NOT_FOUND = "該当する受給者は見つかりませんでした。"
_HOW = "個人番号、または氏名と生年月日を入力してください。"


def _by_my_number(engine: Engine, my_number: str) -> list[Row[Any]]:
    with engine.connect() as conn:
        return list(
            conn.execute(
                select(recipients)
                .where(recipients.c.my_number == my_number)
                .order_by(recipients.c.id)
            )
        )


def _by_name_and_birth(engine: Engine, name: str, birth_date: date) -> list[Row[Any]]:
    with engine.connect() as conn:
        rows = conn.execute(
            select(recipients)
            .where(recipients.c.birth_date == birth_date)
            .order_by(recipients.c.id)
        )
        return [row for row in rows if same_text(row.name, name, ignore_spaces=True)]


def _page(request: Request, **context: Any) -> HTMLResponse:
    context.setdefault("form", {})
    context.setdefault("results", None)
    return render(request, "business/search.html", wareki=wareki, **choices(), **context)


@router.get("/search", response_class=HTMLResponse)
def search_form(request: Request, _session: SessionDep) -> HTMLResponse:
    return _page(request)


# POST, so that a 個人番号 never ends up in a URL, a history or an access log.
@router.post("/search", response_class=HTMLResponse)
async def search(request: Request, _session: SessionDep) -> HTMLResponse:
    form = form_values(await request.form())
    my_number = form.get("my_number", "").strip()
    name = form.get("name", "").strip()
    birth_given = any(form.get(f"birth_{part}") for part in ("era", "year", "month", "day"))
    if my_number:
        problem = check_my_number(my_number)
        if problem is not None:
            return _page(request, status_code=422, form=form, errors=[problem])
        rows = await run_in_threadpool(_by_my_number, engine_of(request), my_number)
    elif name or birth_given:
        errors = [] if name else ["氏名を入力してください。"]
        birth_date, problem = parse_date(form, "birth", "生年月日", today=today())
        if problem:
            errors.append(problem)
        if errors or birth_date is None:
            return _page(request, status_code=422, form=form, errors=errors)
        rows = await run_in_threadpool(_by_name_and_birth, engine_of(request), name, birth_date)
    else:
        return _page(request, status_code=422, form=form, errors=[_HOW])
    message = f"{len(rows)}件の受給者が見つかりました。" if rows else _NOT_FOUND
    return _page(request, form=form, results=rows, message=message)
