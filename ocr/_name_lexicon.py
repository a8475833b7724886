"""A person's name weighed against the names people have (``rule: person_name``).

A handwritten 田 read as 由 makes 和由, a name nobody has, beside 和田, which thousands have;
コパヤシ is one ゛ from コバヤシ. The model's own alternatives for each character already
hold the right one, often at a few percent. Here the family and the given name are each
weighed against a table of real ones (``ocr/lexicon/person_names.tsv``, the IPA dictionary's
13,000 family and 19,000 given names with their readings; written forms for kanji fields,
readings for katakana ones): a name in the table is worth ``1``, one that is not is worth
:data:`UNLISTED` of it (a missing given name is marked down less: new names are not in a
2007 table).

* The name chosen is the likeliest of the name as read and the names one character away
  among the model's alternatives, each as likely as its characters times its worth.
* Each character's confidence becomes its share against the other characters the model
  saw there, each weighed by the name it would make. A read name with a listed neighbour
  loses; a listed name with no listed neighbour gains; a name with neither keeps its
  confidence.
* Small and large kana (ュ ユ) are left as the glyph's size decided (:func:`kana_sizes`),
  and what that doubted stays doubted: the table never lifts such a character.
* A フリガナ and the 氏名 it reads (``reading_of`` in the template) are weighed by each
  other too: the table pairs each written name with its readings, so 近藤 and 遠藤, both
  family names, are told apart by a sure コンドウ, and タケタ beside a sure 武田 is タケダ.

Nothing is forced: a name not in the table is read as written when the model is sure of
it, and goes to a person when a listed neighbour is nearly as likely.

A city adds the names its residents have and the table lacks (陽翔, a family name of its own
region) in ``person_names.tsv`` beside the form's ``template.yaml`` (the same three columns,
see :mod:`ocr._name_table`). Only that form's names are weighed against them, and an edited
file counts from the next name read.
"""

from __future__ import annotations

from collections.abc import Callable, Container
from dataclasses import replace
from functools import cache
from pathlib import Path

from ocr._name_table import PARTS, Row, read_name_table
from ocr._ppocr import Recognition
from ocr._text import PAIRED_SIZES

__all__ = ["NAME_AND_READING_DIFFER", "UNLISTED", "reading_differs", "weigh_name", "weigh_word"]

_TABLE = Path(__file__).parent / "lexicon" / "person_names.tsv"
#: What a name missing from the table is worth against a listed one, family and given.
UNLISTED = (0.1, 0.3)


@cache
def _shipped() -> tuple[Row, ...]:
    return read_name_table(_TABLE)


def _listed(part: int, kind: str, extra: Path | None = None) -> frozenset[str]:
    """The family (``part`` 0) or given (1) names of the table, written (``kanji``) or read
    (``katakana``), with those of the form's own table ``extra`` as it is now."""
    return _listed_as_of(part, kind, extra, extra.stat().st_mtime_ns if extra else None)


def _readings(part: int, extra: Path | None = None) -> frozenset[tuple[str, str]]:
    """The family (``part`` 0) or given (1) names of the table as (written, reading) pairs,
    with those of the form's own table ``extra`` as it is now."""
    return _readings_as_of(part, extra, extra.stat().st_mtime_ns if extra else None)


@cache
def _readings_as_of(
    part: int, extra: Path | None, changed: int | None
) -> frozenset[tuple[str, str]]:
    rows = _rows_as_of(extra, changed)
    return frozenset((row[1], row[2]) for row in rows if row[0] == PARTS[part])


@cache
def _listed_as_of(
    part: int, kind: str, extra: Path | None, changed: int | None
) -> frozenset[str]:
    column = 1 if kind == "kanji" else 2
    rows = _rows_as_of(extra, changed)
    return frozenset(row[column] for row in rows if row[0] == PARTS[part])


@cache
def _rows_as_of(extra: Path | None, _changed: int | None) -> tuple[Row, ...]:
    """The shipped table's rows and those of the form's own table ``extra`` as of
    ``_changed`` (its modification time): each version of that file is read once."""
    return _shipped() + (read_name_table(extra) if extra is not None else ())


#: Why a 氏名 and its フリガナ go to a person when the table reads the name otherwise.
NAME_AND_READING_DIFFER = "氏名とフリガナが一致しません"


def reading_differs(written: str, reading: str, *, extra: Path | None = None) -> bool:
    """Whether a family or given name of ``written`` (a 氏名 as read, with its one space)
    is in the table but never read as that part of ``reading`` (its フリガナ): one of the two
    is misread (ヤマクチ for 山口's ヤマグチ), or the name has a reading the table lacks, which
    a person confirms. ``False`` when either has no single space."""
    if written.count(" ") != 1 or reading.count(" ") != 1:
        return False
    names, sounds = written.split(" "), reading.split(" ")
    return any(
        names[part] in _listed(part, "kanji", extra)
        and (names[part], sounds[part]) not in _readings(part, extra)
        for part in (0, 1)
    )


#: What a name is worth against one whose reading (or written form) agrees with the other
#: field of the pair, at least: a フリガナ read with confidence 0.99 makes a 氏名 that does
#: not read so worth 0.05 of one that does, not 0.01.
DISAGREEING_LEAST = 0.05


