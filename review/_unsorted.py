"""The 未仕分け tray: pages of a batch that no paper form's template matched, waiting for a
person to name the form — or to discard them.

A page is an owner-only PNG beside the review database (``review/unsorted/<page_id>.png``)
and a row of ``unsorted_pages`` with the sorter's reason. On the station's 「未仕分け」 page a
clerk sees the page, the reason and the paper forms (numbered 1–9) and presses ONE key: the
form's number writes the page, atomically and owner-only, into that form's scenario inbox
(its ``deployment.inbox.folder`` under the data folder; a scenario without an inbox gets it
among its kept scans, read by its next run), where it is read like every scan — a page that
still does not align is quarantined with the reader's reason; 0 or Delete discards it. Both
are audited. A handled row stays (assigned or discarded, purged with the review store's
retention), so a rerun of the batch never puts the page back.

A page id is ``scan-`` and 16 hex digits of the PNG's SHA-256: the same file in a scenario's
inbox has the same document id there, so writing it twice never reads it twice.
"""

from __future__ import annotations

import hashlib
import logging
import os
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Annotated

from fastapi import FastAPI, Query, Request
from fastapi import Path as PathParam
from fastapi.responses import HTMLResponse, PlainTextResponse, RedirectResponse, Response
from sqlalchemy import Connection, RowMapping, delete, func, insert, select, update
from sqlalchemy.exc import IntegrityError

from core.errors import ConfigError
from core.files import make_owner_only_dir
from core.scenario import discover_scenarios, load_scenario, scenarios_dir
from core.yamlfile import load_yaml
from review._db import unsorted_table
from review._errors import StaleDocument, UnknownDocument
from review._models import ACTION_LABELS
from review._rows import add_audit, now
from review._security import PostedDep, SessionDep
from review._store import ReviewStore

__all__ = [
    "PAGE_ID",
    "PAPER_FLOW",
    "PaperForm",
    "UnsortedPage",
    "UnsortedTray",
    "add_unsorted_routes",
    "page_id_of",
    "paper_forms",
    "write_atomically",
]

log = logging.getLogger(__name__)

Render = Callable[..., HTMLResponse]
U = unsorted_table.c
PAGE_ID = r"^scan-[0-9a-f]{16}$"
PageId = Annotated[str, PathParam(pattern=PAGE_ID)]
#: The flow that reads paper forms: a scenario run by it, with a template.yaml, is a form.
PAPER_FLOW = "flows.paper_intake:paper_intake"
MAX_KEYS = 9  # forms get the keys 1..9
ASSIGNED, DISCARDED = "unsorted-assigned", "unsorted-discarded"
ACTION_LABELS.setdefault(ASSIGNED, "未仕分け→様式を指定")
ACTION_LABELS.setdefault(DISCARDED, "未仕分け→破棄")


def page_id_of(data: bytes) -> str:
    """``scan-`` and the first 16 hex digits of the SHA-256 of ``data`` (as for scans)."""
    return f"scan-{hashlib.sha256(data).hexdigest()[:16]}"


def write_atomically(path: Path, data: bytes) -> Path:
    """Write ``data`` to ``path`` owner-only (folder 700, file 600), all or nothing.

    A hidden temporary file beside it (an inbox watcher passes over names starting with a
    dot) is written, flushed to disk and renamed over ``path``: a reader sees the whole file
    or none, and a link at ``path`` is replaced, never written through.
    """
    folder = make_owner_only_dir(path.parent)
    temporary = folder / f".{path.name}.{secrets.token_hex(4)}.tmp"
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | getattr(os, "O_CLOEXEC", 0)
    fd = os.open(temporary, flags, 0o600)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temporary, path)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
    directory = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(directory)  # the rename itself survives a power cut
    finally:
        os.close(directory)
    return path


# --- the paper forms ---------------------------------------------------------------------


@dataclass(frozen=True)
class PaperForm:
    """A paper scenario: its id, the form's printed title, and where its scans go in."""

    scenario: str
    title: str
    inbox: Path


