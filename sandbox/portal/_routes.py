"""The 電子申請システム's pages: 受付一覧, 詳細 (受理・差戻し), CSV出力, and the inspection."""

from __future__ import annotations

import math
from datetime import datetime
from pathlib import Path
from typing import Annotated
from urllib.parse import urlencode

from fastapi import Depends, FastAPI, Form, Request
from fastapi.exception_handlers import http_exception_handler
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException

from core.wareki import format_wareki
from sandbox._db import open_database
from sandbox._sessions import Session
from sandbox._settings import FaultSettings
from sandbox._web import AdminApi, create_base_app, current_session, render
from sandbox.portal import _store as store
from sandbox.portal._csv import ENCODINGS, CsvEncoding, UnencodableText, export_csv
from sandbox.portal._inspect import inspect_portal
from sandbox.portal._tables import PENDING, STATUSES, Status, create_schema

__all__ = ["PAGE_SIZE", "create_portal_app"]

PAGE_SIZE = 50
ALL = "すべて"
SYSTEM_NAME = "電子申請システム"

SessionDep = Annotated[Session, Depends(current_session)]


def _parse_status(raw: str | None, default: str) -> tuple[Status | None, str, list[str]]:
    """(status filter or None for all, the value to show in the form, errors)."""
    value = (raw or default).strip() or ALL
    if value == ALL:
        return None, ALL, []
    for status in STATUSES:
        if value == status:
            return status, value, []
    return None, ALL, [f"状態は「{ALL}」「{'」「'.join(STATUSES)}」のいずれかを指定してください。"]


def _parse_page(raw: str | None) -> int:
    try:
        return max(1, int(raw or "1"))
    except ValueError:
        return 1


def _flash(session: Session) -> str | None:
    message = session.data.pop("flash", None)
    return message if isinstance(message, str) else None