def weigh_name(
    found: Recognition,
    kind: str,
    *,
    extra: Path | None = None,
    other: Recognition | None = None,
) -> Recognition:
    """``found`` (a name with one space between family and given name, as
    :func:`ocr._names.name_space` leaves it) weighed against the table of names, and the
    form's own (``extra``) if it has one.

    With ``other``, the same person's name as read in the other field of the pair (the
    フリガナ of a 氏名, or the 氏名 of a フリガナ, weighed by the table already), each family
    and given name is also weighed by whether the table lists it with the other field's:
    one that does not is worth ``1 - ``the other's confidence (at least
    :data:`DISAGREEING_LEAST`) of one that does. 近藤 beside 遠藤 gains when コンドウ is read
    sure; 建二 and 健二 (both ケンジ) stay as the model saw them.

    A reading without exactly one space, without each character's alternatives, or of a
    kind other than ``kanji`` and ``katakana`` is returned as it is.
    """
    text = found.text
    if kind not in ("kanji", "katakana") or text.count(" ") != 1:
        return found
    if len(found.char_alternatives) != len(text):
        return found
    chars, confidences = list(text), list(found.char_confidences)
    alternatives = [dict(options) for options in found.char_alternatives]
    theirs = _parts(other)
    for part, (start, end) in enumerate(_spans(text)):
        if end <= start:
            continue
        agrees, disagreeing = None, 1.0
        if theirs is not None and theirs[part][0]:
            word, sure = theirs[part]
            pairs = _readings(part, extra)
            if kind == "kanji":
                agrees = _agreeing(pairs, reading=word)
            else:
                agrees = _agreeing(pairs, written=word)
            disagreeing = max(DISAGREEING_LEAST, 1.0 - sure)
        weigh_word(chars, confidences, alternatives, start, end,
                   _listed(part, kind, extra), UNLISTED[part],
                   agrees=agrees, disagreeing=disagreeing)
    return replace(found, text="".join(chars), char_confidences=tuple(confidences))


def _spans(text: str) -> tuple[tuple[int, int], tuple[int, int]]:
    cut = text.index(" ")
    return (0, cut), (cut + 1, len(text))


def _parts(found: Recognition | None) -> tuple[tuple[str, float], ...] | None:
    """The family and given name of ``found`` with how sure each is (its least sure
    character), or ``None`` without exactly one space."""
    if found is None or found.text.count(" ") != 1:
        return None
    sure = found.char_confidences
    return tuple(
        (found.text[start:end], min(sure[start:end], default=0.0))
        for start, end in _spans(found.text)
    )


def _agreeing(
    pairs: frozenset[tuple[str, str]], *, written: str | None = None, reading: str | None = None
) -> Callable[[str], bool]:
    """Whether a name agrees with the other field: a written name the table reads as
    ``reading``, or a reading the table gives ``written``."""
    if reading is not None:
        return lambda name: (name, reading) in pairs
    return lambda name: (written, name) in pairs


def weigh_word(
    chars: list[str],
    confidences: list[float],
    alternatives: list[dict[str, float]],
    start: int,
    end: int,
    listed: Container[str],
    unlisted: float,
    *,
    agrees: Callable[[str], bool] | None = None,
    disagreeing: float = 1.0,
) -> None:
    """Weigh the word ``chars[start:end]`` in place against the ``listed`` ones, a word not
    listed worth ``unlisted`` of one that is: choose the word (as read, or one of the
    model's alternatives away), then each character's share (see the module's docstring).
    ``alternatives`` is each character's distribution, as the model gave it. A word for
    which ``agrees`` is false is also worth ``disagreeing`` times as much (what the model
    spread over characters it did not name is taken as such a word)."""

    def worth(name: str) -> float:
        agreed = agrees is None or agrees(name)
        return (1.0 if name in listed else unlisted) * (1.0 if agreed else disagreeing)

    def others(i: int) -> list[tuple[str, float]]:
        """The other characters the model saw at ``i`` that may replace it."""
        own = chars[i]
        return [(c, p) for c, p in alternatives[i].items()
                if c != own and c != PAIRED_SIZES.get(own) and not c.isspace()]

    word = "".join(chars[start:end])
    best: tuple[float, int, str, float] | None = None  # gain, at, character, its probability
    for i in range(start, end):
        if confidences[i] <= 0:
            continue
        for char, p in others(i):
            swapped = word[: i - start] + char + word[i - start + 1 :]
            if swapped not in listed:
                continue
            gain = p * worth(swapped) / (confidences[i] * worth(word))
            if gain > 1.0 and (best is None or gain > best[0]):
                best = (gain, i, char, p)
    if best is not None:
        _, i, char, p = best
        alternatives[i].setdefault(chars[i], confidences[i])
        chars[i], confidences[i] = char, p
        word = "".join(chars[start:end])
    for i in range(start, end):
        own = confidences[i]
        rival = [(word[: i - start] + c + word[i - start + 1 :], p) for c, p in others(i)]
        seen = own + sum(p for _, p in rival)
        weighed = own * worth(word)
        total = weighed + sum(p * worth(name) for name, p in rival)
        unseen = unlisted * (1.0 if agrees is None else disagreeing)
        total += max(0.0, 1.0 - seen) * unseen  # what the model spread over unseen characters
        share = weighed / total if total > 0 else own
        confidences[i] = min(share, own) if chars[i] in PAIRED_SIZES else share
