"""What a screen offers a robot, read the way the robots read it: ``jimu inspect``.

:func:`inspect_screen` lists, for the page and each of its frames, the fields by the exact
names :func:`~robots.fill_form` resolves (nested under a group's name where only the group
tells two apart), the buttons and links by the names :func:`~robots.click` finds, and the
frames. :func:`as_yaml_skeleton` turns that into a ready ``fill`` step per frame for a
declared scenario, with the kind, choices and length of each field as comments, and the
names it cannot use (ambiguous, or no name at all) commented out with their candidates.
"""

from __future__ import annotations

import json
import unicodedata
from dataclasses import dataclass, replace
from typing import Any, Literal

import yaml
from playwright.sync_api import Page

from core.errors import ElementNotFound
from robots._finder import frame_label, script

__all__ = [
    "ButtonInfo",
    "FieldInfo",
    "FrameInspection",
    "ScreenInspection",
    "as_yaml_skeleton",
    "inspect_screen",
]

FieldKind = Literal["text", "textarea", "select", "radio group", "checkbox", "radio"]
Problem = Literal["ambiguous", "shadowed", "unnamed"]

_INSPECT = script("""
  const all = candidates();
  const radiosOf = (c) => c.kind === "radios" ? c.radios
      : [...c.el.querySelectorAll("input[type=radio]")];
  const isChoice = (c) => c.kind === "radios" || (c.kind === "group"
      && [...c.el.querySelectorAll(CONTROLS)].length > 0
      && [...c.el.querySelectorAll(CONTROLS)].every((e) => e.type === "radio"));
  const owned = new Set(all.filter(isChoice).flatMap(radiosOf));
  const enclosing = (el) => {
    const groups = [];
    for (let g = el.parentElement && el.parentElement.closest(GROUPS); g;
         g = g.parentElement && g.parentElement.closest(GROUPS)) groups.unshift(g);
    return groups;
  };
  // The names fill_form walks to reach c: its own, or a group's first (as { 児童1: { 氏名 } }).
  const resolve = (scope, c, groups) => {
    const here = find(scope, c.name);
    if (here.length === 1 && here[0] === c) return [c.name];
    for (let i = 0; i < groups.length; i++) {
      const g = candidateOf(groups[i]);
      if (!g || !g.name) continue;
      const found = find(scope, g.name);
      if (found.length !== 1 || found[0] !== g) continue;
      const rest = resolve(g.el, c, groups.slice(i + 1));
      if (rest) return [g.name, ...rest];
    }
    return null;
  };
  const number = (e, attribute) => {
    const n = parseInt(e.getAttribute(attribute) || "", 10);
    return Number.isFinite(n) && n > 0 ? n : null;
  };
  const fields = [];
  const reported = new Set();
  for (const c of all) {
    const leaf = c.kind === "field" ? !owned.has(c.el) : isChoice(c);
    if (!leaf || !shown(c.el)) continue;
    const e = c.el;
    let kind = "text";
    if (c.kind !== "field") kind = "radio group";
    else if (e.tagName === "SELECT") kind = "select";
    else if (e.tagName === "TEXTAREA") kind = "textarea";
    else if (isBox(e)) kind = e.type;
    const choices = kind === "radio group" ? radiosOf(c).map(nameOf)
        : kind === "select" ? [...e.options].filter((o) => o.value !== "" && norm(o.text))
            .map((o) => norm(o.text))
        : [];
    const info = {
      name: c.name, kind, type: kind === "text" ? e.type : "", choices, path: [],
      maxlength: c.kind === "field" ? number(e, "maxlength") : null,
      size: c.kind === "field" && e.tagName === "INPUT" ? number(e, "size") : null,
      candidates: [], problem: null,
    };
    const path = c.name ? resolve(document, c, enclosing(e)) : null;
    if (path) {
      info.path = path;
    } else if (!c.name) {
      info.problem = "unnamed";
      info.candidates = where([e]);
    } else {
      const others = find(document, c.name);
      info.problem = others.includes(c) ? "ambiguous" : "shadowed";
      info.candidates = describe(others);
      const key = info.problem + "\\n" + c.name;
      if (reported.has(key)) continue;
      reported.add(key);
    }
    fields.push(info);
  }
  const buttons = [];
  const byName = new Map();
  for (const e of document.querySelectorAll(BUTTONS)) {
    if (!shown(e)) continue;
    const name = buttonName(e);
    if (byName.has(name)) { byName.get(name).count += 1; continue; }
    const handler = (e.getAttribute("onclick") || "") + " " + (e.getAttribute("href") || "");
    const called = [...handler.matchAll(/([A-Za-z_$][\\w$]*)\\s*\\(/g)].map((m) => window[m[1]])
        .filter((f) => typeof f === "function" && !/\\[native code\\]/.test(String(f)));
    const code = [handler, ...called.map(String)].join(" ");
    const sends = e.form && e.matches("input[type=submit], input[type=image], button")
        && (e.tagName !== "BUTTON" || e.type === "submit");
    const formTarget = sends ? e.getAttribute("formtarget") || e.form.getAttribute("target") : "";
    const onsubmit = sends ? e.form.getAttribute("onsubmit") || "" : "";
    const info = {
      name, link: e.matches("a, [role=link]"), count: 1,
      popup: /\\bwindow\\.open\\s*\\(/.test(code) || e.getAttribute("target") === "_blank"
          || formTarget === "_blank",
      confirm: /\\bconfirm\\s*\\(/.test(code + " " + onsubmit),
    };
    byName.set(name, info);
    buttons.push(info);
  }
  const heading = [...document.querySelectorAll("h1, h2, h3, h4, h5, h6")].find(shown);
  const body = document.body && document.body.tagName === "BODY" ? document.body.innerText : "";
  const firstLine = (body || "").split("\\n").map(norm).find(Boolean) || "";
  const title = (heading ? norm(heading.innerText) : "") || firstLine || norm(document.title);
  return { title: title.slice(0, 60), fields, buttons };
""")


