"""Shift_JIS pages and forms, the way a 2000s municipal web system speaks.

Every page is encoded CP932 (Windows' Shift_JIS) and says ``charset=Shift_JIS``, so a
browser posts its forms percent-encoded in CP932: the body is decoded here, not by
FastAPI's ``Form`` (which assumes UTF-8). A character CP932 cannot hold is written as an HTML
character reference, as the browser itself does in the other direction.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl

from fastapi import Request
from fastapi.responses import HTMLResponse
from jinja2 import Environment, FileSystemLoader, select_autoescape
from markupsafe import Markup

from core.wareki import format_wareki

__all__ = ["CHARSET", "ENCODING", "MEDIA_TYPE", "js_string", "read_form", "render_sjis"]

ENCODING = "cp932"
CHARSET = "Shift_JIS"
MEDIA_TYPE = f"text/html; charset={CHARSET}"

_templates = Environment(
    loader=FileSystemLoader(Path(__file__).parent.parent / "templates" / "legacy"),
    autoescape=select_autoescape(default=True, default_for_string=True),
    trim_blocks=True,
    lstrip_blocks=True,
)

# JavaScript string escapes for text written inside an HTML attribute: quotes, backslash,
# and the HTML specials as \\uXXXX, so that neither the attribute nor the script ends early.
_JS_ESCAPES = {c: f"\\u{ord(c):04x}" for c in "\\'\"<>&\n\r\u2028\u2029"}


def js_string(text: str) -> Markup:
    """``text`` as a single-quoted JavaScript string literal, safe inside an HTML attribute."""
    return Markup("'" + "".join(_JS_ESCAPES.get(c, c) for c in text) + "'")


def _wareki(value: Any) -> str:
    return format_wareki(value, gannen=False)


def render_sjis(request: Request, template: str, **context: Any) -> HTMLResponse:
    """Render ``template`` and send it as CP932 bytes labelled ``charset=Shift_JIS``.

    Validation errors are answered 200 like every other page: the legacy systems show their
    red messages on an ordinary page.
    """
    base = {
        "system_name": request.app.state.system_name,
        "user": getattr(request.state, "user", None),
        "js": js_string,
        "wareki": _wareki,
    }
    html = _templates.get_template(template).render({**base, **context})
    body = html.encode(ENCODING, errors="xmlcharrefreplace")
    return HTMLResponse(body, media_type=MEDIA_TYPE, headers={"Cache-Control": "no-store"})


async def read_form(request: Request) -> dict[str, str]:
    """The fields of a form the browser posted in CP932 (the last value of a repeated name).

    Bytes that are not valid CP932 become U+FFFD, which the checks then refuse; a body that
    is not percent-encoded ASCII is read as empty.
    """
    body = await request.body()
    try:
        text = body.decode("ascii")
    except UnicodeDecodeError:
        return {}
    pairs = parse_qsl(text, keep_blank_values=True, encoding=ENCODING, errors="replace")
    return dict(pairs)
