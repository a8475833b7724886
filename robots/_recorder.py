"""Recording what a person does in the browser as steps.yaml steps: ``jimu record``.

:class:`Recorder` attaches to a :class:`~playwright.sync_api.BrowserContext`. A script in
every page, frame and pop-up (built from :data:`~robots._finder.FINDER_JS`) names each
field the person changes and each button or link they click exactly as
:func:`~robots.fill_form` and :func:`~robots.click` will find them again, and reports it
with its frame; :func:`as_steps_yaml` writes the steps, ready to paste under ``search:`` or
``register:`` of a scenario's ``steps.yaml``.

Personal data is never recorded, and a typed text never even leaves the page: a text box
or text area is recorded with ``""`` for the scenario's author to fill in (``=列`` or a
fixed value); a password not at all (the robots log in from ``system.yaml``). What a
person *chose* is kept — a select's option, a radio button, a checkbox — since those are
labels of the screen (男, 令和, 転入), not someone's data.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Literal
from urllib.parse import urlsplit

import yaml
from playwright.sync_api import BrowserContext, Dialog, Page

from robots._finder import script
from robots._forms import describe_problem
from robots._inspect import _aligned, _yaml_key

__all__ = ["RecordedField", "RecordedStep", "Recorder", "as_steps_yaml"]

log = logging.getLogger(__name__)

FieldKind = Literal["text", "select", "radio", "checkbox", "password"]
Answer = Literal["accept", "dismiss"]

TEXT_NOTE = "text: set =列 or a fixed value"
PASSWORD_NOTE = "not recorded — the robots log in as system.yaml says"

_BINDING = "__jimuRecord"

# How a changed field is named, as fill_form finds it. A text's value stays in the page.
_NAME_FIELD = script("""
  const e = arg;
  const order = (c) => candidates().indexOf(c);
  const problemOf = (c, found) => {
    if (!c.name) return { problem: "unnamed", candidates: where([c.el]) };
    if (found.length === 1 && found[0] === c) return { problem: null, candidates: [] };
    return { problem: found.includes(c) ? "ambiguous" : "shadowed", candidates: describe(found) };
  };
  if (e.tagName === "INPUT" && e.type === "password") {
    return { kind: "password", name: nameOf(e), value: null, problem: null, candidates: [],
             order: order(candidateOf(e)) };
  }
  if (e.tagName === "INPUT" && e.type === "radio") {
    const onlyRadios = (g) => [...g.el.querySelectorAll(CONTROLS)].every((x) => x.type === "radio");
    // the row's radio group, else the innermost group of radio buttons around it
    const groups = candidates().filter((g) => (g.kind === "radios" && g.radios.includes(e))
        || (g.kind === "group" && g.name && g.el.contains(e) && onlyRadios(g))).reverse();
    if (groups.length === 0) {
      const c = candidateOf(e);
      const found = find(document, c.name);
      return { kind: "checkbox", name: c.name, value: true, order: order(c),
               ...problemOf(c, found) };
    }
    const resolved = groups.map((g) => ({ g, found: find(document, g.name) }));
    const { g, found } = resolved.find((r) => r.found.length === 1 && r.found[0] === r.g)
        || resolved[0];
    const value = nameOf(e);
    const pool = g.kind === "radios" ? g.radios : [...g.el.querySelectorAll("input[type=radio]")];
    const same = pool.filter((r) => nameOf(r) === value);
    const problem = problemOf(g, found);
    if (!problem.problem && same.length !== 1) {
      problem.problem = "ambiguous choice";
      problem.candidates = describe(same.map(candidateOf));
    }
    return { kind: "radio", name: g.name, value, order: order(g), ...problem };
  }
  const c = candidateOf(e);
  if (!c) return null;
  const found = find(document, c.name);
  if (e.tagName === "SELECT") {
    const chosen = [...e.selectedOptions].map((o) => norm(o.text));
    const problem = problemOf(c, found);
    if (!problem.problem && chosen.length > 1) problem.problem = "several options";
    return { kind: "select", name: c.name, value: chosen[0] || "", order: order(c), ...problem };
  }
  const checked = isBox(e) ? e.checked : null;
  return { kind: isBox(e) ? "checkbox" : "text", name: c.name, value: checked, order: order(c),
           ...problemOf(c, found) };