@dataclass(frozen=True)
class FieldInfo:
    """A field as :func:`~robots.fill_form` reaches it.

    ``path`` is the names to give it (``("児童1", "氏名")`` is ``{"児童1": {"氏名": …}}``);
    empty when it cannot be reached, and ``problem`` says why: ``ambiguous`` (``candidates``
    lists the fields of that name and where they are), ``shadowed`` (an explicitly labelled
    field of the same name is found instead) or ``unnamed`` (``candidates``: where it is).
    ``choices`` are a select's options or a radio group's buttons, as a value names them.
    """

    name: str
    kind: FieldKind
    path: tuple[str, ...] = ()
    input_type: str = ""
    choices: tuple[str, ...] = ()
    maxlength: int | None = None
    size: int | None = None
    problem: Problem | None = None
    candidates: tuple[str, ...] = ()


@dataclass(frozen=True)
class ButtonInfo:
    """A button or link as :func:`~robots.click` finds it; ``count`` > 1 means ambiguous."""

    name: str
    link: bool = False
    opens_popup: bool = False
    asks_confirm: bool = False
    count: int = 1


@dataclass(frozen=True)
class FrameInspection:
    """The top page (``name`` None) or one frame (its name or title, ``""`` if it has
    neither, and then :func:`~robots.find_frame` cannot reach it)."""

    name: str | None
    title: str
    url: str
    fields: tuple[FieldInfo, ...]
    buttons: tuple[ButtonInfo, ...]
    frames: tuple[str, ...]


@dataclass(frozen=True)
class ScreenInspection:
    """The page and every frame in it, the page first."""

    frames: tuple[FrameInspection, ...]

    def only(self, name: str) -> ScreenInspection:
        """Just the frame ``name``; :class:`ElementNotFound` naming the frames if absent."""
        found = tuple(frame for frame in self.frames if frame.name == name)
        if not found:
            there = ", ".join(f.name or "(名前なし)" for f in self.frames if f.name is not None)
            raise ElementNotFound(
                f"フレーム「{name}」が見つかりません（あるフレーム: {there or 'なし'}）"
            )
        return replace(self, frames=found)


def inspect_screen(page: Page) -> ScreenInspection:
    """Read what the page and each of its frames offer, one ``evaluate`` per frame."""
    inspected = []
    for frame in page.frames:
        shown: dict[str, Any] = frame.evaluate(_INSPECT)
        inspected.append(
            FrameInspection(
                name=None if frame == page.main_frame else frame_label(frame),
                title=shown["title"],
                url=frame.url,
                fields=tuple(_field(info) for info in shown["fields"]),
                buttons=tuple(
                    ButtonInfo(
                        name=b["name"],
                        link=b["link"],
                        opens_popup=b["popup"],
                        asks_confirm=b["confirm"],
                        count=b["count"],
                    )
                    for b in shown["buttons"]
                ),
                frames=tuple(frame_label(child) for child in frame.child_frames),
            )
        )
    return ScreenInspection(frames=tuple(inspected))


def _field(info: dict[str, Any]) -> FieldInfo:
    return FieldInfo(
        name=info["name"],
        kind=info["kind"],
        path=tuple(info["path"]),
        input_type="" if info["type"] in ("", "text") else info["type"],
        choices=tuple(info["choices"]),
        maxlength=info["maxlength"],
        size=info["size"],
        problem=info["problem"],
        candidates=tuple(info["candidates"]),
    )


