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

Nothing is forced: a name not in the table is read as written when the model is sure of
it, and goes to a person when a listed neighbour is nearly as likely.

A city adds the names its residents have and the table lacks (陽翔, a family name of its own
region) in ``person_names.tsv`` beside the form's ``template.yaml`` (the same three columns,
see :mod:`ocr._name_table`). Only that form's names are weighed against them, and an edited
file counts from the next name read.
"""

from __future__ import annotations

from collections.abc import Container
from dataclasses import replace
from functools import cache
from pathlib import Path

from ocr._name_table import PARTS, Row, read_name_table
from ocr._ppocr import Recognition
from ocr._text import PAIRED_SIZES

__all__ = ["UNLISTED", "weigh_name", "weigh_word"]

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


@cache
def _listed_as_of(
    part: int, kind: str, extra: Path | None, _changed: int | None
) -> frozenset[str]:
    column = 1 if kind == "kanji" else 2
    rows = _shipped() + (read_name_table(extra) if extra is not None else ())
    return frozenset(row[column] for row in rows if row[0] == PARTS[part])


def weigh_name(found: Recognition, kind: str, *, extra: Path | None = None) -> Recognition:
    """``found`` (a name with one space between family and given name, as
    :func:`ocr._names.name_space` leaves it) weighed against the table of names, and the
    form's own (``extra``) if it has one.

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
    cut = text.index(" ")
    for part, (start, end) in enumerate(((0, cut), (cut + 1, len(text)))):
        if end > start:
            weigh_word(chars, confidences, alternatives, start, end,
                       _listed(part, kind, extra), UNLISTED[part])
    return replace(found, text="".join(chars), char_confidences=tuple(confidences))


def weigh_word(
    chars: list[str],
    confidences: list[float],
    alternatives: list[dict[str, float]],
    start: int,
    end: int,
    listed: Container[str],
    unlisted: float,
) -> None:
    """Weigh the word ``chars[start:end]`` in place against the ``listed`` ones, a word not
    listed worth ``unlisted`` of one that is: choose the word (as read, or one of the
    model's alternatives away), then each character's share (see the module's docstring).
    ``alternatives`` is each character's distribution, as the model gave it."""

    def worth(name: str) -> float:
        return 1.0 if name in listed else unlisted

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
            gain = p / confidences[i] / worth(word)
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
        total += max(0.0, 1.0 - seen) * unlisted  # what the model spread over unseen characters
        share = weighed / total if total > 0 else own
        confidences[i] = min(share, own) if chars[i] in PAIRED_SIZES else share
