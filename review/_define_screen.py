"""The form-definition screen (帳票定義): RPA担当 and 管理者 correct a form's fields on its
blank, preview them on a filled sample and save them into the scenario's ``template.yaml``.

A form is a scenario folder with a ``template.yaml`` (in the settings' scenarios folder).
The edited field list travels as JSON in a form field, with the session's CSRF token; it is
validated as a whole :class:`~ocr.FormTemplate` (the template's other parts kept as they
are) before anything is written. A save replaces the file atomically, keeps the previous one
beside it (``template.yaml.<timestamp>.bak``, owner-only) and is audited. A preview reads an
uploaded sample with the unsaved fields; the scan lives in a private temporary folder for
the reading only, and neither it nor its values are logged.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import tempfile
import threading
import typing
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import Depends, FastAPI, Request
from fastapi import Path as PathParam
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import ValidationError
from starlette.datastructures import UploadFile

from core.errors import ConfigError, JimuError
from core.scenario import scenarios_dir
from ocr import FieldSpec, FormTemplate, load_pages, load_template, read_document, render_blank
from ocr._template import KINDS
from review._define_yaml import japanese_problems, template_yaml
from review._models import Role
from review._rows import add_audit
from review._security import CsrfRejected, Posted, PostedDep, SessionDep, tokens_match
from review._store import ReviewStore
from review._users import Session

__all__ = ["MAX_SAMPLE_BYTES", "add_definition_routes"]

log = logging.getLogger(__name__)

Render = Callable[..., HTMLResponse]
FORM_ID = r"^[a-z][a-z0-9-]{0,63}$"
FormId = Annotated[str, PathParam(pattern=FORM_ID)]
#: Largest sample scan a preview takes (a 300 dpi A4 page as PNG is about 2–8 MB).
MAX_SAMPLE_BYTES = 20 * 1024 * 1024
BLANK_PX_PER_MM = 5.0  # the blank on the screen: 1050 × 1485 px for A4
_MAGIC = {b"\x89PNG": ".png", b"\xff\xd8\xff": ".jpg", b"%PDF-": ".pdf", b"II*\0": ".tiff",
          b"MM\0*": ".tiff"}  # fmt: skip
KIND_LABELS = {
    "digits": "数字",
    "katakana": "カタカナ",
    "kanji": "漢字",
    "address": "住所",
    "date": "日付（和暦）",
    "checkbox": "チェック欄",
    "circled": "○で囲む",
}
RULE_LABELS = {
    "my_number": "個人番号",
    "postal_code": "郵便番号",
    "phone": "電話番号",
    "person_name": "氏名（姓と名）",
}
ROLES = frozenset({Role.RPA, Role.ADMIN})


class DefinerRequired(Exception):
    """A user who is neither RPA担当 nor 管理者 asked for the form-definition screen: 403."""


class UnknownForm(Exception):
    """No form with this id in the scenarios folder: 404."""


def definer_session(session: SessionDep) -> Session:
    """FastAPI dependency: the session of an RPA担当 or 管理者, else 403."""
    if session.user.role not in ROLES:
        raise DefinerRequired()
    return session


DefinerDep = Annotated[Session, Depends(definer_session)]


async def sample_posted(request: Request, session: DefinerDep) -> AsyncIterator[Posted]:
    """FastAPI dependency for the preview's upload: refused unread when it is too large, then
    parsed (one file at most) and its CSRF token checked; the upload is closed afterwards."""
    length = request.headers.get("content-length", "")
    if length.isdigit() and int(length) > MAX_SAMPLE_BYTES + 1_000_000:
        raise SampleTooLarge()
    form = await request.form(max_files=1, max_fields=20)
    try:
        if not tokens_match(form.get("csrf"), session.csrf):
            raise CsrfRejected()
        yield Posted(session, form)
    finally:
        await form.close()


class SampleTooLarge(Exception):
    """A preview upload over :data:`MAX_SAMPLE_BYTES`: 413."""


def _literals(annotation: Any) -> list[str]:
    """The string values of a ``Literal[...]`` (or ``Literal[...] | None``) annotation."""
    values: list[str] = []
    for arg in typing.get_args(annotation):
        if isinstance(arg, str):
            values.append(arg)
        else:
            values.extend(_literals(arg))
    return values


def form_ids(root: Path) -> list[str]:
    """Scenario folders under ``root`` that hold a ``template.yaml``, sorted."""
    if not root.is_dir():
        return []
    return sorted(
        p.name
        for p in root.iterdir()
        if (p / "template.yaml").is_file() and not p.name.startswith((".", "_"))
    )


def _fingerprint(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()[:16]


@dataclass(frozen=True)
class FormEntry:
    """One line of the list of forms."""

    form_id: str
    title: str
    fields: int
    has_pdf: bool
    problem: str | None


@dataclass(frozen=True)
class PreviewRow:
    """One field of a preview: what the reader made of it with the unsaved definition."""

    name: str
    label: str
    kind: str
    value: str
    confidence: float
    accepted: bool
    reasons: str


def parse_fields(text: str) -> list[dict[str, Any]]:
    """The posted field list (JSON), or :class:`TemplateRejected` with the reason."""
    try:
        data = json.loads(text)
    except ValueError:
        raise TemplateRejected(["項目の一覧を読めません。ページを開き直してください。"]) from None
    if not isinstance(data, list) or not all(isinstance(item, dict) for item in data):
        raise TemplateRejected(["項目の一覧の形式が正しくありません。"])
    return data


class TemplateRejected(Exception):
    """An edited field list that is not a valid template, with the Japanese reasons."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("; ".join(problems))
        self.problems = problems