""")

# How the button or link a click landed in is named, as click() finds it (null: none).
_NAME_BUTTON = script("""
  const e = arg.closest(BUTTONS);
  if (!e) return null;
  const name = buttonName(e);
  if (!name) return { name, problem: "unnamed", candidates: where([e]) };
  const found = findButtons(name);
  if (found.length === 1 && found[0] === e) return { name, problem: null, candidates: [] };
  return { name, problem: "ambiguous", candidates: describeButtons(found) };
""")

_INIT = """
(() => {
  if (window.__jimuRecording) return;
  window.__jimuRecording = true;
  const nameField = %(field)s;
  const nameButton = %(button)s;
  const frameName = () => {
    if (window.top === window) return null;
    let title = "";
    try { title = window.frameElement ? window.frameElement.title || "" : ""; } catch (e) {}
    return window.name || title.trim();
  };
  const send = (event) => {
    const report = window[%(binding)s];
    if (typeof report !== "function") return;
    try {
      Promise.resolve(report({ ...event, frame: frameName() })).catch(() => {});
    } catch (e) {}
  };
  window.addEventListener("change", (event) => {
    const e = event.target;
    if (!(e instanceof Element) || !e.matches("input, select, textarea")) return;
    try {
      const named = nameField(e);
      if (named) send({ type: "change", ...named });
    } catch (e) {}
  }, true);
  window.addEventListener("click", (event) => {
    if (!event.isTrusted || !(event.target instanceof Element)) return;  // not a page's own
    try {
      const named = nameButton(event.target);
      if (named) send({ type: "click", ...named });
    } catch (e) {}
  }, true);
  // An address typed (or a bookmark) opens a page with no referrer; links, forms, redirects
  // after a form and frames all have one.
  const typed = () => {
    const entry = performance.getEntriesByType("navigation")[0];
    return window.top === window && !window.opener && !document.referrer
        && /^https?:$/.test(location.protocol) && (!entry || entry.type === "navigate");
  };
  if (%(watch_open)s && typed()) {
    const opened = () => send({ type: "open", url: location.href });
    if (document.readyState === "loading") {
      document.addEventListener("DOMContentLoaded", opened, { once: true });
    } else {
      opened();
    }
  }
})();
"""


def _init_script(*, watch_open: bool) -> str:
    return _INIT % {
        "field": _NAME_FIELD,
        "button": _NAME_BUTTON,
        "binding": f'"{_BINDING}"',
        "watch_open": "true" if watch_open else "false",
    }


@dataclass
class RecordedField:
    """A field the person changed: its name as :func:`~robots.fill_form` finds it, and the
    value a scenario gives it — the chosen option's text for a select or radio group,
    ``True``/``False`` for a checkbox, ``""`` for a text (what was typed is not kept) and
    ``None`` for a password (not recorded at all). ``note`` names a problem with the name
    (ambiguous, no name) for a person to look at; ``position`` is the field's place on its
    screen (a fill step lists its fields in the screen's order)."""

    name: str
    kind: FieldKind
    value: str | bool | None
    note: str = ""
    position: int = field(default=0, compare=False)


@dataclass
class RecordedStep:
    """One step of steps.yaml: ``open`` (``target`` is the path), ``click`` (``target`` is
    the button's name; ``dialog``, ``popup``) or ``fill`` (``fields``), in ``frame`` (None:
    the page itself). ``note`` names a problem for a person to look at."""

    action: Literal["open", "click", "fill"]
    target: str = ""
    frame: str | None = None
    fields: list[RecordedField] = field(default_factory=list)
    dialog: Answer | None = None
    popup: list[RecordedStep] | None = None
    note: str = ""


class Recorder:
    """Records the steps a person takes in ``context``'s pages, frames and pop-ups.

    Attaches on creation (documents already open are watched too); :attr:`steps` grows as
    the person works. A ``confirm()`` asked while they work is answered ``dialogs``
    (accept by default, so the person's flow goes on) and recorded on the click that asked
    it; a pop-up a click opens records its steps under that click's ``popup``.
    """

    def __init__(self, context: BrowserContext, *, dialogs: Answer = "accept") -> None:
        self._answer: Answer = dialogs
        self._steps: list[RecordedStep] = []
        self._lists: dict[Page, list[RecordedStep]] = {}  # where a page's steps go
        self._last_step: dict[Page, RecordedStep] = {}
        self._last_click: dict[Page, RecordedStep] = {}
        context.expose_binding(_BINDING, self._on_event)
        context.add_init_script(_init_script(watch_open=True))
        context.on("page", self._on_page)
        context.on("dialog", self._on_dialog)
        already = _init_script(watch_open=False)
        for page in context.pages:
            self._lists[page] = self._steps
            for frame in page.frames:
                frame.evaluate(already)

    @property
    def steps(self) -> list[RecordedStep]:
        """The steps recorded so far, in order (pop-ups' steps nested in their click)."""
        return self._steps

    def _list_of(self, page: Page) -> list[RecordedStep]:
        if page not in self._lists:
            self._on_page(page)
        return self._lists[page]

    def _on_page(self, page: Page) -> None:
        if page in self._lists:
            return
        opener = page.opener()
        opened_by = self._last_click.get(opener) if opener is not None else None
        if opened_by is None:
            self._lists[page] = self._steps  # a tab of its own: its steps follow the others'
            return
        if opened_by.popup is None:
            opened_by.popup = []
        self._lists[page] = opened_by.popup

    def _on_dialog(self, dialog: Dialog) -> None:
        page = dialog.page
        if dialog.type in ("confirm", "prompt") and page is not None:
            asked_by = self._last_click.get(page)
            if asked_by is not None:
                asked_by.dialog = self._answer
        if self._answer == "accept" or dialog.type == "alert":
            dialog.accept()
        else:
            dialog.dismiss()

    def _on_event(self, source: dict[str, Any], event: dict[str, Any]) -> None:
        page: Page = source["page"]
        steps = self._list_of(page)
        frame: str | None = event["frame"]
        kind = event["type"]
        if kind == "open":
            self._add(page, steps, _open_step(str(event["url"])))
        elif kind == "click":
            step = RecordedStep("click", target=event["name"], frame=frame, note=_note(event))
            self._add(page, steps, step)
            self._last_click[page] = step
        elif kind == "change":
            self._change(page, steps, frame, event)

    def _add(self, page: Page, steps: list[RecordedStep], step: RecordedStep) -> None:
        steps.append(step)
        self._last_step[page] = step
        log.debug("recorded %s", step.action)

    def _change(
        self, page: Page, steps: list[RecordedStep], frame: str | None, event: dict[str, Any]
    ) -> None:
        kind: FieldKind = event["kind"]
        value: str | bool | None = event["value"]
        if kind == "text":
            value = ""  # never the typed text (the page does not even send it)
        elif kind == "password":
            value = None
        changed = RecordedField(
            event["name"], kind, value, note=_note(event), position=int(event["order"])
        )
        last = self._last_step.get(page)
        if last is None or last.action != "fill" or last.frame != frame or steps[-1] is not last:
            last = RecordedStep("fill", frame=frame)
            self._add(page, steps, last)
        for index, known in enumerate(last.fields):
            if known.name == changed.name and known.kind == changed.kind:
                last.fields[index] = changed  # changed again: the last choice counts
                return
        after = [known for known in last.fields if known.position <= changed.position]
        last.fields.insert(len(after), changed)


def _open_step(url: str) -> RecordedStep:
    parts = urlsplit(url)
    note = "the address had a query after ?, not recorded" if parts.query else ""
    return RecordedStep("open", target=parts.path or "/", note=note)


def _note(event: dict[str, Any]) -> str:
    problem = event.get("problem")
    if not problem:
        return ""
    name = event.get("name") or ""
    candidates = list(event.get("candidates") or [])
    if problem == "unnamed":
        return f"要確認: 名前がありません（場所: {', '.join(candidates)}）"
    if problem == "shadowed":
        return f"要確認: 「{name}」では別の欄が見つかります（候補: {', '.join(candidates)}）"
    if problem == "ambiguous choice":
        listed = ", ".join(candidates)
        return f"要確認: 選択肢「{event.get('value')}」が複数あります（候補: {listed}）"
    if problem == "several options":
        return "要確認: 複数の選択肢が選ばれています（最初のものだけ記録）"
    return "要確認: " + describe_problem(
        {"field": name, "kind": "ambiguous", "candidates": candidates}
    )


def as_steps_yaml(recorded: Sequence[RecordedStep]) -> str:
    """The steps as a YAML list with comments, ready to paste under ``search:`` or
    ``register:`` of a scenario's ``steps.yaml``::

        - click: 資格取得届 登録
          frame: menu
        - fill:
            氏名: ""        # text: set =列 or a fixed value
            性別: 男
          frame: main
        - click: 住所検索
          frame: main
          popup:
            - click: 選択
        - click: 登録
          frame: main
          dialog: accept

    A name with a problem carries a ``# 要確認: …`` comment; a password is a comment only.
    """
    lines = _step_lines(recorded, "")
    return "\n".join(lines) + "\n" if lines else "[]  # nothing was recorded\n"


def _step_lines(steps: Sequence[RecordedStep], indent: str) -> list[str]:
    lines: list[str] = []
    for step in steps:
        if step.action == "open":
            lines += _aligned([(f"{indent}- open: {_scalar(step.target)}", step.note)])
        elif step.action == "click":
            lines += _aligned([(f"{indent}- click: {_scalar(step.target)}", step.note)])
            lines += _frame_lines(step.frame, indent)
            if step.dialog:
                lines.append(f"{indent}  dialog: {step.dialog}")
            if step.popup is not None:
                if step.popup:
                    lines.append(f"{indent}  popup:")
                    lines += _step_lines(step.popup, indent + "    ")
                else:
                    lines.append(f"{indent}  popup: []   # nothing was done in the pop-up")
        else:
            lines += _fill_lines(step, indent)
    return lines


def _fill_lines(step: RecordedStep, indent: str) -> list[str]:
    rows: list[tuple[str, str]] = []
    for changed in step.fields:
        key = _yaml_key(changed.name)
        if changed.value is None:
            rows.append((f"{indent}    # {key}: {PASSWORD_NOTE}", ""))
            continue
        note = changed.note or (TEXT_NOTE if changed.kind == "text" else "")
        rows.append((f"{indent}    {key}: {_scalar(changed.value)}", note))
    if all(changed.value is None for changed in step.fields):
        # only a password: no fill step, just the reminder
        return [line.replace(f"{indent}    # ", f"{indent}# ", 1) for line, _ in rows]
    return [f"{indent}- fill:", *_aligned(rows), *_frame_lines(step.frame, indent)]


def _frame_lines(frame: str | None, indent: str) -> list[str]:
    if frame is None:
        return []
    if not frame:
        return [f'{indent}  frame: ""   # 要確認: このフレームには名前もタイトルもありません']
    return [f"{indent}  frame: {_scalar(frame)}"]


def _scalar(value: str | bool) -> str:
    """``value`` as a YAML scalar of a fill: a bool, or a text read back as that text (one
    beginning with ``=`` doubled, as steps.yaml writes a literal ``=``)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if value.startswith("="):
        value = "=" + value
    try:
        if value and yaml.safe_load(f"x: {value}") == {"x": value}:
            return value
    except yaml.YAMLError:
        pass
    return json.dumps(value, ensure_ascii=False)  # JSON's escapes are YAML's
