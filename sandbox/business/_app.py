"""The 業務システム app: menu, the お知らせ modal, the 受給者詳細 page, and the route modules."""

from __future__ import annotations

import logging
from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse, RedirectResponse
from sqlalchemy import select

from sandbox._db import open_database
from sandbox._settings import FaultSettings
from sandbox._web import SessionDep, create_base_app, render
from sandbox.business._common import engine_of, wareki
from sandbox.business._inspect import router as inspect_router
from sandbox.business._register import router as register_router
from sandbox.business._search import router as search_router
from sandbox.business._tables import children, metadata, recipients

__all__ = ["create_business_app"]

log = logging.getLogger(__name__)

SYSTEM_NAME = "児童手当 業務システム"
HEADER_COLOR = "#34507a"


def create_business_app(
    *, db_path: Path, username: str, password: str, faults: FaultSettings | None = None
) -> FastAPI:
    """The 業務システム (child-allowance business system) on the SQLite file ``db_path``.

    Creates the file (owner-only) and its tables if absent. Staff log in as ``username``
    with ``password``; ``faults`` sets the initial fault knobs (all off by default).
    """
    app = create_base_app(
        system_name=SYSTEM_NAME,
        header_color=HEADER_COLOR,
        username=username,
        password=password,
        faults=faults,
        home="/menu",
        cookie="JSESSIONID",  # a Java back office, like many 業務システム
    )
    engine = open_database(db_path)
    metadata.create_all(engine)
    app.state.engine = engine
    app.state.db_path = db_path

    @app.get("/")
    def root() -> RedirectResponse:
        return RedirectResponse("/menu", status_code=303)

    @app.get("/menu", response_class=HTMLResponse)
    def menu(request: Request, _session: SessionDep) -> HTMLResponse:
        show_notice = bool(request.app.state.faults.show_modal())
        return render(request, "business/menu.html", show_notice=show_notice)

    @app.get("/recipients/{recipient_no}", response_class=HTMLResponse)
    def recipient_detail(request: Request, recipient_no: str, _session: SessionDep) -> HTMLResponse:
        with engine_of(request).connect() as conn:
            row = conn.execute(
                select(recipients).where(recipients.c.recipient_no == recipient_no)
            ).first()
            kids = (
                conn.execute(
                    select(children)
                    .where(children.c.recipient_id == row.id)
                    .order_by(children.c.seq)
                ).all()
                if row is not None
                else []
            )
        if row is None:
            return render(
                request,
                "business/recipient.html",
                status_code=404,
                recipient=None,
                errors=["指定された受給者は登録されていません。"],
            )
        return render(request, "business/recipient.html", recipient=row, kids=kids, wareki=wareki)

    app.include_router(search_router)
    app.include_router(register_router)
    app.include_router(inspect_router)
    log.info("business system ready")
    return app
