"""Finding fields and buttons by what a person reads: one JavaScript finder for every action.

:func:`~robots.fill_form`, :func:`~robots.click`, :func:`~robots.read_texts`,
:func:`~robots.probe_screen` and :func:`~robots.inspect_screen` all name things the same
way, because they all run the finder below inside the page (or frame) in one ``evaluate``.

A field's name is, in this order:

1. ``aria-labelledby``, ``aria-label``, its ``<label>`` (a group: ``aria-label`` or its
   ``<legend>``) — *explicit* names;
2. a radio button or checkbox: the text right after it (else right before it; when every
   box of a row has text before it and the last has none after, the text before);
3. a table row's label: the nearest preceding ``<th>`` — or ``<td>`` without controls — in
   the same ``<tr>``, without a trailing ``：`` or ``※``. When several controls share one
   row label, each is ``"<label> <unit>"``, the unit being the short text right after it
   (``生年月日 年``); a control with no such text keeps the bare label (``生年月日``).
   Radio buttons sharing a ``name`` under one row label form a group named by the label;
4. ``placeholder``; 5. ``title``.

Explicit names come first: a field named by its ``<label>`` is found even if a box elsewhere
reads the same only by its layout. Two fields of the same name (at the same rank) are
ambiguous: an error lists the candidates by name and position (``住所 (3行目)``), never
by value.

A button or link is named by ``aria-labelledby``, ``aria-label``, its shown text (an
``<input>``: its value; an image: its ``alt``), else its ``title``.
"""

from __future__ import annotations

from playwright.sync_api import Frame, Page

from core.errors import ElementNotFound

__all__ = ["FINDER_JS", "Target", "find_frame", "script"]

Target = Page | Frame

