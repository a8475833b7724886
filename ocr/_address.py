"""Addresses that hold up: the area checked against the postal table, the house number read
again under its own charset.

A handwritten address is read as one line. That line is split where the town name ends,
found by matching its start against the national postal table's prefecture, city and town
names (a character or two off is tolerated: the closest town of the postal code's areas
when the form has a postal code, else of the city). What follows the town — the house
number (番地) and perhaps a building — is cut out of the line and read again under a charset
of digits, 丁目 番 地 号 の and hyphens only, so that a ７ cannot become ワ. A building name
after the number keeps its first reading, but where it repeats a word of its town (サンハイツ
川口 in 川口町) that word is read as the table writes it (:func:`building_by_town`), and the
word that says what kind of building it is (メゾン, コーポ) is weighed against the words
buildings are named with (:func:`building_words`).

The confidence of the whole is the least of its parts' (area, house number, building); an
address whose town is not in the table, or whose house number is missing or not read
surely, goes to a person with a Japanese reason. So does one whose house number is
followed, after a gap, by more digits (a lost hyphen and a room number look the same there),
or is not written as a house number is (丁 without 目, 地 without 番, characters between the
town and the number that its second reading left out).
"""

from __future__ import annotations

import itertools
import re
import statistics
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from functools import lru_cache

from core.kana import is_katakana
from core.text import edit_distance, nfkc
from ocr._constrain import postal_areas, towns_by_city
from ocr._engines import DIGITS
from ocr._name_lexicon import weigh_word
from ocr._ppocr import Recognition
from ocr._text import PAIRED_SIZES

__all__ = [
    "BUILDING_WORDS",
    "HOUSE_CHARSET",
    "HOUSE_SURE",
    "LEFT_OUT",
    "NO_HOUSE",
    "NO_TOWN",
    "ODD_HOUSE",
    "SPLIT_HOUSE",
    "UNSURE_HOUSE",
    "TownMatch",
    "building_by_town",
    "building_words",
    "house_agreement",
    "house_confidences",
    "house_doubts",
    "house_is_odd",
    "house_span",
    "left_out_after_town",
    "match_town",
]

_WIDE_DIGITS = "０１２３４５６７８９"
#: What a house number part may hold: digits of both widths, 丁目 番 番地 号 の, hyphens,
#: kanji numerals (一丁目) and the room words of a number written without a building name.
HOUSE_CHARSET = DIGITS + _WIDE_DIGITS + "丁目番地号の-－ー一二三四五六七八九十室階棟F"
#: A house number read less surely than this goes to a person, whatever the kind's threshold.
HOUSE_SURE = 0.9
NO_TOWN = "町名が郵便番号の一覧にありません"
NO_HOUSE = "番地が読み取れません"
UNSURE_HOUSE = "番地の読み取りが確かではありません"
#: Digits after a gap in the house number: a hyphen the reader lost (３－２０ １８ for
#: ３－２０－１８) or a room number after a space; joined, they would be one wrong number.
#: Also the same digits grouped otherwise by the line's reading and the house number's
#: second one (３－３０－１ and ３－３０１, read so at 0.99 on a calibration form).
SPLIT_HOUSE = "番地の区切り（－や空白）が読めません"
#: A house number not written as people write one: 丁 without 目, 地 without 番, 丁目 … 号
#: without 番 (a character dropped or misread: ５丁８１３番, １１２２地２６, ６丁目１８２０号),
#: or characters between the town and the number that its second reading left out (田名塩田
#: read as 田名 and 塩由, the town a character off and 塩由 no house number).
ODD_HOUSE = "番地の書き方が読み取れません（丁目・番地・号）"
_ODD_WORDS = re.compile("丁(?!目)|(?<!丁)目|(?<![番団])地")
#: A character the reader may have left out after the town (:func:`left_out_after_town`): a
#: small kana squeezed between two others (シャトー read シトー, フォレスト read フレスト), a hyphen
#: between two numbers. No character of the reading is doubted there, so its confidence does
#: not show it.
LEFT_OUT = "読み落とした文字があるかもしれません（字の間）"

_MOST = 2  # characters of the area part (prefecture + city + town) the reader may have wrong
_STREET = frozenset(HOUSE_CHARSET) | frozenset("‐−")
_DASHES = frozenset("-－ー‐−一—")  # a hyphen in a house number, however it was read
_GAP = 1.4  # a step between characters this many times the usual one is a written space


