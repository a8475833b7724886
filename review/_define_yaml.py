"""What the form-definition screen writes and says: a template as readable YAML (one flow
mapping per field, the writer of ``jimu ocr define``) and template errors in Japanese."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

import yaml
from pydantic import ValidationError

from ocr import FormTemplate
from ocr._define import _flow, _scalar

__all__ = ["SAVED_NOTE", "japanese_problems", "template_yaml"]

SAVED_NOTE = "# Fields saved on the form-definition screen"
KEY_LABELS = {
    "name": "名前",
    "label": "ラベル",
    "heading": "見出し",
    "kind": "種類",
    "x_mm": "左端",
    "y_mm": "上端",
    "width_mm": "幅",
    "height_mm": "高さ",
    "boxes": "枠の数",
    "charset": "文字種",
    "required": "必須",
    "group": "グループ",
    "option": "選択肢",
    "rule": "検査",
    "options": "印刷された選択肢",
    "reading_of": "フリガナが読む氏名",
}
# The validators' English sentences (ocr/_template.py) and what they mean in Japanese.
_SENTENCES = (
    ("needs 'boxes'", "枠の数を指定してください。"),
    ("a date field has", "日付は7枠です（元号1・年2・月2・日2）。"),
    ("'boxes' is only for", "枠の数は「数字」と「日付」の項目だけに指定します。"),
    ("needs 'group' and 'option'", "チェック欄にはグループと選択肢の両方が必要です。"),
    ("'options' are only for", "印刷された選択肢は「○で囲む」項目だけのものです。"),
    ("needs 'options'", "「○で囲む」項目には印刷された選択肢が2つ以上必要です。"),
    ("must differ", "印刷された選択肢の値が重複しています。"),
    ("outside the field's area", "印刷された選択肢が項目の枠の外にあります。"),
    ("overlap", "印刷された選択肢が重なっています。"),
    ("duplicate field names", "項目名が重複しています: {names}"),
    ("checks name fields", "項目間のチェックが使う項目がありません: {names}"),
    (
        "checks name check-box groups",
        "項目間のチェックが使うチェック欄グループがありません: {names}",
    ),
    ("lies outside the page", "項目「{names}」が用紙からはみ出しています。"),
    (
        "has 'reading_of' but is not",
        "「{names}」: フリガナが読む氏名は、検査が person_name のカタカナ項目にだけ指定します。",
    ),
    (
        "which is not a kanji field with",
        "「{names}」: フリガナが読む氏名は、検査が person_name の漢字項目にしてください。",
    ),
)


def _sentence(message: str) -> str:
    for english, japanese in _SENTENCES:
        if english in message:
            return japanese.format(names="、".join(re.findall(r"'([^']*)'", message)))
    return f"内容が正しくありません（{message}）。"


def _message(error: Any) -> str:
    kind, key = error["type"], str(error["loc"][-1]) if error["loc"] else ""
    what = KEY_LABELS.get(key, key)
    context = error.get("ctx") or {}
    if kind == "missing" or (kind == "string_too_short" and key != "options"):
        return f"{what}を入力してください。"
    if kind == "string_pattern_mismatch" and key == "name":
        return "名前は英小文字で始め、英小文字・数字・_ だけで書いてください（例: name_kana）。"
    if kind == "string_too_long":
        return f"{what}が長すぎます（{context.get('max_length')}文字まで）。"
    if kind == "literal_error":
        return f"{what}「{error.get('input')}」は選べません（{context.get('expected')}）。"
    if kind in ("greater_than_equal", "greater_than"):
        return f"{what}は {context.get('ge', context.get('gt'))} 以上にしてください。"
    if kind in ("less_than_equal", "less_than"):
        return f"{what}は {context.get('le', context.get('lt'))} 以下にしてください。"
    if kind.endswith(("_parsing", "_type")) or kind == "finite_number":
        return f"{what}の値が正しくありません。"
    if kind == "extra_forbidden":
        return f"「{key}」という設定はありません。"
    if kind == "too_short" and error["loc"] == ("fields",):
        return "項目が一つもありません。"
    if kind == "too_long":
        return f"{what}が多すぎます（{context.get('max_length')}まで）。"
    return _sentence(str(error["msg"]))


def japanese_problems(exc: ValidationError, fields: list[dict[str, Any]]) -> list[str]:
    """One Japanese line per error of an edited template, naming the field it is about."""
    problems = []
    for error in exc.errors(include_url=False):
        loc = tuple(error["loc"])
        if len(loc) >= 2 and loc[0] == "fields" and isinstance(loc[1], int):
            index = loc[1]
            name = fields[index].get("name") if index < len(fields) else None
            who = f"項目「{name}」" if isinstance(name, str) and name else f"{index + 1}番目の項目"
            problems.append(f"{who}: {_message(error)}")
        else:
            problems.append(_message(error))
    return problems


def _header(previous: str, at: datetime) -> list[str]:
    """The comment lines that opened the previous file (our own note replaced by a new one)."""
    lines = []
    for line in previous.splitlines():
        if not line.startswith("#"):
            break
        if not line.startswith(SAVED_NOTE):
            lines.append(line)
    stamp = at.astimezone().strftime("%Y-%m-%d %H:%M")
    return [*lines, f"{SAVED_NOTE} (確認ステーション) on {stamp}."]


def _pairs(points: tuple[tuple[float, float], ...]) -> str:
    return "[" + ", ".join(f"[{x:g}, {y:g}]" for x, y in points) + "]"


def template_yaml(template: FormTemplate, *, previous: str, at: datetime) -> str:
    """``template`` as YAML: the previous file's opening comments, then one flow mapping per
    printed text and per field. The text is checked to load back as the same template."""
    width, height = template.page_mm
    out = [
        *_header(previous, at),
        f"name: {_scalar(template.name)}",
        f"title: {_scalar(template.title)}",
        f"page_mm: [{width:g}, {height:g}]",
    ]
    if template.marks is not None:
        marks = template.marks
        out += [
            "marks:",
            f"  size_mm: {marks.size_mm:g}",
            f"  centers_mm: {_pairs(marks.centers_mm)}",
        ]
    if template.texts:
        out.append("texts:")
        out += [
            f"  - {_flow(t.model_dump(mode='json', exclude_defaults=True))}" for t in template.texts
        ]
    out.append("fields:")
    out += [
        f"  - {_flow(f.model_dump(mode='json', exclude_defaults=True))}" for f in template.fields
    ]
    checks = template.checks.model_dump(mode="json", exclude_defaults=True)
    text = "\n".join(out) + "\n"
    if checks:
        text += yaml.safe_dump(
            {"checks": checks}, allow_unicode=True, sort_keys=False, default_flow_style=None,
            width=100,
        )  # fmt: skip
    loaded = FormTemplate.model_validate(yaml.safe_load(text))
    if loaded.model_dump(exclude={"thresholds"}) != template.model_dump(exclude={"thresholds"}):
        raise RuntimeError(f"the YAML written for {template.name} does not load back the same")
    return text