def edited_template(saved: FormTemplate, fields: list[dict[str, Any]]) -> FormTemplate:
    """``saved`` with its fields replaced by ``fields``, validated (thresholds kept).

    Raises :class:`TemplateRejected` naming each wrong field in Japanese.
    """
    data = saved.model_dump(mode="json", exclude={"thresholds"})
    data["fields"] = fields
    try:
        template = FormTemplate.model_validate(data)
    except ValidationError as exc:
        raise TemplateRejected(japanese_problems(exc, fields)) from None
    return template.model_copy(update={"thresholds": saved.thresholds, "source": saved.source})


def _backup_path(path: Path, at: datetime) -> tuple[Path, int]:
    stamp = at.strftime("%Y%m%d-%H%M%S")
    for n in range(100):
        candidate = path.with_name(f"{path.name}.{stamp}{f'-{n}' if n else ''}.bak")
        try:
            return candidate, os.open(candidate, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            continue
    raise ConfigError(f"{path.parent.name}: too many backups in one second")


def save_template(path: Path, text: str, *, at: datetime) -> Path:
    """Replace ``path`` with ``text`` atomically (temporary file + rename, the file's mode
    kept); the previous version is kept beside it, owner-only. Returns the backup's path."""
    previous = path.read_bytes()
    backup, fd = _backup_path(path, at)
    with os.fdopen(fd, "wb") as handle:
        handle.write(previous)
    mode = path.stat().st_mode & 0o777
    fd, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(temporary, mode)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return backup


def blank_png(folder: Path, template: FormTemplate) -> bytes:
    """The form's blank as PNG at :data:`BLANK_PX_PER_MM`: the first page of its
    ``form.pdf``, else the template's own drawing."""
    import io

    from PIL import Image

    width = round(template.page_mm[0] * BLANK_PX_PER_MM)
    height = round(template.page_mm[1] * BLANK_PX_PER_MM)
    pdf = folder / "form.pdf"
    if pdf.is_file():
        page = Image.fromarray(load_pages(pdf)[0])
        image = page.resize((width, height), Image.Resampling.LANCZOS)
    else:
        image = render_blank(template, px_per_mm=BLANK_PX_PER_MM)
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", optimize=True)
    return buffer.getvalue()


def preview(template: FormTemplate, data: bytes) -> list[PreviewRow]:
    """Read the sample scan ``data`` with ``template``: one row per field of its first page.

    The scan is written to an owner-only temporary folder for the reading and deleted.
    Raises :class:`TemplateRejected` with the reason for a file that is no scan of this form.
    """
    suffix = next((s for magic, s in _MAGIC.items() if data.startswith(magic)), None)
    if suffix is None:
        raise TemplateRejected(["見本は PNG・JPEG・TIFF の画像か PDF にしてください。"])
    with tempfile.TemporaryDirectory(prefix="jimu-define-") as folder:
        path = Path(folder) / f"sample{suffix}"
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        try:
            reading = read_document(path, template)
        except JimuError as exc:
            raise TemplateRejected([f"見本を読めませんでした: {exc.message}"]) from None
    fields = reading.pages[0].fields
    return [
        PreviewRow(
            name=spec.name,
            label=spec.label or (spec.heading or ""),
            kind=spec.kind,
            value=fields[spec.name].value,
            confidence=fields[spec.name].confidence,
            accepted=fields[spec.name].accepted,
            reasons="、".join(fields[spec.name].reasons),
        )
        for spec in template.fields
    ]


def add_definition_routes(app: FastAPI, *, store: ReviewStore, render: Render) -> None:
    """Add the form-definition pages to the station ``app``: ``render(request, template,
    **context)`` draws a page in the station's frame; saves are audited in ``store``."""
    save_lock = threading.Lock()

    def folder_of(form_id: str) -> Path:
        root = scenarios_dir()
        if form_id not in form_ids(root):
            raise UnknownForm()
        return root / form_id

    def editor(
        request: Request,
        form_id: str,
        saved: FormTemplate,
        *,
        fields: list[dict[str, Any]] | None = None,
        status_code: int = 200,
        errors: list[str] | None = None,
        message: str | None = None,
        rows: list[PreviewRow] | None = None,
    ) -> HTMLResponse:
        path = folder_of(form_id) / "template.yaml"
        kinds = list(KINDS)
        return render(
            request,
            "define_form.html",
            status_code=status_code,
            form_id=form_id,
            form=saved,
            base=_fingerprint(path),
            fields=fields
            if fields is not None
            else [f.model_dump(mode="json", exclude_none=True) for f in saved.fields],
            unsaved=fields is not None,
            kinds=[{"value": k, "label": KIND_LABELS.get(k, k)} for k in kinds],
            rules=[
                {"value": r, "label": RULE_LABELS.get(r, r)}
                for r in _literals(FieldSpec.model_fields["rule"].annotation)
            ],
            errors=errors,
            message=message,
            rows=rows,
        )

    def load(form_id: str) -> FormTemplate:
        return load_template(folder_of(form_id))

    @app.exception_handler(DefinerRequired)
    async def _definer(request: Request, _exc: DefinerRequired) -> Response:
        text = "帳票定義の画面は RPA担当 と 管理者 だけが使えます。"
        return render(request, "message.html", status_code=403, text=text)

    @app.exception_handler(UnknownForm)
    async def _unknown_form(request: Request, _exc: UnknownForm) -> Response:
        return render(request, "message.html", status_code=404, text="この帳票は見つかりません。")

    @app.exception_handler(SampleTooLarge)
    async def _too_large(request: Request, _exc: SampleTooLarge) -> Response:
        text = f"見本のファイルが大きすぎます（{MAX_SAMPLE_BYTES // 1024 // 1024} MB まで）。"
        return render(request, "message.html", status_code=413, text=text)

    @app.get("/define", response_class=HTMLResponse)
    def define_list(request: Request, _session: DefinerDep) -> Response:
        root = scenarios_dir()
        entries = []
        for form_id in form_ids(root):
            try:
                template = load_template(root / form_id)
            except ConfigError as exc:
                entries.append(FormEntry(form_id, "", 0, False, exc.message))
                continue
            has_pdf = (root / form_id / "form.pdf").is_file()
            entries.append(FormEntry(form_id, template.title, len(template.fields), has_pdf, None))
        return render(request, "define_list.html", entries=entries)

    @app.get("/define/{form_id}", response_class=HTMLResponse)
    def define_form(
        request: Request, _session: DefinerDep, form_id: FormId, saved: str = ""
    ) -> Response:
        message = f"保存しました（前の版は {saved} に残しました）。" if saved else None
        return editor(request, form_id, load(form_id), message=message)

    @app.get("/define/{form_id}/blank.png")
    def define_blank(_session: DefinerDep, form_id: FormId) -> Response:
        png = blank_png(folder_of(form_id), load(form_id))
        return Response(png, media_type="image/png")

    @app.post("/define/{form_id}/save")
    def define_save(request: Request, posted: PostedDep, form_id: FormId) -> Response:
        session = definer_session(posted.session)
        saved = load(form_id)
        fields: list[dict[str, Any]] = []
        try:
            fields = parse_fields(posted.text("fields"))
            template = edited_template(saved, fields)
        except TemplateRejected as exc:
            return editor(request, form_id, saved, fields=fields or None, status_code=422,
                          errors=exc.problems)  # fmt: skip
        path = folder_of(form_id) / "template.yaml"
        with save_lock:
            if posted.text("base") != _fingerprint(path):
                problem = "他の人が先にこの帳票を保存しました。ページを開き直してください。"
                return editor(request, form_id, saved, fields=fields, status_code=409,
                              errors=[problem])  # fmt: skip
            at = datetime.now(UTC)
            text = template_yaml(template, previous=path.read_text(encoding="utf-8"), at=at)
            backup = save_template(path, text, at=at)
        with store.engine.begin() as conn:
            add_audit(conn, session.user.name, f"template.{form_id}", "template-saved",
                      field="template.yaml", before=backup.name,
                      after=f"{len(template.fields)}項目", at=at)  # fmt: skip
        log.info("define: %s saved %s (%d fields)", session.user.name, form_id,
                 len(template.fields))  # fmt: skip
        return RedirectResponse(f"/define/{form_id}?saved={quote(backup.name)}", status_code=303)

    @app.post("/define/{form_id}/preview", response_class=HTMLResponse)
    async def define_preview(
        request: Request, posted: Annotated[Posted, Depends(sample_posted)], form_id: FormId
    ) -> Response:
        saved = load(form_id)
        fields: list[dict[str, Any]] = []
        try:
            fields = parse_fields(posted.text("fields"))
            template = edited_template(saved, fields)
            upload = posted.form.get("sample")
            if not isinstance(upload, UploadFile) or not upload.filename:
                raise TemplateRejected(["見本のファイルを選んでください。"])
            data = await upload.read(MAX_SAMPLE_BYTES + 1)
            if len(data) > MAX_SAMPLE_BYTES:
                raise SampleTooLarge()
            from starlette.concurrency import run_in_threadpool

            rows = await run_in_threadpool(preview, template, data)
        except TemplateRejected as exc:
            return editor(request, form_id, saved, fields=fields or None, status_code=422,
                          errors=exc.problems)  # fmt: skip
        log.info("define: preview of %s by %s (%d fields)", form_id,
                 posted.session.user.name, len(rows))  # fmt: skip
        return editor(request, form_id, saved, fields=fields, rows=rows)
