"""Clicking, reading and checking a screen by what a person reads on it (legacy screens too).

Every function takes the page or one of its frames (:func:`~robots.find_frame`) and finds
things with the same finder as :func:`~robots.fill_form` (see :mod:`robots._finder`).
"""

from __future__ import annotations

import contextlib
import uuid
from collections.abc import Sequence
from typing import Any

from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import Page
from playwright.sync_api import TimeoutError as PlaywrightTimeout

from core.errors import ConfigError, ElementNotFound
from robots._finder import Target, script
from robots._forms import describe_problem

__all__ = ["click", "is_link", "probe_screen", "read_texts", "screen_texts"]

# Marks the one button named ``name`` with ``token``; null while it is not there (polling).
_PICK = script("""
  const [name, token, probe] = arg;
  const found = findButtons(name);
  if (found.length === 0) return probe ? null : { kind: "missing", candidates: [] };
  if (found.length > 1) return { kind: "ambiguous", candidates: describeButtons(found) };
  if (!shown(found[0])) return probe ? null : { kind: "hidden", candidates: [] };
  if (token) found[0].setAttribute("data-jimu-pick", token);
  return { kind: "ok", link: found[0].matches("a, [role=link]") };
""")

_READ = script("""
  const name = arg;
  const cellText = (c) => norm(c.innerText);
  const valuesOf = (c) => {
    if (c.kind === "radios" || c.kind === "group") {
      const pool = c.kind === "radios" ? c.radios : [...c.el.querySelectorAll("input[type=radio]")];
      return pool.filter((r) => r.checked).map(nameOf);
    }
    const e = c.el;
    if (isBox(e)) return e.checked ? [c.name] : [];
    if (e.tagName === "SELECT") return [...e.selectedOptions].map((o) => norm(o.text));
    return [e.value];
  };
  const columnOf = (cell) => {
    let column = 0;
    for (let c = cell.previousElementSibling; c; c = c.previousElementSibling) column += c.colSpan;
    return column;
  };
  const cellAt = (row, column) => {
    let at = 0;
    for (const c of row.cells) { if (at === column) return c; at += c.colSpan; }
    return null;
  };
  const isHeaderRow = (row) => row.parentElement.tagName === "THEAD"
      || [...row.cells].every((c) => c.tagName === "TH");
  const fields = find(document, name).filter((c) => c.kind !== "group"
      || [...c.el.querySelectorAll(CONTROLS)].every((e) => e.type === "radio"));
  const hits = fields.map((c) => ({ el: c.el, values: valuesOf(c), what: c.name }));
  for (const cell of document.querySelectorAll("th, td")) {
    if (cleanLabel(cell.textContent) !== name) continue;
    const row = cell.parentElement;
    if (cell.tagName === "TH" && isHeaderRow(row)) {  // a column of a results table
      const column = columnOf(cell);
      const table = row.closest("table");
      const values = [...table.rows].slice(row.rowIndex + 1).filter((r) => !isHeaderRow(r))
          .map((r) => cellAt(r, column)).filter((c) => c && c.colSpan <= cell.colSpan)
          .map(cellText);
      hits.push({ el: cell, values, what: name });
      continue;
    }
    const labelLike = cell.tagName === "TH" || !cell.querySelector(ANY_CONTROL);
    const next = cell.nextElementSibling;
    if (labelLike && next && !next.querySelector(ANY_CONTROL)) {
      hits.push({ el: cell, values: [cellText(next)], what: name });
    }
  }
  if (hits.length === 1) return { values: hits[0].values };
  const places = where(hits.map((h) => h.el));
  return { values: null, candidates: hits.map((h, i) => `${h.what} (${places[i]})`) };
""")

_TEXTS = script("""
  return [...document.querySelectorAll(arg)].filter(shown).map((e) => e.innerText.trim());
""")

# Problems with the named fields and buttons, or null while one is missing (polling).
_PROBE = script("""
  const [fields, buttons, probe] = arg;
  const problems = [];
  for (const name of fields) {
    const found = find(document, name);
    if (found.length === 0 && probe) return null;
    if (found.length === 0) problems.push({ field: name, kind: "missing" });
    else if (found.length > 1) problems.push({ field: name, kind: "ambiguous",
                                               candidates: describe(found) });
  }
  for (const name of buttons) {
    const found = findButtons(name);
    if (found.length === 0 && probe) return null;
    if (found.length === 0) problems.push({ field: name, kind: "missing-button" });
    else if (found.length > 1) problems.push({ field: name, kind: "ambiguous",
                                               candidates: describeButtons(found) });
  }
  return problems;
""")


