"""資格取得届 登録: one screen, checked as a whole, written at once; duplicates allowed.

Like the system it imitates, nothing stops the same 個人番号 being registered twice: each
登録 makes a new 被保険者番号, which is why robots search first.
"""

from __future__ import annotations

import logging

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse
from sqlalchemy import Engine
from starlette.concurrency import run_in_threadpool

from sandbox.legacy._common import LegacySession, digest, engine_of, today
from sandbox.legacy._pages import read_form, render_sjis
from sandbox.legacy._tables import insert_insured
from sandbox.legacy._validation import ERAS, REASONS, SEXES, Registration, parse_registration

__all__ = ["router"]

log = logging.getLogger(__name__)

router = APIRouter()


def _form_page(
    request: Request, form: dict[str, str], errors: list[str] | None = None
) -> HTMLResponse:
    return render_sjis(
        request,
        "register.html",
        form=form,
        errors=errors,
        labels=request.app.state.labels,
        eras=ERAS,
        sexes=SEXES,
        reasons=REASONS,
    )


@router.get("/register", response_class=HTMLResponse)
def register_form(request: Request, _session: LegacySession) -> HTMLResponse:
    return _form_page(request, {})


def _commit(engine: Engine, registration: Registration, my_number_hmac: str, user: str) -> str:
    with engine.begin() as conn:
        return insert_insured(
            conn,
            registration,
            my_number_hmac=my_number_hmac,
            registered_on=today(),
            registered_by=user,
        )


@router.post("/register", response_class=HTMLResponse)
async def register(request: Request, session: LegacySession) -> HTMLResponse:
    """登録: check the form; show the red messages with what was typed, or the 被保険者番号."""
    form = await read_form(request)
    registration, errors = parse_registration(form, today=today(), labels=request.app.state.labels)
    if registration is None:
        log.info("資格取得届 refused: %d problems", len(errors))
        return _form_page(request, form, errors)
    my_number_hmac = digest(request, registration.my_number)
    insured_no = await run_in_threadpool(
        _commit, engine_of(request), registration, my_number_hmac, session.user
    )
    log.info("registered insured %s", insured_no)
    return render_sjis(request, "done.html", insured_no=insured_no)