def paper_forms(data_dir: Path, *, root: Path | None = None) -> list[PaperForm]:
    """Every scenario run by the paper-intake flow that has a ``template.yaml``, by id.

    Its inbox is ``deployment.inbox.folder`` under ``data_dir`` (a folder outside it is not
    used), else its kept scans (``<data_dir>/<id>/scans``). A scenario whose files are broken
    is left out with a warning: it must not stop the others' pages.
    """
    root = root or scenarios_dir()
    forms = []
    for scenario_id in discover_scenarios(root=root):
        template = root / scenario_id / "template.yaml"
        if not template.is_file():
            continue
        try:
            config = load_scenario(scenario_id, root=root)
            if config.flow != PAPER_FLOW:
                continue
            data, _ = load_yaml(template, what="the template")
        except ConfigError as exc:
            log.warning("paper form %s left out: %s", scenario_id, exc.code)
            continue
        title = data.get("title") if isinstance(data, dict) else None
        inbox = data_dir / scenario_id / "scans"
        folder = ((config.deployment or {}).get("inbox") or {}).get("folder")
        if isinstance(folder, str) and folder:
            wanted = (data_dir / folder).resolve()
            if data_dir.resolve() in wanted.parents:
                inbox = data_dir / folder
            else:
                log.warning("paper form %s: its inbox is outside the data folder", scenario_id)
        forms.append(PaperForm(scenario_id, str(title or config.name), inbox))
    return forms


# --- the tray ----------------------------------------------------------------------------


@dataclass(frozen=True)
class UnsortedPage:
    """One page in the tray (``candidates``: forms the sorter found close, by scenario id)."""

    page_id: str
    scenario: str
    reason: str
    candidates: tuple[str, ...]
    state: str
    added_at: datetime


class UnsortedTray:
    """The 未仕分け tray on the review store's database, its files beside it.

    The data folder is the store's grandparent (``<data>/review/review.sqlite3``) unless
    ``data_dir`` says otherwise.
    """

    def __init__(self, store: ReviewStore, *, data_dir: Path | None = None) -> None:
        self.engine = store.engine
        self.folder = store.path.parent / "unsorted"
        self.data_dir = data_dir or store.path.parent.parent

    def file(self, page_id: str) -> Path:
        """Where the page's PNG is kept."""
        return self.folder / f"{page_id}.png"

    def add(
        self, png: bytes, *, scenario: str, reason: str, candidates: tuple[str, ...] = ()
    ) -> tuple[str, bool]:
        """Put a page (PNG) in the tray; returns its id and whether it is new.

        A page the tray knows — waiting, or assigned or discarded already — changes nothing:
        adding it again (a rerun after a crash) neither duplicates nor revives it.
        """
        page_id = page_id_of(png)
        with self.engine.connect() as conn:
            if conn.execute(select(U.id).where(U.page_id == page_id)).first():
                return page_id, False
        write_atomically(self.file(page_id), png)  # the file first: a row never lacks it
        try:
            with self.engine.begin() as conn:
                conn.execute(
                    insert(unsorted_table).values(
                        page_id=page_id,
                        scenario=scenario,
                        reason=reason[:1000],
                        candidates=",".join(candidates)[:500],
                        state="waiting",
                        added_at=now(),
                    )
                )
        except IntegrityError:  # another process added the same page at the same moment
            return page_id, False
        log.info("unsorted: page %s added to the tray", page_id)
        return page_id, True

    def waiting(self) -> list[UnsortedPage]:
        """The pages waiting for a person, oldest first."""
        with self.engine.connect() as conn:
            rows = conn.execute(
                select(unsorted_table).where(U.state == "waiting").order_by(U.id)
            ).mappings()
            return [_page(row) for row in rows]

    def count(self) -> int:
        """How many pages wait."""
        with self.engine.connect() as conn:
            found = conn.execute(select(func.count()).where(U.state == "waiting")).scalar_one()
            return int(found)

    def page(self, page_id: str) -> UnsortedPage:
        """One page of the tray, handled or not; raises :class:`UnknownDocument`."""
        with self.engine.connect() as conn:
            row = conn.execute(select(unsorted_table).where(U.page_id == page_id)).mappings()
            found = row.first()
        if found is None:
            raise UnknownDocument(f"no page {page_id} in the unsorted tray")
        return _page(found)

    def image(self, page_id: str) -> bytes | None:
        """The PNG of a waiting page, or None."""
        if self.page(page_id).state != "waiting":
            return None
        try:
            return self.file(page_id).read_bytes()
        except FileNotFoundError:
            return None

    def assign(self, page_id: str, form: PaperForm, *, user: str) -> Path:
        """Write the page into ``form``'s inbox and take it out of the tray; returns the file.

        One transaction: the row is claimed (still waiting), the file written, the audit
        entry added. Raises :class:`UnknownDocument` for an unknown page and
        :class:`StaleDocument` for one already handled (by another clerk).
        """
        with self.engine.begin() as conn:
            self._claim(conn, page_id, "assigned", user, assigned_to=form.scenario)
            png = self.file(page_id).read_bytes()
            target = write_atomically(form.inbox / f"{page_id}.png", png)
            add_audit(conn, user, page_id, ASSIGNED, after=form.scenario)
        self.file(page_id).unlink(missing_ok=True)
        log.info("unsorted: page %s assigned to %s by %s", page_id, form.scenario, user)
        return target

    def discard(self, page_id: str, *, user: str) -> None:
        """Discard a waiting page: an audit entry is kept, the file is removed."""
        with self.engine.begin() as conn:
            self._claim(conn, page_id, "discarded", user)
            add_audit(conn, user, page_id, DISCARDED)
        self.file(page_id).unlink(missing_ok=True)
        log.info("unsorted: page %s discarded by %s", page_id, user)

    def purge_older_than(self, days: int) -> int:
        """Forget pages handled more than ``days`` ago (waiting ones are kept whatever their
        age); returns how many."""
        cutoff = now() - timedelta(days=days)
        with self.engine.begin() as conn:
            deleted = conn.execute(
                delete(unsorted_table).where(
                    U.state != "waiting", U.handled_at.is_not(None), U.handled_at < cutoff
                )
            ).rowcount
        return int(deleted)

    def _claim(self, conn: Connection, page_id: str, state: str, user: str, **values: str) -> None:
        claimed = conn.execute(
            update(unsorted_table)
            .where(U.page_id == page_id, U.state == "waiting")
            .values(state=state, handled_at=now(), handled_by=user, **values)
        ).rowcount
        if not claimed:
            self.page(page_id)  # UnknownDocument if there is no such page
            raise StaleDocument(f"page {page_id} was handled already")


