"""Validate and normalise what was read, and decide which fields are accepted.

A field is **accepted** only if its confidence clears its kind's calibrated threshold and
every rule about it holds: its own (era date exists, check digit, katakana, phone shape,
postal code exists, a name's family and given name, an amount's commas, a number's digits
and hyphens, a required seal stamped) and those across fields the template's ``checks:``
name (a postal code that matches the address, dates not in the future, rows filled in
completely or not at all, a row's date after one field's and not after another's; light
writing counts as written there), and one tick per group of check boxes. Reasons are
log-safe: they never repeat the value.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import replace
from datetime import date

from core.errors import InvalidInput
from core.identifiers import validate_my_number
from core.kana import is_katakana
from core.phone import hyphens_fit, normalize_phone
from core.postal import address_matches_postal_code, normalize_postal_code, postal_code_exists
from core.wareki import from_wareki
from ocr._fields import FAINT
from ocr._models import FieldReading
from ocr._template import FieldSpec, FormTemplate

__all__ = ["ERA_BY_CODE", "amount_value", "date_value", "validate_field", "validate_page"]

ERA_BY_CODE = {"3": "昭和", "4": "平成", "5": "令和"}


def date_value(boxes: str) -> date:
    """The date of 7 box digits (era code, YY, MM, DD); raises :class:`InvalidInput`."""
    if len(boxes) != 7 or not boxes.isdigit():
        raise InvalidInput("日付の枠（元号・年・月・日）が埋まっていません")
    era = ERA_BY_CODE.get(boxes[0])
    if era is None:
        raise InvalidInput("元号の番号は 3（昭和）・4（平成）・5（令和）のいずれかです")
    return from_wareki(era, int(boxes[1:3]), int(boxes[3:5]), int(boxes[5:7]))


def validate_field(reading: FieldReading, spec: FieldSpec) -> tuple[str | None, list[str]]:
    """The normalised value and the reasons it fails its own rules (none: it validates)."""
    value = reading.value
    if not value:
        if reading.reasons:  # the reader saw something (light writing): not a blank field
            return None, []
        if spec.kind == "seal":
            return None, (["押印がありません"] if spec.required else [])
        return None, (["必須項目が空欄です"] if spec.required and spec.kind != "checkbox" else [])
    try:
        if spec.kind == "date":
            return date_value(value).isoformat(), []
        if spec.kind == "digits":
            return _digits(value, spec), []
        if spec.kind == "number":
            return _number(value, spec), []
        if spec.kind == "amount":
            return amount_value(value), []
        if spec.kind == "katakana" and not is_katakana(value):
            return None, ["カタカナ以外の文字があります"]
        if spec.rule == "person_name" and len(value.split()) < 2:
            return None, ["姓と名の間に空白がありません"]
    except InvalidInput as exc:
        return None, [exc.message]
    return value, []


_AMOUNT = re.compile(r"[1-9][0-9]{0,2}(,[0-9]{3})+|[1-9][0-9]*|0")


def amount_value(text: str) -> str:
    """The plain digits of an amount written with or without commas (``12,000`` → ``12000``);
    raises :class:`InvalidInput` when it is not a sum of money written the usual way."""
    if not text or not set(text) <= set("0123456789,"):
        raise InvalidInput("金額に数字とカンマ以外の文字があります")
    if _AMOUNT.fullmatch(text) is None:
        raise InvalidInput("金額の桁区切り（カンマ）の位置が正しくありません")
    return text.replace(",", "")


def _number(value: str, spec: FieldSpec) -> str:
    """A free-written number: digits with hyphens between groups; with ``phone``, a phone."""
    if not set(value) <= set("0123456789-") or not any(c.isdigit() for c in value):
        raise InvalidInput("数字とハイフン以外の文字があります")
    if value.startswith("-") or value.endswith("-") or "--" in value:
        raise InvalidInput("ハイフンの位置が正しくありません")
    if spec.rule == "phone":
        digits = normalize_phone(value)
        if not hyphens_fit(value):
            raise InvalidInput(
                "電話番号のハイフンの位置が正しくありません（数字の読み落としの疑い）"
            )
        return digits
    return value.replace("-", "")


def _digits(value: str, spec: FieldSpec) -> str:
    if not value.isdigit():
        raise InvalidInput("空欄の枠や読めない数字があります")
    if spec.rule == "my_number":
        return validate_my_number(value)
    if spec.rule == "postal_code":
        code = normalize_postal_code(value)
        if not postal_code_exists(code):
            raise InvalidInput("存在しない郵便番号です")
        return code
    if spec.rule == "phone":
        return normalize_phone(value)
    if len(value) != spec.boxes:
        raise InvalidInput(f"{spec.boxes}桁すべてを記入してください")
    return value


def _cross_field(
    template: FormTemplate,
    fields: dict[str, FieldReading],
    normalised: dict[str, str | None],
    today: date,
) -> dict[str, list[str]]:
    """The template's checks across fields (``checks:``); messages name fields by heading."""
    reasons: dict[str, list[str]] = defaultdict(list)
    checks, labels = template.checks, _headings(template)

    def day(name: str | None) -> date | None:
        value = normalised.get(name) if name else None
        return date.fromisoformat(value) if value else None

    pair = checks.postal_matches_address
    if pair is not None:
        postal, address = normalised.get(pair.postal_code), fields.get(pair.address)
        if (
            postal
            and address
            and address.value
            and not address_matches_postal_code(postal, address.value)
        ):
            first, second = labels[pair.postal_code], labels[pair.address]
            reasons[pair.postal_code].append(f"{first}と{second}が一致しません")
            reasons[pair.address].append(f"{second}と{first}が一致しません")
    for name in checks.not_in_future:
        when = day(name)
        if when and when > today:
            reasons[name].append(f"{labels[name]}が未来の日付です")
    for row in checks.rows:
        # Light writing counts as written: the rest of its row must not pass as empty.
        filled = [
            name for name in row.fields if fields[name].value or FAINT in fields[name].reasons
        ]
        partly = f"{row.label}の欄が一部だけ記入されています"
        if filled and len(filled) < len(row.fields):
            for name in set(row.fields) - set(filled):
                reasons[name].append(partly)
        boxes = [spec.name for spec in template.fields if row.choice and spec.group == row.choice]
        ticked = [name for name in boxes if fields[name].value]
        if boxes and filled and not ticked:
            group = next((labels[n] for n in boxes), row.choice)
            for name in boxes:
                reasons[name].append(f"{group}に印がありません")
        elif ticked and not filled:
            for name in boxes:
                reasons[name].append(partly)
        when = day(row.date)
        if row.date and when:
            earliest, latest = day(row.after), day(row.not_after)
            if earliest and when <= earliest:
                reasons[row.date].append(f"{labels[row.date]}が{labels[row.after or '']}より前です")
            if latest and when > latest:
                reasons[row.date].append(
                    f"{labels[row.date]}が{labels[row.not_after or '']}より後です"
                )
    return reasons


