"""Filled and scanned 国民健康保険 被保険者資格取得届 (the Excel-made form), with ground truth.

``generate_kokuho_samples(out, n=100, seed=202)`` fills ``scenarios/kokuho-shutoku`` (its
printed blank, ``form.pdf``) for fake people: handwriting from :class:`ocr.Writer` (real
MNIST digits from ``digit_range``), the era and the options circled by hand-like strokes, a
check mark of varied shape, the birth date's year, month and day written in the gaps of the
printed 「年　月　日」, then the scanner effects of :mod:`sandbox.paper_samples` (rotation,
shift, blur, noise, JPEG, 200–300 dpi, some pages upside down). Some samples carry a wrong
個人番号 check digit (``bad``) and some leave fields empty (``empty``); the ``.json`` beside
each file holds the values written. The same arguments give the same files.
"""

from __future__ import annotations

import multiprocessing
import random
from collections.abc import Mapping, Sequence
from concurrent.futures import ProcessPoolExecutor
from datetime import date
from functools import partial
from pathlib import Path
from typing import Any

import numpy as np
from PIL import Image

from core.wareki import to_wareki
from ocr import FieldSpec, FormTemplate, Writer, box_rects, load_digits, load_template
from ocr._era_date import date_gaps_mm
from ocr._handwriting import draw_mark
from ocr._render import render_blank
from sandbox.fake_people import FakePeople
from sandbox.paper_samples import (
    _DRAW_DPI,
    _FORMATS,
    DEFAULT_DIGITS_DIR,
    MM_PER_INCH,
    Sample,
    _write_field,
    date_boxes,
    save_sample,
)
from systems.business_system import ChildAllowanceApplication

__all__ = ["KOKUHO", "generate_kokuho_samples", "kokuho_values", "write_kokuho"]

KOKUHO = "kokuho-shutoku"
_MARKS = ("tick", "tick", "cross", "slash", "circle", "filled")
_BAD_MY_NUMBER = 0.08  # share of samples whose 個人番号 fails its check digit
_EMPTY = {"phone": 0.08, "account": 0.05, "birth_date_era": 0.03}


def _wrong_check_digit(my_number: str) -> str:
    last = int(my_number[-1])
    return my_number[:-1] + str((last + 1 + int(my_number[0]) % 8) % 10)


def kokuho_values(
    application: ChildAllowanceApplication, rng: random.Random
) -> tuple[dict[str, str], list[str], list[str]]:
    """What one person writes on the form (circled fields: the option; '1': ticked), and
    the fields written wrongly (``bad``) and left empty (``empty``) on purpose."""
    person, account = application.applicant, application.account
    bad: list[str] = []
    my_number = person.my_number
    if rng.random() < _BAD_MY_NUMBER:
        my_number, bad = _wrong_check_digit(my_number), ["my_number"]
    by_post = rng.random() < 0.5
    values = {
        "name_kana": person.name_kana,
        "name": person.name,
        "birth_date_era": to_wareki(person.birth_date).era.name,
        "birth_date": date_boxes(person.birth_date),
        "gender": person.gender,
        "phone": person.phone,
        "my_number": my_number,
        "postal_code": person.postal_code.replace("-", ""),
        "address": person.address,
        "delivery_1": "1" if by_post else "",
        "delivery_2": "" if by_post else "1",
        "account_type": account.account_type,
        "account_number": account.account_number,
        "check": "1",
    }
    empty = [name for name, share in _EMPTY.items() if rng.random() < share]
    if "account" in empty:
        empty = [n for n in empty if n != "account"] + ["account_type", "account_number"]
    for name in empty:
        values[name] = ""
    if "birth_date_era" in empty:  # numbers without an era are no date to read
        values["birth_date"] = ""
    return values, bad, empty


def _numbers(day: date, rng: random.Random) -> tuple[str, str, str]:
    """Year, month and day as a person writes them (sometimes 05 for 5)."""
    wareki = to_wareki(day)

    def written(n: int) -> str:
        return f"{n:02d}" if n < 10 and rng.random() < 0.2 else str(n)

    return written(wareki.year), written(wareki.month), written(wareki.day)


def _write_date(
    page: Image.Image, spec: FieldSpec, blank: np.ndarray[Any, Any], numbers: Sequence[str],
    writer: Writer, scale: float, rng: random.Random,
) -> None:  # fmt: skip
    """The year, month and day (``numbers``) in the gaps before the printed 年, 月 and 日."""
    gaps = date_gaps_mm(blank, spec, px_per_mm=scale)
    middle = spec.y_mm + spec.height_mm / 2
    for (left, right), number in zip(gaps, numbers, strict=True):
        width, space = rng.uniform(3.4, 4.4), rng.uniform(0.2, 1.0)
        height = rng.uniform(5.5, 6.8)
        total = len(number) * width + (len(number) - 1) * space
        x = left + max(0.4, (right - left - total) * rng.uniform(0.35, 0.85))
        top = middle - height / 2 + rng.uniform(-0.5, 0.5)
        for char in number:
            box = (x * scale, top * scale, (x + width) * scale, (top + height) * scale)
            writer.digit(page, char, box)
            x += width + space


