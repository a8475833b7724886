"""From what is printed on a blank (:mod:`ocr._define_layout`, with its text read) to the
fields of a draft template: where each one is, its label, a guessed kind and how sure the
guess is.

A field's label is the printed text of the nearest label cell to its left in the same row
(or above it, or printed beside it outside any table). The kind comes from the cell's shape
first (a row of boxes is digits, a small square a check box, option words between ・ a
circled option, printed 年 月 日 a date), then from keywords of the label (フリガナ →
katakana, 住所 → address …). Every guess the draft cannot back with both is noted for a
person to confirm (``# 確認:`` in the YAML).
"""

from __future__ import annotations

import itertools
import re
import unicodedata
from dataclasses import dataclass, field
from typing import Any

from ocr._define_layout import Layout, Rect, TextLine

__all__ = ["DraftField", "DraftForm", "draft_fields", "normalise_text"]

_ERAS = ("明治", "大正", "昭和", "平成", "令和")
_SEPARATORS = "・･·•"
_NUMBERED = re.compile(r"(?<!\d)\d[.．)）]")
_LABEL_REACH_MM = 40.0  # how far left of a field its label may stand outside a table
_DATE_GAP_MM = 6.0  # room for two handwritten digits between printed 年 and 月
_INSIDE_LABEL = 0.35  # a wide cell whose text fills only this share of its left is a field

# (keywords, name, kind, rule); the first row whose keyword is in the label wins, so
# フリガナ comes before 氏名 (a label "氏名フリガナ" is the reading, not the name).
_KEYWORDS: tuple[tuple[tuple[str, ...], str, str | None, str | None], ...] = (
    (("フリガナ", "ふりがな", "カナ"), "name_kana", "katakana", "person_name"),
    (("個人番号", "マイナンバー"), "my_number", "digits", "my_number"),
    (("郵便番号", "〒"), "postal_code", "digits", "postal_code"),
    (("口座番号",), "account_number", "digits", None),
    (("口座名義",), "account_holder", "katakana", None),
    (("電話", "TEL", "携帯", "連絡先"), "phone", "digits", "phone"),
    (("住所", "所在地", "居所"), "address", "address", None),
    (("生年月日",), "birth_date", "date", None),
    (("届出日", "申請日", "請求日", "年月日"), "date", "date", None),
    (("氏名", "名前"), "name", "kanji", "person_name"),
    (("名称",), "name", "kanji", None),
    (("性別",), "gender", None, None),
    (("続柄",), "relationship", None, None),
    (("預金種目", "種目"), "account_type", None, None),
    (("金融機関",), "bank", None, None),
    (("支店",), "branch", None, None),
    (("受取方法", "受取"), "delivery", None, None),
    (("世帯主",), "householder", None, None),
)


def _pair_readings(drafts: list[DraftField]) -> None:
    """Each フリガナ reads the 氏名 that follows it (the next person name below, before any
    other フリガナ): the draft says so in ``reading_of``."""
    for i, kana in enumerate(drafts):
        if kana.data.get("kind") != "katakana" or kana.data.get("rule") != "person_name":
            continue
        for below in drafts[i + 1 :]:
            if below.data.get("rule") != "person_name":
                continue
            if below.data.get("kind") == "kanji":
                kana.data["reading_of"] = below.data["name"]
            break


def normalise_text(text: str) -> str:
    """Printed text as read, in one form: NFKC (full-width digits and dots), no spaces, and
    one middle dot for the ones OCR confuses (・ ･ ·)."""
    text = unicodedata.normalize("NFKC", text)
    for dot in _SEPARATORS:
        text = text.replace(dot, "・")
    return "".join(text.split())


@dataclass
class DraftField:
    """One field of the draft: the data of a :class:`~ocr._template.FieldSpec` and why."""

    data: dict[str, Any]
    why: str
    doubts: list[str] = field(default_factory=list)
    top: float = 0.0
    left: float = 0.0


@dataclass
class DraftForm:
    """The fields of a draft and the printed texts no field took as its own."""

    fields: list[DraftField]
    texts: list[TextLine]
    title: str


def _keyword(label: str) -> tuple[str | None, str | None, str | None]:
    """(name, kind, rule) for a label, from :data:`_KEYWORDS`; Nones when none matches."""
    for words, name, kind, rule in _KEYWORDS:
        if any(word in label for word in words):
            return name, kind, rule
    return None, None, None