def _headings(template: FormTemplate) -> dict[str, str]:
    """Each field's heading, or its printed label (a check box's: its group's first label)."""
    headings = {spec.name: spec.heading or spec.label or spec.name for spec in template.fields}
    for spec in template.fields:
        if spec.group and not (spec.heading or spec.label):
            first = next(s for s in template.fields if s.group == spec.group)
            headings[spec.name] = first.heading or first.label or spec.group
    return headings


def _choices(
    template: FormTemplate, fields: dict[str, FieldReading], reasons: dict[str, list[str]]
) -> dict[str, str | None]:
    groups: dict[str, list[FieldSpec]] = defaultdict(list)
    for spec in template.fields:
        if spec.kind == "checkbox" and spec.group:
            groups[spec.group].append(spec)
    choices: dict[str, str | None] = {}
    for group, specs in groups.items():
        ticked = [spec for spec in specs if fields[spec.name].value]
        choices[group] = ticked[0].option if len(ticked) == 1 else None
        if not ticked and not any(spec.required for spec in specs):
            continue  # an optional group (a child's row left empty): the row rules decide
        if len(ticked) != 1:
            message = "選択肢に印がありません" if not ticked else "選択肢に複数の印があります"
            for spec in specs:
                reasons[spec.name].append(message)
    return choices


def validate_page(
    fields: dict[str, FieldReading], template: FormTemplate, *, today: date | None = None
) -> tuple[dict[str, FieldReading], dict[str, str | None]]:
    """Validate, normalise and accept or route every field of a page.

    Returns the updated readings and the choice made in each check-box group (``None`` when
    not exactly one box is ticked). ``today`` (default: the system date) bounds the request
    date.
    """
    today = today or date.today()
    normalised: dict[str, str | None] = {}
    reasons: dict[str, list[str]] = defaultdict(list)
    for spec in template.fields:
        value, own = validate_field(fields[spec.name], spec)
        normalised[spec.name] = value
        reasons[spec.name].extend(own)
    for name, found in _cross_field(template, fields, normalised, today).items():
        reasons[name].extend(found)
    choices = _choices(template, fields, reasons)
    out = {}
    for spec in template.fields:
        reading = fields[spec.name]
        threshold = template.thresholds.for_field(spec)
        why = list(dict.fromkeys([*reading.reasons, *reasons[spec.name]]))
        if reading.confidence < threshold:
            why.append(f"確信度 {reading.confidence:.2f} が基準 {threshold:.2f} 未満です")
        out[spec.name] = replace(
            reading, normalised=normalised[spec.name], accepted=not why, reasons=tuple(why)
        )
    return out, choices