def house_confidences(found: Recognition) -> tuple[float, ...]:
    """Each character's confidence counting every reading of the same meaning as one: both
    widths of a digit (７ and 7) and every dash (－ ー - 一)."""
    if len(found.char_alternatives) != len(found.text):
        return found.char_confidences
    out = []
    for char, alternatives in zip(found.text, found.char_alternatives, strict=True):
        same = _meaning(char)
        out.append(min(1.0, sum(p for c, p in alternatives if _meaning(c) == same)))
    return tuple(out)


def house_agreement(
    first: str, first_alternatives: Sequence[Sequence[tuple[str, float]]], house: str
) -> float:
    """How sure the line's first reading leaves the house number read again: where both hold
    as many digits but differ in one, the first reading's probability of the digit read
    again (１５９番地 read ７５９ again, the first reading giving ７ 0.05: accepted at 0.97).
    The two readings agreed on every digit of 466 calibration addresses; where they do not,
    a person decides. 1.0 where they agree, or where the reading again holds more digits than
    a line that read something else as well (a ７ the line read as ワ: what the second reading
    is for). 0.0 where a line read as a house number and nothing else holds another count of
    digits than the reading again (２４６５ read ２４５ again, ６丁目 read １６丁目): one of
    the two lost or invented a digit, and which one is not known."""
    if len(first_alternatives) != len(first):
        return 1.0
    written = [(c, alts) for c, alts in zip(first, first_alternatives, strict=True)
               if nfkc(c).isdigit()]
    again = [nfkc(c) for c in house if nfkc(c).isdigit()]
    if len(written) != len(again):
        return 0.0 if all(c in _STREET or c.isspace() for c in first) else 1.0
    sure = 1.0
    for (char, alternatives), digit in zip(written, again, strict=True):
        if nfkc(char) != digit:
            sure = min(sure, sum(p for c, p in alternatives if nfkc(c) == digit))
    return min(1.0, sure)


def _meaning(char: str) -> str:
    return "-" if char in _DASHES else nfkc(char)


@dataclass(frozen=True)
class TownMatch:
    """Where the area part of a read address ends and how the table writes it.

    ``area`` is prefecture + city + town as the table writes them (without the prefecture
    when the address was written without it); ``end`` is the index in the read text just
    after the town; ``changed`` how many characters of the read area differ from ``area``;
    ``by_postal`` whether the area came from the postal code's list.
    """

    area: str
    end: int
    changed: int
    by_postal: bool


def _comparable(text: str) -> tuple[str, list[int]]:
    """``text`` folded for comparison (NFKC, ヶ as ケ, no spaces) and, for each folded
    character, its index in ``text``."""
    chars, where = [], []
    for i, char in enumerate(text):
        for folded in nfkc(char).replace("ヶ", "ケ").replace("ヵ", "カ"):
            if not folded.isspace():
                chars.append(folded)
                where.append(i)
    return "".join(chars), where


@lru_cache(maxsize=1)
def _cities() -> dict[tuple[str, str], Sequence[str]]:
    """Every (prefecture, city) of the table → its town names (``""``: the city's catch-all)."""
    return {key: tuple(sorted({town for town, _ in found}))
            for key, found in towns_by_city().items()}


def _prefix(text: str, start: int, name: str, most: int) -> tuple[int, int] | None:
    """The closest prefix of ``text[start:]`` to ``name``: (distance, its end), or ``None``
    when none is within ``most``. A tie goes to the prefix as long as the name."""
    name = name.replace("ヶ", "ケ").replace("ヵ", "カ")
    best: tuple[int, int, int] | None = None
    for length in range(max(1, len(name) - most), len(name) + most + 1):
        if start + length > len(text):
            break
        found = edit_distance(text[start : start + length], name)
        key = (found, abs(length - len(name)), start + length)
        if found <= most and (best is None or key < best):
            best = key
    return None if best is None else (best[0], best[2])


