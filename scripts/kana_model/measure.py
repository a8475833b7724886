"""Katakana fields written by stroke-drawn test writers, read with and without the kana model:
``.venv/bin/python -m scripts.kana_model.measure [FIELDS]``.

The writers are :data:`ocr._strokes.TEST_HANDS` (never trained on, never calibrated on); the
names come from ``FakePeople(seed=MEASURE_SEED)``. Prints, for PP-OCR alone and for PP-OCR with
the kana CNN's vote: field exact, the share accepted at the template's katakana threshold, and
how many accepted fields were wrong.
"""

from __future__ import annotations

import random
import sys

from ocr._calibrate import same_value
from ocr._engines import get_engine
from ocr._fields import FieldRequest, read_fields
from ocr._handwriting import Writer
from ocr._ppocr import get_recogniser
from ocr._render import render_blank
from ocr._strokes import TEST_HANDS
from ocr._template import load_template
from sandbox.fake_people import FakePeople
from scripts.kana_model.make_data import _DPI_SCALE, katakana_specs, written_field

MEASURE_SEED = 303


def main(count: int = 300) -> None:
    template = load_template("paper-intake")
    threshold = template.thresholds.for_kind("katakana")
    blank = render_blank(template, px_per_mm=_DPI_SCALE)
    specs = katakana_specs(template)
    people = FakePeople(seed=MEASURE_SEED).applications(count)
    requests, truths = [], []
    for n, application in enumerate(people):
        rng = random.Random(f"jimu-kana-measure-{n}")
        writer = Writer.create(rng, None, (0, 0), hands=TEST_HANDS)
        text = application.applicant.name_kana
        crop = written_field(blank, rng.choice(specs), text, writer, rng)
        requests.append(FieldRequest(crop, "katakana", rule="person_name"))
        truths.append("\u3000".join(text.split()))
    recogniser = get_recogniser()
    engine = get_engine("ppocr")
    for label, without in (("PP-OCR alone", True), ("PP-OCR + kana CNN", False)):
        recogniser._kana_failed, recogniser._kana = without, None
        readings = read_fields(requests, engine)
        right = [same_value("katakana", r.value, t) for r, t in zip(readings, truths, strict=True)]
        accepted = [r.confidence >= threshold for r in readings]
        wrong = sum(a and not ok for a, ok in zip(accepted, right, strict=True))
        print(f"{label}: {count} fields, exact {sum(right) / count:.3f}, accepted "
              f"{sum(accepted) / count:.3f} (threshold {threshold}), "
              f"{wrong} of {sum(accepted)} accepted wrong")
        for reading, truth, ok, sure in zip(readings, truths, right, accepted, strict=True):
            if not ok and sure:
                print(f"  accepted wrong: read {reading.value} ({reading.confidence:.2f}),"
                      f" written {truth}")


if __name__ == "__main__":
    main(*(int(a) for a in sys.argv[1:2]))
