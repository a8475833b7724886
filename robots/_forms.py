"""Filling a whole form in one round trip to the browser, every field found by its label.

Playwright's ``fill``, ``select_option`` and ``check`` each cost several round trips between
Python, Playwright's driver and the page (about 14 ms for a fill, 8 ms for a select on these
machines); a registration of three screens needs about forty of them, most of the robot's
time per item. :func:`fill_form` sets a screen's fields in one ``evaluate``: what RPA tools
call simulated input (UiPath's "Simulate", WinActor's 値の設定), as opposed to typing key by
key. Fields are still found as a user finds them — by their label, within groups named by
their legend (``<fieldset>``) or ``aria-label`` — never by id, XPath or position, and the
checks Playwright makes before acting still hold: a field must exist exactly once in its
group, be shown, enabled and editable; a choice must be offered. Each field receives
focus, ``input``, ``change`` and blur as if a person had entered it, and its value is read
back afterwards. Legacy screens are read the same way: a label in the table cell beside the
box, the text beside a radio button, ``生年月日 年`` for one of several boxes under one row
label (the rules: :mod:`robots._finder`); a screen in a frame is filled through its
:class:`~playwright.sync_api.Frame` (:func:`~robots.find_frame`).

A value in ``values`` is, by the kind of element its name finds:

- a text box or text area: the text (``""`` clears it);
- a select: the option whose value or visible text equals it;
- a group of radio buttons: the label of the button to choose;
- a checkbox: ``True`` or ``False``;
- any other group: a mapping of the fields inside it, by the same rules.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from playwright.sync_api import TimeoutError as PlaywrightTimeout

from core.errors import ElementNotFound, InvalidInput
from robots._finder import Target, script

__all__ = ["FormValues", "describe_problem", "fill_form"]

FormValues = Mapping[str, "str | bool | FormValues"]

# Returns the problems found ([] if every field was set), or null when ``probe`` is set and
# a field is not on the page yet (so ``wait_for_function`` keeps polling).
_FILL = script("""
  const [values, probe] = arg;
  const problems = [];
  let missing = false;
  const problem = (path, kind, candidates) =>
      problems.push({ field: path.join(" › "), kind, candidates: candidates || [] });
  const editable = (e) => !e.disabled && !e.readOnly && !e.closest("fieldset:disabled");
  const fire = (e, type) => e.dispatchEvent(new Event(type, { bubbles: true }));
  const setText = (e, text) => {
    const proto = e.tagName === "TEXTAREA" ? HTMLTextAreaElement : HTMLInputElement;
    e.focus();
    Object.getOwnPropertyDescriptor(proto.prototype, "value").set.call(e, text);
    fire(e, "input"); fire(e, "change"); e.blur();
    return e.value === text;
  };
  const setSelect = (e, wanted) => {
    const option = [...e.options].find((o) => o.value === wanted)
        || [...e.options].find((o) => norm(o.text) === wanted);
    if (!option) return "no-such-option";
    e.focus(); e.value = option.value; fire(e, "input"); fire(e, "change"); e.blur();
    return e.value === option.value ? null : "not-set";
  };
  const setChecked = (e, on) => {
    if (e.checked !== on) { e.focus(); e.click(); e.blur(); }
    return e.checked === on;
  };
  const fill = (scope, entries, path) => {
    for (const [name, value] of Object.entries(entries)) {
      const here = [...path, name];
      const found = find(scope, name);
      if (found.length === 0) { missing = true; problem(here, "missing"); continue; }
      if (found.length > 1) { problem(here, "ambiguous", describe(found)); continue; }
      const c = found[0];
      const e = c.el;
      const isGroup = c.kind === "group";
      const choice = isGroup || c.kind === "radios";
      if (!shown(e)) { problem(here, "hidden"); continue; }
      if (isGroup && value !== null && typeof value === "object") {
        fill(e, value, here);
        continue;
      }
      if (choice && typeof value === "string") {
        const pool = isGroup ? [...e.querySelectorAll("input[type=radio]")] : c.radios;
        const radios = pool.filter((r) => nameOf(r) === value);
        if (radios.length !== 1) {
          if (radios.length) problem(here, "ambiguous", describe(radios.map(candidateOf)));
          else problem(here, "no-such-option");
          continue;
        }
        if (!editable(radios[0])) { problem(here, "disabled"); continue; }
        if (!setChecked(radios[0], true)) problem(here, "not-set");
        continue;
      }
      if (choice || !editable(e)) { problem(here, choice ? "wrong-kind" : "disabled"); continue; }
      const type = (e.getAttribute("type") || "").toLowerCase();
      if (type === "checkbox" || type === "radio") {
        if (typeof value !== "boolean") { problem(here, "wrong-kind"); continue; }
        if (!setChecked(e, value)) problem(here, "not-set");
      } else if (e.tagName === "SELECT") {
        if (typeof value !== "string") { problem(here, "wrong-kind"); continue; }
        const failed = setSelect(e, value);
        if (failed) problem(here, failed);
      } else {
        if (typeof value !== "string") { problem(here, "wrong-kind"); continue; }
        if (!setText(e, value)) problem(here, "not-set");
      }
    }
  };
  if (probe) {
    const absent = (scope, entries) => Object.entries(entries).some(([name, value]) => {
      const found = find(scope, name);
      if (found.length === 0) return true;
      return found.length === 1 && found[0].kind === "group" && value !== null
          && typeof value === "object" && absent(found[0].el, value);
    });
    if (absent(document, values)) return null;
  }
  fill(document, values, []);
  return { problems, missing };