def _towns(
    text: str, start: int, towns: Sequence[str], most: int, *, few: bool
) -> tuple[int, int, str] | None:
    """The best town of ``towns`` at ``text[start:]``: (distance, end, town). Fewer errors
    first, then the longer name (本町通 before 本町); a catch-all (``""``) only for a city
    without named towns. A short name may be a character off only among ``few`` towns
    (a postal code's), not among all of a city's."""
    best: tuple[int, int, int, str] | None = None
    for town in towns:
        if not town:
            continue
        found = _prefix(text, start, town, min(most, 1 if few else len(town) // 3))
        if found is not None:
            key = (found[0], -len(town), found[1], town)
            if best is None or key < best:
                best = key
    if best is not None:
        return best[0], best[2], best[3]
    if towns and all(not town for town in towns):
        return 0, start, ""
    return None


def _match_in(
    text: str, cities: Mapping[tuple[str, str], Sequence[str]], *, few: bool = False
) -> tuple[int, int, str] | None:
    """The closest area of ``cities`` ((prefecture, city) → towns) at the start of ``text``:
    (characters changed, end of the town, the area as the table writes it)."""
    best: tuple[int, int, str] | None = None
    for (prefecture, city), towns in cities.items():
        starts = [(0, 0, "")]  # written without the prefecture
        if (pref := _prefix(text, 0, prefecture, 1)) is not None:
            starts.insert(0, (pref[0], pref[1], prefecture))
        for pref_changed, after_pref, written_pref in starts:
            found_city = _prefix(text, after_pref, city, min(1, _MOST - pref_changed))
            if found_city is None:
                continue
            so_far = pref_changed + found_city[0]
            town = _towns(text, found_city[1], towns, _MOST - so_far, few=few)
            if town is None:
                continue
            changed = so_far + town[0]
            if best is None or (changed, -town[1]) < (best[0], -best[1]):
                best = (changed, town[1], written_pref + city + town[2])
            break  # the prefecture as written is the better start when it matched
    return best


def match_town(text: str, *, postal_code: str | None = None) -> TownMatch | None:
    """Where the town name of the read address ``text`` ends, checked against the table.

    With a ``postal_code`` (7 digits) its areas are tried first; else, or when none is
    close, the city the address names and that city's towns. ``None`` when no town of the
    table is within a couple of characters of what was read.
    """
    folded, where = _comparable(text)
    if not folded:
        return None
    cities = _cities()
    if postal_code and len(postal_code) == 7 and postal_code.isdigit():
        # A city's catch-all code vouches for no town where the city has named towns.
        own: dict[tuple[str, str], list[str]] = {}
        for pref, city, town in postal_areas().get(postal_code, ()):
            if town or not any(cities[pref, city]):
                own.setdefault((pref, city), []).append(town)
        by_code = _match_in(folded, own, few=True)
        if by_code is not None:
            return _match(by_code, where, len(text), by_postal=True)
    written = sorted(
        (at, p) for p in {p for p, _ in cities} if (at := _prefix(folded, 0, p, 1)) is not None
    )
    prefecture: str | None = written[0][1] if written else None
    head = folded[len(prefecture) - 1 : len(prefecture) + 3] if prefecture else folded[:4]
    near = {
        key: towns
        for key, towns in cities.items()
        if (key[0] == prefecture if prefecture else key[1][:1] in head or key[1][1:2] in head)
    }
    found = _match_in(folded, near)
    return None if found is None else _match(found, where, len(text), by_postal=False)


def _match(
    found: tuple[int, int, str], where: list[int], length: int, *, by_postal: bool
) -> TownMatch:
    changed, end, area = found
    return TownMatch(area, where[end] if end < len(where) else length, changed, by_postal)


def house_doubts(first: str, house: str, rest: str) -> list[str]:
    """Reasons the house number, though read, may not be what was written: ``first`` is it
    as the line was read, ``house`` as read again under its charset, ``rest`` what follows it
    (a building's name, where the 地 of a misread 番地 may land)."""
    doubts = []
    last = nfkc(house.rstrip()[-1:])
    if (last.isdigit() or last in _DASHES) and nfkc(rest.lstrip()[:1]).isdigit():
        doubts.append(SPLIT_HOUSE)  # ３－２０ １８, or ３－ then ３０１ after a wide gap
    elif _digit_groups(first) != _digit_groups(house) and _digits(first) == _digits(house):
        # The same digits grouped otherwise by the two readings (３－３０－１ and ３－３０１):
        # one of them lost or invented a hyphen, and which one is not known.
        doubts.append(SPLIT_HOUSE)
    if house_is_odd(first, house, rest):
        doubts.append(ODD_HOUSE)
    return doubts


def _digit_groups(text: str) -> list[str]:
    return re.findall(r"[0-9]+", nfkc(text))


def _digits(text: str) -> str:
    return "".join(_digit_groups(text))


def house_is_odd(first: str, house: str, rest: str) -> bool:
    """Whether a house number is not written as one is (see :data:`ODD_HOUSE`); the
    arguments as for :func:`house_doubts`."""
    leading = next((char for char in first if not char.isspace()), "")
    if leading and leading not in _STREET and not nfkc(leading).isdigit():
        return True  # the town is longer than the one matched, or the number starts oddly
    if _ODD_WORDS.search(house + rest.lstrip()[:2]):
        return True
    return "丁目" in house and "号" in house and "番" not in house


def left_out_after_town(
    found: Recognition, town_end: int, house_end: int, again: Recognition | None
) -> float:
    """How likely the likeliest character the reader left out after the town is
    (:attr:`~ocr._ppocr.Recognition.left_out`): in the house number ``found.text[town_end:
    house_end]`` as read again (``again``, where it was) and in the building's name after it.

    Before the town's end nothing counts: the postal table writes the area. 0.0 without
    positions (Tesseract)."""
    positions = found.positions
    if len(positions) != len(found.text) or not positions:
        return 0.0
    after_town = positions[town_end - 1] if town_end else 0.0
    after_house = positions[house_end - 1] if house_end else 0.0
    house = (
        [p for _, p in again.left_out]
        if again is not None
        else [p for at, p in found.left_out if after_town < at <= after_house]
    )
    building = [p for at, p in found.left_out if at > after_house]
    return max(house + building, default=0.0)


def house_span(text: str, start: int, positions: Sequence[float] = ()) -> int:
    """Where the house number that begins at ``text[start]`` ends (exclusive).

    It runs over characters a house number holds; one stray character between two such
    (a ７ read as ワ in １－ワ－３) belongs to it, two in a row, 第, a space or — with the
    characters' ``positions`` on the line — a gap much wider than the line's usual step
    start a building.
    """
    steps = [b - a for a, b in itertools.pairwise(positions)]
    wide = _GAP * float(statistics.median(steps)) if len(steps) == len(text) - 1 > 2 else None
    end = _by_characters(text, start, steps, wide)
    if end > start or start >= len(text):
        return end
    # Not one character of a number where one must be (７－７ read as フーフ): the number
    # is what was written up to the first space, to be read again under its charset.
    i = start + 1
    while i < len(text) and not text[i].isspace() and text[i] != "第":
        if wide is not None and steps[i - 1] > wide:
            break
        i += 1
    return i


def _by_characters(text: str, start: int, steps: Sequence[float], wide: float | None) -> int:
    """The end of the house number at ``text[start]`` by the characters read (see
    :func:`house_span`)."""
    end = start
    i = start
    while i < len(text):
        char = text[i]
        if char.isspace() or (char == "第" and i > start):
            break
        if wide is not None and i > start and steps[i - 1] > wide:
            break
        if char in _STREET:
            end = i = i + 1
            continue
        following, then = text[i + 1 : i + 2], text[i + 2 : i + 3]
        last = not following or following.isspace() or (
            wide is not None and steps[i] > wide
        )
        if last and i > start:  # one stray character closing the number (號 for 号)
            end = i + 1
            break
        goes_on = following.isdigit() or (bool(then) and then in _STREET)
        if following and following in _STREET and goes_on:
            i += 1  # one stray character, then the number goes on (not パーク: ー then ク)
            continue
        break
    return end


#: What a word of a building's name that is not the town's is worth against one that is: a
#: building is often named after its town (サンハイツ川口 in 川口町).
_NOT_THE_TOWN = 0.1
_TOWN_WORD = (2, 5)  # the lengths of the town's words looked for in a building's name


def _is_kanji(char: str) -> bool:
    return "\u4e00" <= char <= "\u9fff" or char in "々ヶ"


def building_by_town(found: Recognition, start: int, area: str) -> Recognition:
    """The building's name (``found.text[start:]``) read knowing the town: where a run of it
    is a word of ``area`` (the table's prefecture, city and town), or one of the model's
    alternatives away from one (川ロ for 川口, ニ本松 for 二本松, 江の官 for 江の宮), it is
    weighed against the town's words as a name is against the table of names
    (:func:`ocr._name_lexicon.weigh_word`; a run that is not the town's is worth 0.1).
    A run must keep at least one kanji of the town as read: one shared katakana says
    nothing. Longer runs first; each character is weighed once."""
    text = found.text
    if len(found.char_alternatives) != len(text) or start >= len(text):
        return found
    low, high = _TOWN_WORD
    words = {area[i : i + n] for i in range(len(area)) for n in range(low, high + 1)}
    chars, confidences = list(text), list(found.char_confidences)
    alternatives = [dict(options) for options in found.char_alternatives]
    weighed = [False] * len(text)
    for length in range(high, low - 1, -1):
        for a in range(start, len(text) - length + 1):
            span = range(a, a + length)
            if any(weighed[i] for i in span) or any(nfkc(text[i]).isdigit() for i in span):
                continue
            window = "".join(chars[a : a + length])
            if window not in words and not _town_word_near(
                window, a, alternatives, confidences, words
            ):
                continue
            weigh_word(chars, confidences, alternatives, a, a + length, words, _NOT_THE_TOWN)
            for i in span:
                weighed[i] = True
    if not any(weighed):
        return found
    return replace(found, text="".join(chars), char_confidences=tuple(confidences))


#: The words that say what kind of building it is, which most building names end with
#: (グリーン**メゾン**, ロイヤル**マンション**): a closed class, unlike the names before them.
#: Taken from how Japanese apartment buildings are named, not from jimu's samples (which
#: write eight of them).
BUILDING_WORDS = frozenset({
    "マンション", "メゾン", "メゾネット", "コーポ", "コーポラス", "ハイツ", "ハイム", "レジデンス",
    "レジデンシャル", "コート", "ヒルズ", "ハウス", "パレス", "ヴィラ", "テラス", "アパート",
    "ガーデン", "ガーデンズ", "タワー", "プラザ", "シャトー", "キャッスル", "ステージ", "スクエア",
    "ビルディング", "ホームズ", "フラット", "カーサ", "ドミール", "ヴィレッジ", "ビレッジ",
    "コンフォート", "グランデ", "ハイランド",
})
#: What a katakana run of a building's name that is not such a word is worth against one that
#: is, where one of the model's alternatives makes it one (メソン beside メゾン).
_NOT_A_BUILDING_WORD = 0.1


def building_words(found: Recognition, start: int) -> Recognition:
    """The building's name (``found.text[start:]``) with each katakana run that is one of
    :data:`BUILDING_WORDS`, or one of the model's alternatives away from one (メソン with ゾ
    seen beside ソ), weighed against those words as a name is against the table of names
    (:func:`ocr._name_lexicon.weigh_word`). Small and large kana (ョ ヨ) stay as the glyph's
    size decided. Longer words first; each character is weighed once."""
    text = found.text
    if len(found.char_alternatives) != len(text) or start >= len(text):
        return found
    chars, confidences = list(text), list(found.char_confidences)
    alternatives = [dict(options) for options in found.char_alternatives]
    weighed = [False] * len(text)
    for length in sorted({len(word) for word in BUILDING_WORDS}, reverse=True):
        for a in range(start, len(text) - length + 1):
            span = range(a, a + length)
            window = "".join(chars[a : a + length])
            if any(weighed[i] for i in span) or not is_katakana(window, allow_space=False):
                continue
            if window not in BUILDING_WORDS and not _building_word_near(
                window, alternatives[a : a + length]
            ):
                continue
            weigh_word(chars, confidences, alternatives, a, a + length, BUILDING_WORDS,
                       _NOT_A_BUILDING_WORD)
            for i in span:
                weighed[i] = True
    if not any(weighed):
        return found
    return replace(found, text="".join(chars), char_confidences=tuple(confidences))


def _building_word_near(window: str, alternatives: Sequence[Mapping[str, float]]) -> bool:
    """Whether one character of ``window``, replaced by one the model saw there (not the
    same kana in the other size), makes one of :data:`BUILDING_WORDS`."""
    for j, own in enumerate(window):
        for char in alternatives[j]:
            if char not in (own, PAIRED_SIZES.get(own)) and (
                window[:j] + char + window[j + 1 :] in BUILDING_WORDS
            ):
                return True
    return False


#: Katakana and kanji written with the same strokes: the ink cannot tell them apart, only
#: the words around them can (川ロ is 川口 in a building of 川口町).
_SAME_STROKES = dict(
    zip("ロ口ニ二エ工カ力タ夕ト卜ハ八", "口ロ二ニ工エ力カ夕タ卜ト八ハ", strict=True)
)


def _town_word_near(
    window: str, at: int, alternatives: list[dict[str, float]], confidences: Sequence[float],
    words: set[str],
) -> bool:
    """Whether one character of ``window`` (at ``at`` in the line), replaced by one the model
    saw there or one written with the same strokes, makes a word of the town, keeping a kanji
    of the window as read. A character of the same strokes is added to the model's
    alternatives there, as likely as the one read."""
    for j, own in enumerate(window):
        rest = window[:j] + window[j + 1 :]
        if not any(_is_kanji(c) for c in rest):
            continue
        same = _SAME_STROKES.get(own)
        for char in [*alternatives[at + j], *([same] if same else [])]:
            if char != own and window[:j] + char + window[j + 1 :] in words:
                if char == same:
                    seen = alternatives[at + j].get(char, 0.0)
                    alternatives[at + j][char] = max(seen, confidences[at + j])
                return True
    return False
