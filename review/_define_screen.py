"""The form-definition screen (帳票定義): RPA担当 and 管理者 correct a form's fields on its
blank, preview them on a filled sample and save them into the scenario's ``template.yaml``."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse

from review._store import ReviewStore

__all__ = ["add_definition_routes"]

Render = Callable[..., HTMLResponse]


def add_definition_routes(app: FastAPI, *, store: ReviewStore, render: Render) -> None:
    """Add the form-definition pages to the station ``app``: ``render(request, template,
    **context)`` draws a page in the station's frame; saves are audited in ``store``."""
    _unused: tuple[Any, ...] = (app, store, render, Request)