def create_portal_app(
    *, db_path: Path, username: str, password: str, faults: FaultSettings | None = None
) -> FastAPI:
    """The 電子申請システム on the SQLite file ``db_path`` (created owner-only if absent)."""
    engine = open_database(db_path)
    create_schema(engine)
    app = create_base_app(
        system_name=SYSTEM_NAME,
        header_color="#1f6f5c",
        username=username,
        password=password,
        faults=faults,
        home="/applications",
        cookie="PORTAL_SESSION",
    )
    app.state.engine = engine

    def not_found(request: Request, application_id: str | None = None) -> HTMLResponse:
        return render(
            request, "portal/not_found.html", status_code=404, application_id=application_id
        )

    @app.exception_handler(StarletteHTTPException)
    async def _japanese_404(request: Request, exc: StarletteHTTPException) -> Response:
        if exc.status_code == 404:
            return not_found(request)
        return await http_exception_handler(request, exc)

    @app.get("/")
    def home(_session: SessionDep) -> Response:
        return RedirectResponse("/applications", status_code=303)

    @app.get("/applications", response_class=HTMLResponse)
    def application_list(
        request: Request, session: SessionDep, status: str | None = None, page: str | None = None
    ) -> HTMLResponse:
        selected, shown, errors = _parse_status(status, ALL)
        total = store.count(engine, selected)
        pages = max(1, math.ceil(total / PAGE_SIZE))
        current = min(_parse_page(page), pages)
        rows = store.list_page(engine, selected, offset=(current - 1) * PAGE_SIZE, limit=PAGE_SIZE)

        def page_url(number: int) -> str:
            return "/applications?" + urlencode({"status": shown, "page": number})

        return render(
            request,
            "portal/list.html",
            status_code=422 if errors else 200,
            errors=errors,
            rows=rows,
            total=total,
            page=current,
            pages=pages,
            first=(current - 1) * PAGE_SIZE + 1 if rows else 0,
            last=(current - 1) * PAGE_SIZE + len(rows),
            prev_url=page_url(current - 1) if current > 1 else None,
            next_url=page_url(current + 1) if current < pages else None,
            status_value=shown,
            status_options=(ALL, *STATUSES),
            message=_flash(session),
        )

    def detail_page(
        request: Request,
        application_id: str,
        *,
        status_code: int = 200,
        errors: list[str] | None = None,
        message: str | None = None,
        recipient_no: str = "",
        reason: str = "",
    ) -> HTMLResponse:
        stored = store.get(engine, application_id)
        if stored is None:
            return not_found(request, application_id)
        return render(
            request,
            "portal/detail.html",
            status_code=status_code,
            stored=stored,
            item=stored.application,
            wareki=format_wareki,
            errors=errors,
            message=message,
            recipient_no=recipient_no,
            reason=reason,
        )

    @app.get("/applications/{application_id}", response_class=HTMLResponse)
    def application_detail(
        request: Request, application_id: str, session: SessionDep
    ) -> HTMLResponse:
        return detail_page(request, application_id, message=_flash(session))

    def after_change(
        request: Request,
        session: Session,
        application_id: str,
        outcome: store.Outcome,
        *,
        recipient_no: str = "",
        reason: str = "",
    ) -> Response:
        if outcome.error is None:
            # Post/Redirect/Get: reloading the result page never submits twice.
            session.data["flash"] = outcome.message
            return RedirectResponse(f"/applications/{application_id}", status_code=303)
        return detail_page(
            request,
            application_id,
            status_code=409 if outcome.conflict else 422,
            errors=[outcome.error],
            recipient_no=recipient_no,
            reason=reason,
        )

    @app.post("/applications/{application_id}/accept")
    def accept(
        request: Request,
        application_id: str,
        session: SessionDep,
        recipient_no: Annotated[str, Form()] = "",
    ) -> Response:
        if store.get(engine, application_id) is None:
            return not_found(request, application_id)
        outcome = store.accept(engine, application_id, recipient_no)
        return after_change(request, session, application_id, outcome, recipient_no=recipient_no)

    @app.post("/applications/{application_id}/return")
    def return_application(
        request: Request,
        application_id: str,
        session: SessionDep,
        reason: Annotated[str, Form()] = "",
    ) -> Response:
        if store.get(engine, application_id) is None:
            return not_found(request, application_id)
        outcome = store.return_application(engine, application_id, reason)
        return after_change(request, session, application_id, outcome, reason=reason)

    def export_page(
        request: Request,
        *,
        status_value: str = PENDING,
        encoding: str = "utf-8-sig",
        errors: list[str] | None = None,
    ) -> HTMLResponse:
        return render(
            request,
            "portal/export.html",
            status_code=422 if errors else 200,
            errors=errors,
            status_value=status_value,
            status_options=(ALL, *STATUSES),
            encoding=encoding,
            encodings=ENCODINGS,
        )

    @app.get("/export", response_class=HTMLResponse)
    def export_form(request: Request, _session: SessionDep) -> HTMLResponse:
        return export_page(request)

    @app.get("/export.csv")
    def export_download(
        request: Request,
        _session: SessionDep,
        status: str | None = None,
        encoding: str = "utf-8-sig",
    ) -> Response:
        selected, shown, errors = _parse_status(status, PENDING)
        chosen: CsvEncoding | None = None
        for known in ENCODINGS:
            if encoding.strip().lower() == known:
                chosen = known
        if chosen is None:
            errors.append("文字コードは utf-8-sig または cp932 を指定してください。")
        if errors or chosen is None:
            return export_page(request, status_value=shown, errors=errors)
        try:
            body = export_csv(store.list_all(engine, selected), encoding=chosen)
        except UnencodableText as exc:
            error = (
                f"受付番号 {exc.application_id} の「{exc.column}」に Shift_JIS (CP932) で"
                "表せない文字があります。UTF-8 (BOM付き) で出力してください。"
            )
            return export_page(request, status_value=shown, encoding=chosen, errors=[error])
        filename = f"shinsei_{datetime.now(store.JST):%Y%m%d}.csv"
        charset = "utf-8" if chosen == "utf-8-sig" else "Windows-31J"
        return Response(
            body,
            media_type=f"text/csv; charset={charset}",
            headers={"Content-Disposition": f'attachment; filename="{filename}"'},
        )

    @app.get("/_inspect/summary", dependencies=[AdminApi])
    def inspect_summary() -> dict[str, object]:
        return inspect_portal(db_path).as_json()

    return app