def _page(row: RowMapping) -> UnsortedPage:
    return UnsortedPage(
        page_id=row["page_id"],
        scenario=row["scenario"],
        reason=row["reason"],
        candidates=tuple(c for c in row["candidates"].split(",") if c),
        state=row["state"],
        added_at=row["added_at"],
    )


# --- the station's page ------------------------------------------------------------------

DONE = {"assigned": "様式を指定して受付フォルダへ回しました。", "discarded": "破棄しました。"}


def add_unsorted_routes(app: FastAPI, *, store: ReviewStore, render: Render) -> None:
    """The 「未仕分け」 page: any logged-in reviewer assigns a page to a form with one key."""
    tray = UnsortedTray(store)
    app.state.unsorted = tray  # the queue page shows its count

    def forms_for(page: UnsortedPage) -> list[PaperForm]:
        forms = paper_forms(tray.data_dir)
        # The sorter's candidates first, so their keys are the low numbers.
        forms.sort(key=lambda f: (f.scenario not in page.candidates, f.scenario))
        return forms[:MAX_KEYS]

    @app.get("/unsorted", response_class=HTMLResponse)
    def unsorted(
        request: Request,
        _session: SessionDep,
        done: str = "",
        page: Annotated[str | None, Query(pattern=PAGE_ID)] = None,
    ) -> Response:
        pages = tray.waiting()
        current = pages[0] if pages else None
        return render(
            request,
            "unsorted.html",
            pages=pages,
            current=current,
            forms=forms_for(current) if current else [],
            message=f"{page}: {DONE[done]}" if done in DONE and page else None,
        )

    @app.get("/unsorted/{page_id}/image")
    def image(_session: SessionDep, page_id: PageId) -> Response:
        png = tray.image(page_id)
        if png is None:
            return PlainTextResponse("not found", status_code=404)
        disposition = {"Content-Disposition": "inline; filename=page.png"}
        return Response(png, media_type="image/png", headers=disposition)

    @app.post("/unsorted/{page_id}/assign")
    def assign(posted: PostedDep, page_id: PageId) -> Response:
        wanted = posted.text("form")
        form = next((f for f in forms_for(tray.page(page_id)) if f.scenario == wanted), None)
        if form is None:
            return PlainTextResponse("unknown form", status_code=422)
        tray.assign(page_id, form, user=posted.session.user.name)
        return RedirectResponse(f"/unsorted?done=assigned&page={page_id}", status_code=303)

    @app.post("/unsorted/{page_id}/discard")
    def discard(posted: PostedDep, page_id: PageId) -> Response:
        tray.discard(page_id, user=posted.session.user.name)
        return RedirectResponse(f"/unsorted?done=discarded&page={page_id}", status_code=303)