def _mm(value: float) -> float:
    return round(value, 1)


def _rect_data(rect: Rect) -> dict[str, float]:
    return {
        "x_mm": _mm(rect.x0),
        "y_mm": _mm(rect.y0),
        "width_mm": _mm(max(rect.width, 1.0)),
        "height_mm": _mm(max(rect.height, 1.0)),
    }


@dataclass
class _Cell:
    rect: Rect
    lines: list[TextLine]
    squares: list[Rect]

    @property
    def text(self) -> str:
        return "".join(line.text for line in sorted(self.lines, key=lambda t: t.rect.x0))


def _options(cell: _Cell) -> list[dict[str, Any]] | None:
    """The printed options of a cell such as 男・女 or 1.普通 2.当座, each with its box; None
    when the cell holds no such list."""
    options: list[dict[str, Any]] = []
    for line in sorted(cell.lines, key=lambda t: (t.rect.y0, t.rect.x0)):
        text, xs = line.text, line.char_x
        if len(xs) != len(text):
            return None
        starts = [m.start() for m in _NUMBERED.finditer(text)]
        if "・" in text:
            pieces: list[tuple[int, int]] = []
            begin = 0
            for i, char in enumerate(text + "・"):
                if char == "・":
                    pieces.append((begin, i))
                    begin = i + 1
        elif len(starts) >= 2:
            pieces = list(zip(starts, [*starts[1:], len(text)], strict=True))
        else:
            continue
        bounds = [line.rect.x0, *((xs[e - 1] + xs[e]) / 2 for _, e in pieces[:-1] if e < len(xs))]
        bounds.append(line.rect.x1)
        if len(bounds) != len(pieces) + 1:
            return None
        for (begin, end), left, right in zip(pieces, bounds, bounds[1:], strict=False):
            words = text[begin:end]
            if not words:
                return None
            ink = [
                p
                for p in line.parts
                if left <= p.cx <= right
                and not (p.width < 0.35 * line.rect.height and p.height < 0.35 * line.rect.height)
            ]
            if not ink:
                return None
            box = ink[0]
            for p in ink[1:]:
                box = box.union(p)
            value = _NUMBERED.sub("", words, count=1) if _NUMBERED.match(words) else words
            options.append({"value": value or words, "text": words, "box": box})
    if len(options) < 2 or len({o["value"] for o in options}) != len(options):
        return None
    return options


def _option_data(options: list[dict[str, Any]], cell: Rect) -> list[dict[str, Any]]:
    pad = 0.5
    rows = []
    for i, option in enumerate(options):
        box: Rect = option["box"]
        # Room for the circle, not into a neighbour's box or out of the cell.
        left_limit = max(cell.x0, options[i - 1]["box"].x1 + 0.1) if i else cell.x0
        right_limit = (
            min(cell.x1, options[i + 1]["box"].x0 - 0.1) if i + 1 < len(options) else cell.x1
        )
        grown = Rect(
            max(box.x0 - pad, left_limit),
            max(box.y0 - pad, cell.y0),
            min(box.x1 + pad, right_limit),
            min(box.y1 + pad, cell.y1),
        )
        row: dict[str, Any] = {"value": option["value"]}
        if option["text"] != option["value"]:
            row["text"] = option["text"]
        row.update(_rect_data(grown))
        rows.append(row)
    return rows


def _is_date_cell(cell: _Cell) -> bool:
    """Printed 年 月 日 with room to write between them (a label 生年月日 has none)."""
    chars = [
        (x, char) for line in cell.lines for char, x in zip(line.text, line.char_x, strict=False)
    ]
    units = [x for x, char in sorted(chars) if char in "年月日"]
    rest = "".join(char for _, char in chars if char not in "年月日")
    for era in _ERAS:
        rest = rest.replace(era, "")
    spread = all(b - a >= _DATE_GAP_MM for a, b in itertools.pairwise(units))
    return len(units) == 3 and spread and len(rest.replace("・", "")) <= 1


class _Namer:
    def __init__(self) -> None:
        self.used: set[str] = set()
        self.count = 0

    def __call__(self, base: str | None) -> str:
        self.count += 1
        name = base or f"field_{self.count}"
        candidate, n = name, 2
        while candidate in self.used:
            candidate, n = f"{name}_{n}", n + 1
        self.used.add(candidate)
        return candidate