FINDER_JS = r"""
const norm = (s) => (s || "").replace(/\s+/g, " ").trim();
const shown = (e) => e.getClientRects().length > 0;
const byIds = (ids) => ids.split(/\s+/).map((id) => document.getElementById(id))
    .filter(Boolean).map((e) => e.textContent).join(" ");
const GROUPS = "fieldset, [role=group], [role=region], [role=radiogroup], "
    + "section[aria-label], section[aria-labelledby]";
const CONTROLS = "input:not([type=hidden]):not([type=submit]):not([type=button])"
    + ":not([type=reset]):not([type=image]), select, textarea";
const ANY_CONTROL = "input:not([type=hidden]), select, textarea, button";
const BUTTONS = "button, input[type=submit], input[type=button], input[type=reset], "
    + "input[type=image], a[href], a[onclick], [role=button], [role=link]";
const INLINE = new Set(["SPAN", "FONT", "B", "I", "U", "EM", "STRONG", "SMALL", "NOBR", "LABEL"]);
const isBox = (e) => e.tagName === "INPUT" && (e.type === "radio" || e.type === "checkbox");
const cleanLabel = (s) => norm(s).replace(/^[※*＊]+\s*/, "").replace(/[\s:：※*＊]+$/, "");
const explicitName = (e) => {
  if (e.hasAttribute("aria-labelledby")) return norm(byIds(e.getAttribute("aria-labelledby")));
  if (e.hasAttribute("aria-label")) return norm(e.getAttribute("aria-label"));
  if (e.tagName === "FIELDSET") {
    const legend = [...e.children].find((c) => c.tagName === "LEGEND");
    return norm(legend ? legend.textContent : "");
  }
  if (e.labels && e.labels.length) return norm([...e.labels].map((l) => l.textContent).join(" "));
  return null;
};
// The text right beside an element (dir 1: after, -1: before), up to the next control.
const beside = (e, dir) => {
  let text = "";
  for (let n = dir > 0 ? e.nextSibling : e.previousSibling; n;
       n = dir > 0 ? n.nextSibling : n.previousSibling) {
    if (n.nodeType === Node.COMMENT_NODE) continue;
    const inline = n.nodeType === Node.ELEMENT_NODE && INLINE.has(n.tagName)
        && !n.querySelector(ANY_CONTROL);
    if (n.nodeType !== Node.TEXT_NODE && !inline) break;
    text = dir > 0 ? text + n.textContent : n.textContent + text;
    if (norm(text)) break;
  }
  return cleanLabel(text);
};
const boxText = (e) => {
  const after = beside(e, 1);
  const before = beside(e, -1);
  if (!before || !after) return after || before;
  // text on both sides: 「男<input> 女<input>」 reads each box by the text before it
  const peers = [...e.parentElement.children].filter((p) => isBox(p) && p.type === e.type);
  const last = peers[peers.length - 1];
  return !beside(last, 1) && peers.every((p) => beside(p, -1)) ? before : after;
};
const labelCellOf = (e) => {
  const cell = e.closest("td, th");
  if (!cell) return null;
  for (let c = cell.previousElementSibling; c; c = c.previousElementSibling) {
    const labelLike = c.tagName === "TH" || (c.tagName === "TD" && !c.querySelector(ANY_CONTROL));
    if (labelLike && cleanLabel(c.textContent)) return c;
  }
  return null;
};
const isUnit = (text) => text.length > 0 && text.length <= 10 && /[\p{L}\p{N}]/u.test(text);
// Every group, field and row radio group of the document, named once per evaluation.
let CANDIDATES = null;
const BY_ELEMENT = new Map();
const candidates = () => {
  if (CANDIDATES) return CANDIDATES;
  const list = [];
  const add = (c) => {
    list.push(c);
    if (c.kind !== "radios") BY_ELEMENT.set(c.el, c);  // a row's radio group is no element
    return c;
  };
  for (const g of document.querySelectorAll(GROUPS)) {
    add({ el: g, kind: "group", name: explicitName(g) || "", tier: 1 });
  }
  const rows = new Map();  // label cell -> [{ c, el }] in document order
  const rowRadios = new Map();  // label cell -> (radio name -> row radio group)
  const unitsOf = (cell) => {
    if (!rows.has(cell)) { rows.set(cell, []); rowRadios.set(cell, new Map()); }
    return rows.get(cell);
  };
  for (const e of document.querySelectorAll(CONTROLS)) {
    const explicit = explicitName(e);
    const c = add({ el: e, kind: "field", name: explicit || "", tier: explicit === null ? 2 : 1 });
    if (explicit === null && isBox(e)) c.name = boxText(e);
    const cell = labelCellOf(e);
    if (!cell) continue;
    if (e.type === "radio" && e.name) {
      const units = unitsOf(cell);
      const groups = rowRadios.get(cell);
      if (!groups.has(e.name)) {
        const group = { el: e, kind: "radios", radios: [], name: "", tier: 2, lone: c };
        groups.set(e.name, group);
        units.push(group);
      }
      groups.get(e.name).radios.push(e);
      continue;
    }
    if (explicit === null && !c.name) unitsOf(cell).push(c);
  }
  for (const [cell, found] of rows) {
    const units = found.flatMap((u) => {
      if (u.kind !== "radios") return [u];
      if (u.radios.length > 1) return [add(u)];
      return u.lone.name || u.lone.tier === 1 ? [] : [u.lone];  // one radio: a box like others
    });
    const label = cleanLabel(cell.textContent);
    for (const u of units) {
      const unit = units.length > 1 && u.kind !== "radios" ? beside(u.el, 1) : "";
      u.name = isUnit(unit) ? label + " " + unit : label;
    }
  }
  for (const c of list) {
    if (c.kind === "field" && !c.name) {
      c.name = norm(c.el.getAttribute("placeholder")) || norm(c.el.getAttribute("title"));
    }
  }
  // document order (a row's radio group where its first button is, before that button)
  list.sort((a, b) => a.el === b.el ? 0
      : a.el.compareDocumentPosition(b.el) & Node.DOCUMENT_POSITION_FOLLOWING ? -1 : 1);
  CANDIDATES = list;
  return list;
};
const candidateOf = (e) => { candidates(); return BY_ELEMENT.get(e); };
const nameOf = (e) => { const c = candidateOf(e); return c ? c.name : ""; };
const within = (scope, el) => el !== scope && (scope === document || scope.contains(el));
const find = (scope, name) => {
  const all = candidates().filter((c) => c.name === name && within(scope, c.el));
  const explicit = all.filter((c) => c.tier === 1);
  return explicit.length ? explicit : all;
};
const groupPath = (el) => {
  const names = [];
  for (let g = el.parentElement && el.parentElement.closest(GROUPS); g;
       g = g.parentElement && g.parentElement.closest(GROUPS)) {
    const c = candidateOf(g);
    if (c && c.name) names.unshift(c.name);
  }
  return names;
};
const where = (els) => {
  const tables = [...new Set(els.map((e) => e.closest("table")).filter(Boolean))];
  return els.map((e, i) => {
    const tr = e.closest("tr");
    if (!tr) return `${i + 1}番目`;
    const table = tr.closest("table");
    return (tables.length > 1 ? `表${tables.indexOf(table) + 1}の` : "") + `${tr.rowIndex + 1}行目`;
  });
};
// "児童1 › 氏名 (3行目)": how a person tells the candidates apart, never by their values.
const describe = (found) => {
  const places = where(found.map((c) => c.el));
  return found.map((c, i) => [...groupPath(c.el), c.name].join(" › ") + ` (${places[i]})`);
};
const buttonName = (e) => {
  if (e.hasAttribute("aria-labelledby")) return norm(byIds(e.getAttribute("aria-labelledby")));
  if (e.hasAttribute("aria-label")) return norm(e.getAttribute("aria-label"));
  let text = e.tagName === "INPUT" ? (e.type === "image" ? e.alt : e.value) : e.innerText;
  text = norm(text);
  if (!text) {
    const img = e.querySelector("img[alt]");
    if (img) text = norm(img.alt);
  }
  return text || norm(e.getAttribute("title"));
};
const findButtons = (name) => {
  const all = [...document.querySelectorAll(BUTTONS)].filter((e) => buttonName(e) === name);
  const visible = all.filter(shown);
  return visible.length ? visible : all;
};
const describeButtons = (found) => {
  const places = where(found);
  return found.map((e, i) => `${buttonName(e)} (${places[i]})`);
};
"""


