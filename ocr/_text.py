"""Clean-ups of a line of text after decoding, and what they mean for its confidence.

Handwriting leaves some choices to rules rather than to the model: a dash between numbers of
an address is －, a character between two katakana of an address is katakana. A character's
confidence then counts every reading the rules write the same way. No rule turns a large kana
into a small one by spelling (ミユ and イツキ are names as written): that choice is the
glyph's, by its size and place against its neighbours (:func:`kana_sizes`), except where no
small kana can stand at all (ダィスケ, マッダ: :mod:`ocr._kana_syllables`).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import replace
from typing import NamedTuple

import numpy as np

from core.kana import to_fullwidth
from core.text import nfkc
from ocr._kana_model import ink_owners
from ocr._kana_syllables import small_can_stand
from ocr._pages import Page
from ocr._ppocr import Recognition

__all__ = [
    "PAIRED_SIZES",
    "GlyphBox",
    "folded",
    "gaps_are_spaces",
    "glyph_boxes",
    "has_variant_form",
    "kana_context",
    "kana_sizes",
    "text_value",
    "widest_glyph",
]

# Old and variant forms (旧字体・異体字) a name or address may really be written in, beside the
# usual form the same hand most often means: 惠/恵, 髙/高, 﨑/崎, 邊・邉/辺, 澤/沢, 齋・齊/斎 …
# They differ by a stroke or two, which handwriting does not settle: a person chooses.
_VARIANT_FORMS = frozenset(
    "惠髙﨑邊邉澤齋齊濱廣國櫻龍瀨嶋冨德眞實壽榮與淺彌藏條黑曾增傳圓團學樂萬縣豐禮靜鐵驛"
    "滿廳來勞歸氣總聰檢澁淸爲晉讓戶敎莊鄕穗徵"
)

_DASHES = "ー-‐−一－"
_KANA_CONTEXT = 0.05  # the least probability of a katakana the script context may choose
_LARGE_OF = dict(zip("ァィゥェォャュョッヮヵヶ", "アイウエオヤユヨツワカケ", strict=True))
#: Each small kana and its large form, both ways (ュ ユ, ッ ツ).
PAIRED_SIZES = {**_LARGE_OF, **{large: small for small, large in _LARGE_OF.items()}}
# Not references for a glyph's expected size: flat or short by shape (ー ニ ヘ), or small.
_NOT_REFERENCE = frozenset("ーニヘ ") | frozenset(_LARGE_OF)
# A glyph is judged against the median katakana of its line. Handwriting overlaps a lot
# (a large ユ is as short as a small ュ, a small ャ as wide as a large one), so only clear
# cases decide. Where the glyph's middle sits tells them apart best (a small kana sits on the
# line, a short large one such as エ in its middle): on 6561 paired kana by the calibration
# stroke writers, a small kana's middle is 0.13–0.53 of the line's height below its
# neighbours' (5th–99th percentile), a large one's −0.19–0.19.
_SMALL_TALL, _SMALL_SIZE, _SMALL_BELOW = 0.8, 0.82, 0.2  # short, small, and low on the line
_TINY, _TINY_BELOW = 0.7, 0.05  # or much smaller and a little low (a font's ョ)
_LARGE_SIZE, _LARGE_BELOW = 0.75, 0.15  # not much smaller than the others, not low
_LARGE_TALL = 0.7  # and not short, unless flat by shape: a large エ or ユ often is
_FLAT = frozenset("エェユュ")
# ヶ and ヵ are written between kanji (金井ヶ丘, 一ヵ月) at whatever size the writer likes:
# the glyph does not tell them from ケ and カ.
_ANY_SIZE = frozenset("ヵヶ")
# A font's small kana can be nearly as big as a large one and sit only a little low: a glyph
# judged large vouches for a large reading only when it is as tall and big as the others.
_SURE_LARGE, _SURE_BELOW = 0.9, 0.1
_OVERRULED = 0.5  # the most a character is worth when its glyph contradicts the model
_NO_WORD = 0.2  # the most a character is worth where no word has it (ン beginning a word)


def _address_dashes(text: str) -> str:
    """A dash between numbers (5－23) is full-width －; after kana it is the long vowel ー."""
    out = []
    for i, char in enumerate(text):
        if char in _DASHES:
            before = text[i - 1] if i else ""
            after = text[i + 1] if i + 1 < len(text) else ""
            kana = "\u30a1" <= before <= "\u30fa" or before == "ー"
            if char == "一":  # the kanji for one (一丁目) is a dash only between numbers
                char = "－" if before.isdigit() and after.isdigit() else char
            else:
                char = "ー" if kana and not after.isdigit() else "－"
        out.append(char)
    return "".join(out)


def _katakana(char: str) -> bool:
    return "\u30a1" <= char <= "\u30fa" or char == "ー"


#: Where a house number written in kanji ends, a building's name may begin (２１号ロイヤル…).
_HOUSE_NUMBER_ENDS = ("号", "番地")


def _begins_katakana_word(written: str, after: str) -> bool:
    """Whether a character after ``written`` and before ``after`` stands where a katakana
    word begins: after nothing written, a space, a number or the 号 or 番地 that ends one,
    and before a katakana that can follow a word's first character."""
    before = written[-1:]
    opens = (
        not before
        or before.isspace()
        or nfkc(before).isdigit()
        or written.endswith(_HOUSE_NUMBER_ENDS)
    )
    return opens and bool(after) and _katakana(after) and after not in "ヶヵ"