def as_yaml_skeleton(inspection: ScreenInspection) -> str:
    """A YAML fragment with one ``fill`` step per frame that has fields, ready to fill in::

        # frame main — 資格取得届 登録
        - fill:
            個人番号: ""   # text, maxlength 12
            性別: ""       # 男 / 女
          frame: main
        # buttons: 住所検索 (opens a pop-up), 登録 (asks confirm())

    The step has the shape of a ``steps.yaml`` step: pasted into ``search:`` or
    ``register:``, with a value set for each field, it fills the screen. The names are exactly
    those :func:`~robots.fill_form` resolves; fields it cannot reach are listed as comments
    with the reason.
    """
    lines: list[str] = []
    for frame in inspection.frames:
        lines += _frame_lines(frame)
    return "\n".join(lines) + "\n"


def _frame_lines(frame: FrameInspection) -> list[str]:
    where = "page" if frame.name is None else f"frame {frame.name or '(名前なし)'}"
    lines = [f"# {where}" + (f" — {frame.title}" if frame.title else "")]
    reachable = [f for f in frame.fields if f.path]
    if reachable:
        block = ["- fill:"]
        block += _aligned(_field_rows(reachable, "    "))
        if frame.name:
            block.append(f"  frame: {_yaml_key(frame.name)}")
        if frame.name == "":
            lines.append("# this frame has no name or title: find_frame cannot reach it")
            block = ["# " + line for line in block]
        lines += block
    for field in frame.fields:
        if field.problem == "unnamed":
            lines.append(f"# (no name): {field.kind} at {', '.join(field.candidates)}")
        elif field.problem is not None:
            reason = "ambiguous" if field.problem == "ambiguous" else "not reachable, finds"
            lines.append(f'# {_yaml_key(field.name)}: ""   # {reason}: '
                         + ", ".join(field.candidates))  # fmt: skip
    buttons = [b for b in frame.buttons if not b.link]
    links = [b for b in frame.buttons if b.link]
    if buttons:
        lines.append("# buttons: " + ", ".join(_button(b) for b in buttons))
    if links:
        lines.append("# links: " + ", ".join(_button(b) for b in links))
    if frame.frames:
        lines.append("# frames: " + ", ".join(name or "(名前なし)" for name in frame.frames))
    return lines


def _field_rows(fields: list[FieldInfo], indent: str) -> list[tuple[str, str]]:
    """(line, comment) for each field, nested under group names where its path has them."""
    rows: list[tuple[str, str]] = []
    first: dict[tuple[str, ...], int] = {}
    for index, field in enumerate(fields):
        for depth in range(1, len(field.path)):
            first.setdefault(field.path[:depth], index)

    def order(index: int) -> tuple[int, ...]:  # a group's fields together, where it begins
        path = fields[index].path
        return (*(first[path[:depth]] for depth in range(1, len(path))), index)

    opened: list[str] = []
    for field in (fields[i] for i in sorted(range(len(fields)), key=order)):
        *groups, leaf = field.path
        shared = 0
        while shared < min(len(groups), len(opened)) and groups[shared] == opened[shared]:
            shared += 1
        for depth in range(shared, len(groups)):
            rows.append((f"{indent}{'  ' * depth}{_yaml_key(groups[depth])}:", ""))
        opened = groups
        value = "false" if field.kind in ("checkbox", "radio") else '""'
        line = f"{indent}{'  ' * len(groups)}{_yaml_key(leaf)}: {value}"
        rows.append((line, _comment(field)))
    return rows


def _comment(field: FieldInfo) -> str:
    if field.kind in ("select", "radio group"):
        shown = list(field.choices[:12]) + (["…"] if len(field.choices) > 12 else [])
        return " / ".join(shown) or "(no choices)"
    if field.kind == "checkbox":
        return "checkbox: true / false"
    if field.kind == "radio":
        return "radio: true chooses it"
    parts = [field.input_type or field.kind]
    if field.maxlength is not None:
        parts.append(f"maxlength {field.maxlength}")
    if field.size is not None:
        parts.append(f"size {field.size}")
    return "" if parts == ["text"] else ", ".join(parts)


def _aligned(rows: list[tuple[str, str]]) -> list[str]:
    width = max((_width(line) for line, comment in rows if comment), default=0)
    return [
        line + " " * (width - _width(line) + 3) + f"# {comment}" if comment else line
        for line, comment in rows
    ]


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _button(button: ButtonInfo) -> str:
    notes = []
    if button.opens_popup:
        notes.append("opens a pop-up")
    if button.asks_confirm:
        notes.append("asks confirm()")
    if button.count > 1:
        notes.append(f"{button.count} of them: ambiguous")
    return button.name + (f" ({', '.join(notes)})" if notes else "")


def _yaml_key(name: str) -> str:
    """``name`` as a YAML mapping key: bare when YAML reads it back as that string."""
    try:
        if name and yaml.safe_load(f"{name}: x") == {name: "x"}:
            return name
    except yaml.YAMLError:
        pass
    return json.dumps(name, ensure_ascii=False)