""")

_MESSAGES = {
    "missing": "見つかりません",
    "missing-button": "ボタンが見つかりません",
    "ambiguous": "複数あります",
    "hidden": "表示されていません",
    "disabled": "入力できません",
    "wrong-kind": "値の種類が合いません",
    "not-set": "値が設定されませんでした",
    "no-such-option": "指定の選択肢がありません",
}


def fill_form(page: Target, values: FormValues, *, system: str, timeout_ms: float = 5_000) -> None:
    """Set every field named in ``values`` on the page's current screen (or in one of its
    frames: pass the :class:`~playwright.sync_api.Frame`), in one round trip.

    A field not on the page yet is waited for (up to ``timeout_ms``), as Playwright's own
    actions wait. Raises :class:`~core.errors.ElementNotFound` (retried as a technical
    failure) for a field that is missing, ambiguous, hidden or not editable, and
    :class:`~core.errors.InvalidInput` (for a person to look at) if the screen does not
    offer a choice the data asks for. Messages name the fields, never their values; an
    ambiguous name lists its candidates (``「住所」複数あります（候補: 住所 (3行目), 住所
    (9行目)）``). How names are read: :mod:`robots._finder`.
    """
    outcome: dict[str, Any] = page.evaluate(_FILL, [values, False])
    if outcome["missing"]:
        try:  # a screen that draws some fields late: poll until all are there, then fill
            done = page.wait_for_function(_FILL, arg=[values, True], timeout=timeout_ms)
            outcome = done.json_value()
        except PlaywrightTimeout:
            pass  # reported below, field by field
    problems = outcome["problems"]
    if not problems:
        return
    listed = " / ".join(describe_problem(p) for p in problems)
    if all(p["kind"] == "no-such-option" for p in problems):
        raise InvalidInput(f"{system}の画面に入力できない値があります: {listed}")
    raise ElementNotFound(f"{system}: 入力欄に入力できません: {listed}")


def describe_problem(problem: Mapping[str, Any]) -> str:
    """「氏名」複数あります（候補: 児童1 › 氏名 (1番目), 児童2 › 氏名 (2番目)）: one problem
    the finder reported, with the candidates of an ambiguous name."""
    text = f"「{problem['field']}」{_MESSAGES.get(problem['kind'], problem['kind'])}"
    candidates = problem.get("candidates") or []
    return text + (f"（候補: {', '.join(candidates)}）" if candidates else "")