def draft_fields(layout: Layout) -> DraftForm:
    """The draft's fields (top to bottom, left to right) and its remaining printed texts."""
    cells = [_Cell(rect, [], []) for rect in layout.cells]
    free_lines: list[TextLine] = []
    for line in layout.lines:
        home = next((c for c in cells if c.rect.contains(line.rect.cx, line.rect.cy)), None)
        (home.lines if home else free_lines).append(line)
    free_squares: list[Rect] = []
    for square in layout.squares:
        home = next((c for c in cells if c.rect.contains(square.cx, square.cy)), None)
        (home.squares if home else free_squares).append(square)

    used: set[int] = set()  # ids of text lines a field took (label, options, units)
    label_cells: list[_Cell] = []
    work: list[tuple[str, _Cell]] = []
    for cell in cells:
        if cell.squares:
            work.append(("checks", cell))
        elif not cell.lines:
            work.append(("empty", cell))
        elif _options(cell) is not None:
            work.append(("circled", cell))
        elif _is_date_cell(cell):
            work.append(("date", cell))
        elif cell.rect.width >= 40 and (
            max(t.rect.x1 for t in cell.lines) - cell.rect.x0 <= _INSIDE_LABEL * cell.rect.width
        ):
            work.append(("inside", cell))
        else:
            label_cells.append(cell)

    def label_of(rect: Rect) -> tuple[str, list[TextLine]]:
        beside = [
            c for c in label_cells if c.rect.v_overlap(rect) >= 0.6 and c.rect.x1 <= rect.x0 + 1
        ]
        if beside:
            cell = max(beside, key=lambda c: c.rect.x1)
            return cell.text, cell.lines
        above = [
            c
            for c in label_cells
            if c.rect.y1 <= rect.y0 + 1
            and rect.y0 - c.rect.y1 < 15
            and min(c.rect.x1, rect.x1) - max(c.rect.x0, rect.x0)
            > 0.5 * min(c.rect.width, rect.width)
        ]
        if above:
            cell = max(above, key=lambda c: c.rect.y1)
            return cell.text, cell.lines
        near = [
            t
            for t in free_lines
            if t.rect.v_overlap(rect) >= 0.5 and 0 <= rect.x0 - t.rect.x1 <= _LABEL_REACH_MM
        ]
        if near:
            line = max(near, key=lambda t: t.rect.x1)
            return line.text, [line]
        return "", []

    namer = _Namer()
    drafts: list[DraftField] = []

    def add(data: dict[str, Any], rect: Rect, why: str, doubts: list[str]) -> None:
        drafts.append(DraftField(data, why, doubts, top=rect.y0, left=rect.x0))

    for kind, cell in work:
        if kind == "checks":
            continue  # with the free check boxes below
        label, label_lines = label_of(cell.rect)
        used.update(id(t) for t in label_lines)
        key_name, key_kind, key_rule = _keyword(label)
        doubts: list[str] = []
        if not label:
            doubts.append("ラベルが見つかりません（名前と種類を確認）")
        rect = cell.rect
        data: dict[str, Any] = {}
        if kind == "circled":
            options = _options(cell) or []
            used.update(id(t) for t in cell.lines)
            era = all(o["value"] in _ERAS for o in options)
            base = key_name if key_kind in (None, "date") else None
            name = namer(f"{base}_era" if era and base else base if not era else "era")
            data = {
                "name": name,
                "label": label,
                "kind": "circled",
                "options": _option_data(options, rect),
            }
            why = "・ または番号で区切られた選択肢（○で囲む）"
        elif kind == "date":
            used.update(id(t) for t in cell.lines)
            data = {
                "name": namer(key_name if key_kind == "date" else "date"),
                "label": label,
                "kind": "date",
                "boxes": 7,
            }
            why = "年 月 日 が印刷されたセル"
            doubts.append(
                "年・月・日の間に手書きする欄を、元号コード・年2・月2・日2の"
                "7つの等幅の枠として置いた: 枠の位置を印刷に合わせて確認"
            )
        else:
            if kind == "inside":
                inner = sorted(cell.lines, key=lambda t: t.rect.x0)
                label = label or "".join(t.text for t in inner)
                used.update(id(t) for t in inner)
                key_name, key_kind, key_rule = _keyword(label)
                rect = Rect(max(t.rect.x1 for t in inner) + 1.0, rect.y0, rect.x1, rect.y1)
                doubts = [] if label else doubts
            data = {"name": namer(key_name), "label": label}
            if key_kind == "digits":
                data.update(kind="digits", boxes=11 if key_rule == "phone" else 10)
                if key_rule:
                    data["rule"] = key_rule
                why = f"空欄のセル、ラベル「{label}」から数字"
                doubts.append("枠のない欄に自由に書く数字を等幅の枠として置いた: 枠の数を確認")
            elif key_kind == "date":
                data.update(kind="date", boxes=7)
                why = f"空欄のセル、ラベル「{label}」から日付"
                doubts.append("年 月 日 の印刷が見つかりません: 7つの枠（元号・年・月・日）を確認")
            elif key_kind is not None:
                data["kind"] = key_kind
                if key_rule:  # person_name: 氏名 and フリガナ
                    data["rule"] = key_rule
                why = f"空欄のセル、ラベル「{label}」から"
            else:
                data["kind"] = "kanji"
                why = "空欄のセル"
                doubts.append("ラベルから種類が分からないため漢字（自由記述）とした")
        data.update(_rect_data(rect))
        add(data, rect, why, doubts)

    for run in layout.runs:
        rect = run[0].union(run[-1])
        label, label_lines = label_of(rect)
        used.update(id(t) for t in label_lines)
        key_name, key_kind, key_rule = _keyword(label)
        doubts = []
        count = len(run)
        data = {"name": "", "label": label, "kind": "digits", "boxes": count}
        rule = key_rule if key_kind == "digits" else None
        if count == 12 and rule is None:
            rule = "my_number"
            doubts.append("12の枠: 個人番号と推定（ラベルを確認）")
        if count == 7 and rule is None and key_name != "account_number":
            doubts.append("7つの枠: 郵便番号か口座番号か確認")
        if key_kind == "date" and count == 7:
            data["kind"] = "date"
        if rule == "postal_code" and count != 7:
            rule = None
        if rule is not None and data["kind"] == "digits":
            data["rule"] = rule
        base = key_name if key_kind in ("digits", "date") else None
        data["name"] = namer(base or ("my_number" if rule == "my_number" else None))
        if not label:
            doubts.append("ラベルが見つかりません（名前を確認）")
        data.update(_rect_data(rect))
        add(data, rect, f"{count}個の同じ大きさの枠", doubts)

    checks: list[tuple[Rect, _Cell | None]] = [
        (square, cell) for what, cell in work if what == "checks" for square in cell.squares
    ]
    checks += [(square, None) for square in free_squares]
    group_members: dict[str, int] = {}
    for square, home in sorted(checks, key=lambda p: (p[0].y0, p[0].x0)):
        pool = home.lines if home else free_lines
        beside = [
            t
            for t in pool
            if t.rect.v_overlap(square) >= 0.5 and -0.5 <= t.rect.x0 - square.x1 <= 15
        ]
        option_line = min(beside, key=lambda t: t.rect.x0) if beside else None
        option = option_line.text if option_line else ""
        if option_line:
            used.add(id(option_line))
        label, label_lines = label_of(home.rect) if home else ("", [])
        used.update(id(t) for t in label_lines)
        key_name = _keyword(label)[0] if label else None
        doubts = [] if option else ["選択肢の文字が見つかりません"]
        if home is None or not label:
            name = group_name = namer("check")  # a box on its own
        else:
            group_name = key_name or f"group_{len(group_members) + 1}"
            group_members[group_name] = group_members.get(group_name, 0) + 1
            name = namer(f"{group_name}_{group_members[group_name]}")
        data = {
            "name": name,
            "label": label or option,
            "kind": "checkbox",
            "group": group_name,
            "option": option or name,
        }
        data.update(_rect_data(square))
        add(data, square, "小さな正方形（チェック欄）", doubts)

    drafts.sort(key=lambda d: (round(d.top), d.left))
    _pair_readings(drafts)
    texts = [t for t in layout.lines if id(t) not in used and t.text]
    top = [t for t in layout.lines if t.text and t.rect.y1 < layout.page_mm[1] / 3]
    title = max(top, key=lambda t: t.rect.height).text if top else ""
    return DraftForm(fields=drafts, texts=texts, title=title)