def click(target: Target, name: str, *, system: str, timeout_ms: float = 5_000) -> None:
    """Click the button, ``<input type=submit|button>`` or link ``name`` on ``target``.

    The element is found as a person reads it (its shown text, value, ``aria-label`` or
    ``title``), waited for up to ``timeout_ms``, then clicked by Playwright as a person
    would: a ``confirm()`` it asks goes to the page's ``dialog`` listeners (accept with
    ``page.once("dialog", lambda d: d.accept())``; unanswered, Playwright dismisses it) and
    a ``window.open`` opens a real pop-up (``page.expect_popup()``). Returns once clicked;
    waiting for what the click loads is the caller's. Raises
    :class:`~core.errors.ElementNotFound` if it is missing, hidden or ambiguous (naming the
    candidates).
    """
    token = uuid.uuid4().hex
    picked = _pick(target, name, token, timeout_ms=timeout_ms)
    if picked["kind"] != "ok":
        kind = "missing-button" if picked["kind"] == "missing" else picked["kind"]
        raise ElementNotFound(
            f"{system}: ボタンを押せません: "
            + describe_problem({"field": name, "kind": kind, "candidates": picked["candidates"]})
        )
    try:
        target.locator(f'[data-jimu-pick="{token}"]').click(timeout=timeout_ms)
    except PlaywrightTimeout as exc:
        raise ElementNotFound(
            f"{system}: ボタン「{name}」を押せません（押せる状態になりません）"
        ) from exc
    except PlaywrightError:
        # A pop-up's 選択 that fills its opener and closes itself (window.close()) closes
        # the page under Playwright's click: the click happened, as it did for a person.
        page = target if isinstance(target, Page) else target.page
        if not page.is_closed():
            raise


def is_link(target: Target, name: str) -> bool:
    """Whether the button-like element ``name`` on ``target`` is a link (``<a>``): a menu
    entry that leads to another screen rather than sending anything. False if not there."""
    picked = target.evaluate(_PICK, [name, "", False])
    return bool(picked["kind"] == "ok" and picked["link"])


def _pick(target: Target, name: str, token: str, *, timeout_ms: float) -> dict[str, Any]:
    picked: dict[str, Any] = target.evaluate(_PICK, [name, token, False])
    if picked["kind"] in ("missing", "hidden"):
        try:  # a button drawn late (or shown late): poll until it is there
            done = target.wait_for_function(_PICK, arg=[name, token, True], timeout=timeout_ms)
            picked = done.json_value()
        except PlaywrightTimeout:
            pass  # reported by the caller
    return picked


def read_texts(target: Target, name: str, *, system: str, missing_ok: bool = False) -> list[str]:
    """What a person reads under ``name`` on ``target``, as texts.

    - a field: its value (a select: the chosen option's text; radio buttons: the chosen
      button's name; a checkbox: its name if checked; nothing otherwise);
    - a label cell (``<th>被保険者番号</th><td>12345678</td>``): the text of the cell beside;
    - a column header of a results table: the text of that column in every row below
      (``[]`` for a table with only its header).

    Raises :class:`~core.errors.ElementNotFound` if nothing is named so (``[]`` instead with
    ``missing_ok``: a search that found nothing), or if several things are (naming them by
    position, never by value).
    """
    found: dict[str, Any] = target.evaluate(_READ, name)
    if found["values"] is not None:
        return [str(value) for value in found["values"]]
    candidates = found["candidates"]
    if missing_ok and not candidates:
        return []
    kind = "ambiguous" if candidates else "missing"
    raise ElementNotFound(
        f"{system}: 画面を読めません: "
        + describe_problem({"field": name, "kind": kind, "candidates": candidates})
    )


def screen_texts(target: Target, css: str) -> list[str]:
    """The shown texts of the elements matching the CSS selector ``css`` (e.g. a screen's red
    error text, ``font[color=red]``), trimmed, in document order. Raises
    :class:`~core.errors.ConfigError` if ``css`` is not a valid selector."""
    try:
        texts: list[str] = target.evaluate(_TEXTS, css)
    except PlaywrightError as exc:
        if "is not a valid selector" in str(exc):
            raise ConfigError(f"not a valid CSS selector: {css!r}") from None
        raise
    return texts


def probe_screen(
    target: Target, *, fields: Sequence[str], buttons: Sequence[str], wait_ms: float = 0
) -> list[str]:
    """What is wrong with ``fields`` and ``buttons`` on ``target``: one message for each that
    is missing or ambiguous (naming the candidates); ``[]`` if every one is there once.

    With ``wait_ms``, waits up to that long for missing ones to appear. Nothing is filled or
    clicked.
    """
    arg = [list(fields), list(buttons)]
    problems: list[dict[str, Any]] = target.evaluate(_PROBE, [*arg, False])
    if wait_ms > 0 and any(p["kind"].startswith("missing") for p in problems):
        with contextlib.suppress(PlaywrightTimeout):  # else the problems found first stand
            problems = target.wait_for_function(
                _PROBE, arg=[*arg, True], timeout=wait_ms
            ).json_value()
    return [describe_problem(problem) for problem in problems]