def script(body: str) -> str:
    """A function for ``evaluate``: the finder, then ``body`` (its argument is ``arg``)."""
    return "(arg) => {\n" + FINDER_JS + "\n" + body + "\n}"


def find_frame(page: Page, name: str) -> Frame:
    """The frame of ``page`` whose ``name`` (or, failing that, ``title``) attribute is ``name``.

    Frames within frames are found too. Raises :class:`~core.errors.ElementNotFound` naming
    the frames there are if none (or more than one) has that name.
    """
    frames = page.frames[1:]
    found = [frame for frame in frames if frame.name == name]
    if not found:
        found = [frame for frame in frames if _frame_title(frame) == name]
    if len(found) == 1:
        return found[0]
    if found:
        raise ElementNotFound(f"フレーム「{name}」が{len(found)}個あります")
    there = ", ".join(frame_label(frame) for frame in frames) or "なし"
    raise ElementNotFound(f"フレーム「{name}」が見つかりません（あるフレーム: {there}）")


def frame_label(frame: Frame) -> str:
    """How :func:`find_frame` reaches ``frame``: its name, else its title ("" if neither)."""
    return frame.name or _frame_title(frame)


def _frame_title(frame: Frame) -> str:
    try:
        return (frame.frame_element().get_attribute("title") or "").strip()
    except Exception:  # a frame detached while we looked: it has no title any more
        return ""
