"""新規登録: 請求者 → 児童 → 振込口座 → 確認 → 完了, the draft kept in the server-side session.

Each screen validates its own form and either shows the messages (keeping what was typed)
or stores the form in the draft and moves on. 確認 and 登録 check the whole draft again, so
nothing reaches the database that a screen would refuse, and 登録 writes the recipient and
its children in one transaction. Like the legacy system it imitates, nothing stops the same
person being registered twice.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, replace
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy import Engine
from starlette.concurrency import run_in_threadpool

from sandbox._sessions import Session
from sandbox._web import SessionDep, render
from sandbox.business._common import choices, engine_of, form_values, today, wareki
from sandbox.business._tables import insert_recipient
from sandbox.business._validation import (
    MAX_CHILDREN,
    Form,
    parse_account,
    parse_applicant,
    parse_children,
)
from systems.business_system import Applicant, BankAccount, Child

__all__ = ["router"]

log = logging.getLogger(__name__)

router = APIRouter()

_DRAFT = "business.register.draft"
STEPS = ("applicant", "children", "account")
_TITLES = {"applicant": "請求者", "children": "児童", "account": "振込口座", "confirm": "確認"}
_CHILD_DEFAULTS = {
    f"child{i}_{key}": value
    for i in range(1, MAX_CHILDREN + 1)
    for key, value in (("relationship", "子"), ("living_together", "on"))
}


_Parts = tuple[Applicant, tuple[Child, ...], BankAccount]


@dataclass(frozen=True)
class _Parsed:
    """The draft's screens that passed their checks so far."""

    applicant: Applicant | None = None
    children: tuple[Child, ...] | None = None
    account: BankAccount | None = None


def _draft(session: Session) -> dict[str, dict[str, str]]:
    draft: dict[str, dict[str, str]] = session.data.setdefault(_DRAFT, {})
    return draft


def _parse(step: str, form: Form, parsed: _Parsed) -> tuple[_Parsed, list[str]]:
    if step == "applicant":
        applicant, errors = parse_applicant(form, today=today())
        return replace(parsed, applicant=applicant), errors
    if step == "children":
        parent_birth = parsed.applicant.birth_date if parsed.applicant else None
        kids, errors = parse_children(form, parent_birth=parent_birth, today=today())
        return replace(parsed, children=kids), errors
    account, errors = parse_account(form)
    return replace(parsed, account=account), errors


def _step_page(
    request: Request, step: str, form: Form, *, errors: list[str] | None = None
) -> HTMLResponse:
    return render(
        request,
        f"business/register_{step}.html",
        status_code=422 if errors else 200,
        form=form,
        errors=errors,
        step=step,
        titles=_TITLES,
        max_children=MAX_CHILDREN,
        **choices(),
    )


def _earlier_screens(request: Request, session: Session, step: str) -> _Parsed | Response:
    """The parsed screens before ``step``; else where to go (a missing or now failing screen)."""
    draft = _draft(session)
    parsed = _Parsed()
    for earlier in STEPS[: (*STEPS, "confirm").index(step)]:
        form = draft.get(earlier)
        if form is None:
            return RedirectResponse(f"/register/{earlier}", status_code=303)
        parsed, errors = _parse(earlier, form, parsed)
        if errors:  # e.g. the applicant's birth date changed after the children were entered
            return _step_page(request, earlier, form, errors=errors)
    return parsed


@router.get("/register")
def start(session: SessionDep) -> RedirectResponse:
    """新規登録 from the menu: a fresh draft."""
    session.data.pop(_DRAFT, None)
    return RedirectResponse("/register/applicant", status_code=303)


def _show(request: Request, session: Session, step: str) -> Response:
    earlier = _earlier_screens(request, session, step)
    if isinstance(earlier, Response):
        return earlier
    defaults = _CHILD_DEFAULTS if step == "children" else {}
    return _step_page(request, step, _draft(session).get(step, defaults))


async def _submit(request: Request, session: Session, step: str, next_url: str) -> Response:
    earlier = _earlier_screens(request, session, step)
    if isinstance(earlier, Response):
        return earlier
    form = form_values(await request.form())
    _parsed, errors = _parse(step, form, earlier)
    if errors:
        return _step_page(request, step, form, errors=errors)
    _draft(session)[step] = form
    return RedirectResponse(next_url, status_code=303)


@router.get("/register/applicant", response_class=HTMLResponse)
def applicant_form(request: Request, session: SessionDep) -> Response:
    return _show(request, session, "applicant")


@router.post("/register/applicant")
async def applicant_submit(request: Request, session: SessionDep) -> Response:
    return await _submit(request, session, "applicant", "/register/children")


@router.get("/register/children", response_class=HTMLResponse)
def children_form(request: Request, session: SessionDep) -> Response:
    return _show(request, session, "children")


@router.post("/register/children")
async def children_submit(request: Request, session: SessionDep) -> Response:
    return await _submit(request, session, "children", "/register/account")


@router.get("/register/account", response_class=HTMLResponse)
def account_form(request: Request, session: SessionDep) -> Response:
    return _show(request, session, "account")


@router.post("/register/account")
async def account_submit(request: Request, session: SessionDep) -> Response:
    return await _submit(request, session, "account", "/register/confirm")


def _complete(parsed: _Parsed) -> _Parts | None:
    if parsed.applicant is None or parsed.children is None or parsed.account is None:
        return None
    return parsed.applicant, parsed.children, parsed.account


@router.get("/register/confirm", response_class=HTMLResponse)
def confirm(request: Request, session: SessionDep) -> Response:
    parsed = _earlier_screens(request, session, "confirm")
    if isinstance(parsed, Response):
        return parsed
    parts = _complete(parsed)
    if parts is None:  # pragma: no cover - every screen parsed without errors
        return RedirectResponse("/register/applicant", status_code=303)
    applicant, kids, account = parts
    return render(
        request,
        "business/register_confirm.html",
        applicant=applicant,
        kids=kids,
        account=account,
        wareki=wareki,
        step="confirm",
        titles=_TITLES,
    )


def _commit(engine: Engine, parts: _Parts, user: str) -> str:
    applicant, kids, account = parts
    with engine.begin() as conn:
        return insert_recipient(
            conn,
            applicant=applicant,
            kids=kids,
            account=account,
            registered_on=today(),
            registered_by=user,
        )


@router.post("/register/confirm", response_class=HTMLResponse)
async def register(request: Request, session: SessionDep) -> Response:
    """登録: write the whole draft in one transaction and show the new 受給者番号."""
    parsed = _earlier_screens(request, session, "confirm")
    if isinstance(parsed, Response):
        return parsed
    parts = _complete(parsed)
    if parts is None:  # pragma: no cover - every screen parsed without errors
        return RedirectResponse("/register/applicant", status_code=303)
    # Take the draft before the first await, so that a double-clicked 登録 finds none.
    draft = session.data.pop(_DRAFT)
    try:
        recipient_no = await run_in_threadpool(_commit, engine_of(request), parts, session.user)
    except Exception:
        session.data[_DRAFT] = draft
        raise
    log.info("registered recipient %s with %d children", recipient_no, len(parts[1]))
    context: dict[str, Any] = {"recipient_no": recipient_no, "message": "登録が完了しました。"}
    return render(request, "business/register_done.html", **context)