def write_kokuho(
    template: FormTemplate,
    values: dict[str, str],
    rng: random.Random,
    writer: Writer,
    *,
    dates: Mapping[str, Sequence[str]] | None = None,
) -> tuple[Image.Image, list[str]]:
    """The form at 300 dpi (its printed blank) filled with ``values``; returns it and the
    fields corrected with a strike-through. A date with a printed era is written as the
    year, month and day ``dates`` give for it (any numbers, real days or not)."""
    scale = _DRAW_DPI / MM_PER_INCH
    page = render_blank(template, px_per_mm=scale)
    blank = np.asarray(page).copy()
    corrected = []
    for spec in template.fields:
        value = values.get(spec.name, "")
        if spec.printed_era:
            if spec.name in (dates or {}):
                _write_date(page, spec, blank, (dates or {})[spec.name], writer, scale, rng)
        elif spec.kind == "checkbox" and value:
            shape = rng.choice(_MARKS)
            box = box_rects(spec, scale)[0]
            draw_mark(page, box, rng, writer.ink, shape=shape, px_per_mm=scale)
        elif _write_field(page, spec, value, writer, scale, rng):
            corrected.append(spec.name)
    return page, corrected


def generate_kokuho_samples(
    out: Path,
    *,
    n: int = 100,
    seed: int = 3,
    template: FormTemplate | None = None,
    digits_dir: Path | None = DEFAULT_DIGITS_DIR,
    digit_range: tuple[int, int] = (0, 4000),
    formats: Sequence[str] = _FORMATS,
    scan: bool = True,
    received_to: date | None = None,
    hands: range | None = None,
    workers: int = 1,
    _share: tuple[int, int] | None = None,
) -> list[Sample]:
    """Write ``n`` filled, scanned 資格取得届 and their ground truth into ``out``.

    Files are ``kokuho-0001.pdf`` (or ``.png``/``.tiff``) with ``kokuho-0001.json``; MNIST
    digits come from ``digits_dir`` (indices in ``digit_range``), or from fonts when it has
    none; with ``hands`` (writer seeds of :mod:`ocr._strokes`) the words are written stroke by
    stroke by those writers instead of from the handwriting fonts. Same arguments, same files,
    also with ``workers`` > 1 (that many processes draw every ``workers``-th form).
    """
    template = template or load_template(KOKUHO)
    if workers > 1 and n > 1 and _share is None:
        context = multiprocessing.get_context("spawn")
        with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
            draw = partial(
                generate_kokuho_samples, out, n=n, seed=seed, template=template,
                digits_dir=digits_dir, digit_range=digit_range, formats=formats, scan=scan,
                received_to=received_to, hands=hands,
            )  # fmt: skip
            shares = [pool.submit(draw, _share=(k, workers)) for k in range(workers)]
            drawn = [sample for share in shares for sample in share.result()]
        return sorted(drawn, key=lambda sample: sample.path.name)
    out.mkdir(parents=True, exist_ok=True)
    digits = load_digits(digits_dir) if digits_dir is not None else None
    people = FakePeople(seed=seed).applications(n, received_to=received_to)
    samples = []
    for index, application in enumerate(people, start=1):
        if _share is not None and (index - 1) % _share[1] != _share[0]:
            continue  # another process draws this one
        rng = random.Random(f"jimu-kokuho-{seed}-{index}")
        values, bad, empty = kokuho_values(application, rng)
        writer = Writer.create(rng, digits, digit_range, hands=hands)
        birth = _numbers(application.applicant.birth_date, rng)
        dates = {"birth_date": birth} if values["birth_date"] else {}
        page, corrected = write_kokuho(template, values, rng, writer, dates=dates)
        truth = {
            "template": template.name,
            "seed": seed,
            "index": index,
            "received_at": application.received_at.isoformat(),
            "fields": values,
            "bad": bad,
            "empty": empty,
            "corrected": corrected,
            "mnist_digits": writer.digits is not None,
            "hands": [hands.start, hands.stop] if hands is not None else None,
        }
        samples.append(save_sample(page, rng, out / f"kokuho-{index:04d}", truth,
                                   formats=formats, scan=scan))  # fmt: skip
    return samples