def _letter(char: str) -> bool:
    """A katakana that says its word goes on: not ー (also a dash) and not ヶ (金井ヶ丘 is
    written between kanji)."""
    return _katakana(char) and char not in "ーヶヵ"


def kana_context(found: Recognition) -> Recognition:
    """In an address, a kanji or hiragana between two katakana, or a hiragana before a small
    katakana, is read as the likeliest katakana the model saw there (…コーポ, not …コ一ポ;
    フォレスト, not つォレスト), if that katakana had a fair chance (``_KANA_CONTEXT``).
    So is a digit between two katakana letters (ロイヤル, not ロ１ヤル), and a character that
    begins a katakana word after a number, a space, 号 or 番地 (２ロイヤル, not ２口イヤル;
    ２６エクセル, not ２６工クセル; ２１号ロイヤル): a building's name. Its confidence is then
    its share of the katakana seen there. No word begins with ン: read there (４ンヒルズ for
    サンヒルズ), it is worth at most ``_NO_WORD``, so a person looks."""
    text, alternatives = found.text, found.char_alternatives
    if len(alternatives) != len(text):
        return found
    chars, confidences, kept = list(text), list(found.char_confidences), list(alternatives)
    for i, char in enumerate(text):
        before, after = text[i - 1 : i], text[i + 1 : i + 2]
        if char == "ン" and _begins_katakana_word(text[:i], after):
            confidences[i] = min(confidences[i], _NO_WORD)
            continue
        digit = nfkc(char).isdigit()
        if digit:
            if not (_letter(before) and _letter(after)):
                continue
        elif char < "\u3040" or _katakana(char):
            continue
        # ヶ (金井ヶ丘) is written between kanji: it says nothing about its neighbours.
        between = (
            all(_katakana(c) and c not in "ヶヵ" for c in (before, after) if c)
            and bool(before)
            and bool(after)
        )
        begins = not digit and _begins_katakana_word(text[:i], after)
        if not (between or begins) and not (
            char <= "\u309f" and after and after in "ァィゥェォャュョ"
        ):
            continue
        kana = [(c, p) for c, p in alternatives[i] if _katakana(c) and not (digit and c == "ー")]
        if begins and not between:  # no word begins with ー or a small kana
            kana = [(c, p) for c, p in kana if c != "ー" and c not in _LARGE_OF]
        if not kana or kana[0][1] < _KANA_CONTEXT:
            continue
        total = sum(p for _, p in kana)
        chars[i], confidences[i] = kana[0][0], kana[0][1] / total
        kept[i] = tuple((c, p / total) for c, p in kana)
    return replace(
        found,
        text="".join(chars),
        char_confidences=tuple(confidences),
        char_alternatives=tuple(kept),
    )


