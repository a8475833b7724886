"""Validate and normalise what was read, and decide which fields are accepted.

A field is **accepted** only if its confidence clears its kind's calibrated threshold and
every rule about it holds: its own (era date exists, check digit, katakana, phone shape,
postal code exists) and those across fields (postal code matches the address, children born
after the claimant and not after the claim, the claim not dated in the future, one tick per
group of check boxes, a child's row filled in completely or not at all). Reasons are
log-safe: they never repeat the value.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import replace
from datetime import date

from core.errors import InvalidInput
from core.identifiers import validate_my_number
from core.kana import is_katakana
from core.phone import normalize_phone
from core.postal import address_matches_postal_code, normalize_postal_code, postal_code_exists
from core.wareki import from_wareki
from ocr._models import FieldReading
from ocr._template import FieldSpec, FormTemplate

__all__ = ["ERA_BY_CODE", "date_value", "validate_field", "validate_page"]

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
        return None, (["必須項目が空欄です"] if spec.required and spec.kind != "checkbox" else [])
    try:
        if spec.kind == "date":
            return date_value(value).isoformat(), []
        if spec.kind == "digits":
            return _digits(value, spec), []
        if spec.kind == "katakana" and not is_katakana(value):
            return None, ["カタカナ以外の文字があります"]
    except InvalidInput as exc:
        return None, [exc.message]
    return value, []


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


def _cross_field(fields: dict[str, FieldReading], normalised: dict[str, str | None],
                 today: date) -> dict[str, list[str]]:
    reasons: dict[str, list[str]] = defaultdict(list)

    def day(name: str) -> date | None:
        value = normalised.get(name)
        return date.fromisoformat(value) if value else None

    postal, address = normalised.get("postal_code"), fields.get("address")
    if postal and address and address.value and not address_matches_postal_code(
        postal, address.value
    ):
        reasons["postal_code"].append("郵便番号と住所が一致しません")
        reasons["address"].append("住所と郵便番号が一致しません")
    request, parent = day("request_date"), day("birth_date")
    if request and request > today:
        reasons["request_date"].append("請求年月日が未来の日付です")
    for i in range(1, 10):
        names = [f"child{i}_name_kana", f"child{i}_name", f"child{i}_birth_date"]
        if names[0] not in fields:
            break
        filled = [name for name in names if fields[name].value]
        if filled and len(filled) < len(names):
            for name in set(names) - set(filled):
                reasons[name].append("児童の欄が一部だけ記入されています")
        genders = [name for name in (f"child{i}_male", f"child{i}_female") if name in fields]
        ticked = [name for name in genders if fields[name].value]
        if genders and filled and not ticked:
            for name in genders:
                reasons[name].append("児童の性別に印がありません")
        elif ticked and not filled:
            for name in genders:
                reasons[name].append("児童の欄が一部だけ記入されています")
        child = day(names[2])
        if child and parent and child <= parent:
            reasons[names[2]].append("児童の生年月日が請求者の生年月日より前です")
        if child and request and child > request:
            reasons[names[2]].append("児童の生年月日が請求年月日より後です")
    return reasons


def _choices(template: FormTemplate, fields: dict[str, FieldReading],
             reasons: dict[str, list[str]]) -> dict[str, str | None]:
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
    for name, found in _cross_field(fields, normalised, today).items():
        reasons[name].extend(found)
    choices = _choices(template, fields, reasons)
    out = {}
    for spec in template.fields:
        reading = fields[spec.name]
        threshold = template.thresholds.for_field(spec)
        why = list(dict.fromkeys([*reading.reasons, *reasons[spec.name]]))
        if reading.confidence < threshold:
            why.append(f"確信度 {reading.confidence:.2f} が基準 {threshold:.2f} 未満です")
        out[spec.name] = replace(reading, normalised=normalised[spec.name], accepted=not why,
                                 reasons=tuple(why))
    return out, choices
