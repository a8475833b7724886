"""被保険者検索: by 個人番号 only, an exact match of its keyed hash."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse
from sqlalchemy import Engine, Row, select
from starlette.concurrency import run_in_threadpool

from sandbox.legacy._common import LegacySession, digest, engine_of
from sandbox.legacy._pages import read_form, render_sjis
from sandbox.legacy._tables import insured
from sandbox.legacy._validation import check_my_number

__all__ = ["router"]

router = APIRouter()


def _find(engine: Engine, my_number_hmac: str) -> list[Row[Any]]:
    with engine.connect() as conn:
        query = select(insured).where(insured.c.my_number_hmac == my_number_hmac)
        return list(conn.execute(query.order_by(insured.c.id)))


@router.get("/search", response_class=HTMLResponse)
def search_form(request: Request, _session: LegacySession) -> HTMLResponse:
    return render_sjis(request, "search.html", form={}, results=None)


# POST, so that a 個人番号 never ends up in a URL, a history or an access log.
@router.post("/search", response_class=HTMLResponse)
async def search(request: Request, _session: LegacySession) -> HTMLResponse:
    form = await read_form(request)
    my_number = form.get("f_kojin", "").strip(" \u3000")
    problem = check_my_number(my_number)
    if problem is not None:
        return render_sjis(request, "search.html", form=form, results=None, errors=[problem])
    rows = await run_in_threadpool(_find, engine_of(request), digest(request, my_number))
    return render_sjis(request, "search.html", form=form, results=rows)