_REWRITE: dict[str, Callable[[str], str]] = {"address": _address_dashes}


class GlyphBox(NamedTuple):
    """Where one character's ink is on a line, in px."""

    top: float
    height: float
    left: float
    width: float


def glyph_boxes(line: Page, positions: Sequence[float]) -> list[GlyphBox | None]:
    """Each character's ink box, or ``None`` where it has none.

    A pixel of ink belongs to the character read nearest to it along the line (the engine
    gives where each character was read, not its box).
    """
    if not positions:
        return []
    height, width = line.shape
    ink = (line < 128).astype(np.uint8)
    owner = ink_owners(ink, np.asarray(positions, dtype=np.float64) * width)
    out: list[GlyphBox | None] = []
    for i in range(len(positions)):
        ys, xs = np.nonzero(owner == i)
        if len(ys) < max(4, height // 4):
            out.append(None)
            continue
        top, bottom = np.percentile(ys, [1, 99])
        left, right = np.percentile(xs, [1, 99])
        out.append(
            GlyphBox(float(top), float(bottom - top + 1), float(left), float(right - left + 1))
        )
    return out


def widest_glyph(found: Recognition, line: Page) -> float:
    """How many times as wide as the median of the others the widest character's ink is on
    the line (spaces left out; 0.0 without positions or with fewer than three characters).

    A character the reader left out leaves its ink to a neighbour (松本　一輝 read 松本　一:
    the 一 owns 輝's ink too, twice as wide as 松 or 本).
    """
    if len(found.positions) != len(found.text) or len("".join(found.text.split())) < 3:
        return 0.0
    boxes = glyph_boxes(line, found.positions)
    widths = [b.width for b, c in zip(boxes, found.text, strict=True) if b and not c.isspace()]
    if len(widths) < 3:
        return 0.0
    widest = max(range(len(widths)), key=widths.__getitem__)
    others = widths[:widest] + widths[widest + 1 :]
    return widths[widest] / float(np.median(others))


def _written_small(i: int, text: str, extents: list[GlyphBox | None]) -> tuple[bool | None, bool]:
    """Whether character ``i`` was written small, from its size and height on the line
    against the other characters' (``None``: the glyph does not say clearly), and whether
    the glyph is sure enough to vouch for a reading that agrees with it."""
    own = extents[i]
    others = [
        e
        for j, e in enumerate(extents)
        if j != i and e is not None and _katakana(text[j]) and text[j] not in _NOT_REFERENCE
    ]
    if own is None or len(others) < 2 or text[i] in _ANY_SIZE:
        return None, False
    top, height, _, width = own
    ref_top = float(np.median([e.top for e in others]))
    ref_height = float(np.median([e.height for e in others]))
    ref_width = float(np.median([e.width for e in others]))
    tall, wide = height / ref_height, width / ref_width
    size = (tall * wide) ** 0.5
    below = (top + height / 2 - ref_top - ref_height / 2) / ref_height
    if (tall <= _SMALL_TALL and size <= _SMALL_SIZE and below >= _SMALL_BELOW) or (
        max(tall, size) <= _TINY and below >= _TINY_BELOW
    ):
        return True, True
    not_short = tall >= _LARGE_TALL or text[i] in _FLAT
    if size >= _LARGE_SIZE and below <= _LARGE_BELOW and not_short:
        return False, min(tall, size) >= _SURE_LARGE and below <= _SURE_BELOW
    return None, False


def kana_sizes(found: Recognition, line: Page, *, person_name: bool = False) -> Recognition:
    """Small or large kana (ュ or ユ, ッ or ツ) as the glyph was written, not as spelling
    suggests: its size and height against its neighbours on the line decide.

    Where no small kana can stand (a word's beginning, ィ after ヘ, ャ after マ, ッ before
    ダ in a person's name: :func:`ocr._kana_syllables.small_can_stand`), the character is
    the large one, as sure as the pair; a large kana is never made small by spelling.

    Where the glyph surely agrees with the model, the character is as sure as the pair (ュ
    and ユ together); where it clearly contradicts it, the glyph's choice is kept but worth
    at most ``_OVERRULED``, so a person looks. Where it does not say clearly, the model's reading
    stands with its own probability, and a small kana (the model reads large ones small far
    more often than the reverse) is worth at most ``_OVERRULED`` too, as every small kana
    is when the engine gives no positions (Tesseract).
    """
    text = found.text
    if not any(char in PAIRED_SIZES for char in text):
        return found
    extents: list[GlyphBox | None] = [None] * len(text)
    if len(found.positions) == len(text):
        extents = glyph_boxes(line, found.positions)
    alternatives = (
        found.char_alternatives
        if len(found.char_alternatives) == len(text)
        else tuple(((char, p),) for char, p in zip(text, found.char_confidences, strict=True))
    )
    chars, confidences = list(text), list(found.char_confidences)
    for i, char in enumerate(text):
        other = PAIRED_SIZES.get(char)
        if other is None:
            continue
        pair = sum(p for c, p in alternatives[i] if c in (char, other))
        small_form = char if char in _LARGE_OF else other
        before, after = (chars[i - 1] if i else ""), text[i + 1 : i + 2]
        if not small_can_stand(before, small_form, after, name=person_name):
            # No word begins with a small kana (２０ェクセル, ョウコ), nor does one follow a
            # kana it makes no syllable with (ダィスケ, マュミ): it is the large one.
            chars[i] = _LARGE_OF[small_form]
            confidences[i] = min(1.0, pair)
            continue
        small, sure = _written_small(i, text, extents)
        if small is None:
            if char in _LARGE_OF:  # the model often reads a large kana small (ヤ as ャ)
                confidences[i] = min(confidences[i], _OVERRULED)
            continue
        if small == (char in _LARGE_OF):
            if sure:
                confidences[i] = max(confidences[i], min(1.0, pair))
        else:
            chars[i] = other
            confidences[i] = min(pair, _OVERRULED)
    return replace(found, text="".join(chars), char_confidences=tuple(confidences))


def folded(found: Recognition, kind: str) -> tuple[float, ...]:
    """Each character's confidence as the probability of every reading the kind's rules
    write the same way: the choice between 一, ー and － between two numbers of an address
    is one character."""
    rewrite = _REWRITE.get(kind)
    text = found.text
    if rewrite is None or len(found.char_alternatives) != len(text):
        return found.char_confidences
    final = rewrite(text)
    if len(final) != len(text):
        return found.char_confidences
    out = []
    for i, (alternatives, own) in enumerate(
        zip(found.char_alternatives, found.char_confidences, strict=True)
    ):
        # Other readings the rules write the same way add to the character's own share.
        same = sum(
            p
            for char, p in alternatives
            if char != text[i] and rewrite(text[:i] + char + text[i + 1 :])[i] == final[i]
        )
        out.append(min(1.0, own + same))
    return tuple(out)


def has_variant_form(text: str) -> bool:
    """True if ``text`` holds an old or variant kanji form (惠, 髙, 﨑, 邊 …): whether the
    writer meant it or the usual form is for a person to see, not for the reader to guess."""
    return not _VARIANT_FORMS.isdisjoint(text)


def text_value(kind: str, text: str) -> str:
    rewrite = _REWRITE.get(kind)
    if rewrite is not None:
        text = rewrite(text)
    words = text.split()
    if kind == "address":
        return _address_dashes(to_fullwidth(nfkc("".join(words)))).replace("\u3000", "")
    return "\u3000".join(words)


def gaps_are_spaces(found: Recognition, line: Page) -> Recognition:
    """A long-vowel mark ー read where the line holds no ink is the gap between two words."""
    if "ー" not in found.text or len(found.positions) != len(found.text):
        return found
    height, width = line.shape
    band = max(2, round(height * 0.25))
    chars = list(found.text)
    for i, (char, where) in enumerate(zip(found.text, found.positions, strict=True)):
        x = round(where * width)
        column = line[:, max(0, x - band) : x + band + 1]
        if char == "ー" and column.size and (column < 128).mean() < 0.004:
            chars[i] = " "
    return replace(found, text="".join(chars))
