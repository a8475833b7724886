"""Training data for jimu's digit model: ``.venv/bin/python -m scripts.digit_model.make_data OUT``.

Writes ``OUT/digits-train.npz`` (``x``: N×28×28 float32 as :func:`ocr._digit_model.normalise_glyph`
gives them, ``y``: labels) from two sources, both kept apart from what calibration and the
benchmarks read (MNIST 1500–4999):

- glyphs cut, exactly as the reader cuts them, from generated forms whose handwritten digits
  are MNIST 0–1499 (``FORMS_MNIST``) or font glyphs (``FORMS_FONTS``) on jimu's own form, and
  MNIST 0–1499 in the Excel-made 資格取得届's small cells (``FORMS_KOKUHO``, words by the
  training stroke writers), generator seeds that no benchmark uses;
- MNIST 0–1499 themselves, each ``MNIST_COPIES`` times with random shape and scan changes.
"""

from __future__ import annotations

import json
import sys
import tempfile
from pathlib import Path

import cv2
import numpy as np

from ocr._align import align_page
from ocr._calibrate import TRAINING_SEEDS
from ocr._digit_model import normalise_glyph
from ocr._document import _blank, crop_field
from ocr._fields import FieldRequest, _prepare
from ocr._handwriting import DEFAULT_DIGITS_DIR, load_digits
from ocr._pages import load_pages
from ocr._strokes import TRAIN_HANDS
from ocr._template import load_template
from sandbox.kokuho_samples import generate_kokuho_samples
from sandbox.paper_samples import generate_samples

TRAIN_DIGITS = (0, 1500)
FORMS_MNIST, FORMS_FONTS, FORMS_KOKUHO = 240, 40, 200
SEED_MNIST, SEED_FONTS, SEED_KOKUHO = TRAINING_SEEDS
MNIST_COPIES = 8


def _form_glyphs(folder: Path, form: str) -> tuple[list[np.ndarray], list[int]]:
    template = load_template(form)
    blank = _blank(template)
    specs = [s for s in template.fields if s.kind == "digits"]
    xs: list[np.ndarray] = []
    ys: list[int] = []
    for truth_path in sorted(folder.glob("*.json")):
        truth = json.loads(truth_path.read_text(encoding="utf-8"))
        scan = folder / truth["file"]
        for page in load_pages(scan)[:1]:
            aligned = align_page(page, template).image
            for spec in specs:
                value = "".join(str(truth["fields"].get(spec.name, "")).split())
                if not value.isdigit() or spec.name in truth.get("corrected", []):
                    continue
                request = FieldRequest(crop_field(aligned, template, spec.name), spec.kind,
                                       spec.boxes, spec.charset, spec.name, spec.rule,
                                       blank=crop_field(blank, template, spec.name))
                prepared = _prepare(request)
                glyphs = [g for g in prepared.glyphs if g is not None]
                if len(glyphs) != len(value):
                    continue  # a box split the reader got wrong: no clean label
                for glyph, view, char in zip(glyphs, prepared.views, value, strict=True):
                    xs += [normalise_glyph(glyph), normalise_glyph(view)]
                    ys += [int(char), int(char)]
    return xs, ys


def _augmented(image: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """An MNIST digit (white on black) as dark ink on paper, reshaped and scanned."""
    big = cv2.resize(image, (84, 84), interpolation=cv2.INTER_CUBIC)
    angle, scale = rng.uniform(-12, 12), rng.uniform(0.8, 1.1)
    matrix = cv2.getRotationMatrix2D((42, 42), angle, scale)
    matrix[0, 1] += rng.uniform(-0.25, 0.25)  # slant
    big = cv2.warpAffine(big, matrix, (84, 84))
    k = int(rng.integers(-1, 3))
    if k > 0:
        big = cv2.dilate(big, np.ones((k + 1, k + 1), np.uint8))
    elif k < 0:
        big = cv2.erode(big, np.ones((2, 2), np.uint8))
    paper = 255 - big
    if rng.random() < 0.5:
        paper = cv2.GaussianBlur(paper, (3, 3), rng.uniform(0.3, 1.2))
    noisy = paper.astype(np.float32) + rng.normal(0, rng.uniform(0, 12), paper.shape)
    return np.clip(noisy, 0, 255).astype(np.uint8)


def main(out: Path) -> None:
    out.mkdir(parents=True, exist_ok=True)
    digits = load_digits(DEFAULT_DIGITS_DIR)
    if digits is None:
        raise SystemExit(f"MNIST digits not found in {DEFAULT_DIGITS_DIR}")
    xs: list[np.ndarray] = []
    ys: list[int] = []
    with tempfile.TemporaryDirectory(prefix="jimu-digit-data-") as tmp:
        for n, seed, digits_dir, name in (
            (FORMS_MNIST, SEED_MNIST, DEFAULT_DIGITS_DIR, "mnist"),
            (FORMS_FONTS, SEED_FONTS, None, "fonts"),
        ):
            folder = Path(tmp, name)
            generate_samples(folder, n=n, seed=seed, digits_dir=digits_dir,
                             digit_range=TRAIN_DIGITS)
            found = _form_glyphs(folder, "paper-intake")
            xs += found[0]
            ys += found[1]
            print(f"{name} forms: {len(found[1])} glyphs", flush=True)
        folder = Path(tmp, "kokuho")
        generate_kokuho_samples(folder, n=FORMS_KOKUHO, seed=SEED_KOKUHO,
                                digit_range=TRAIN_DIGITS, hands=TRAIN_HANDS, workers=2)
        found = _form_glyphs(folder, "kokuho-shutoku")
        xs += found[0]
        ys += found[1]
        print(f"kokuho-shutoku forms: {len(found[1])} glyphs", flush=True)
    images, labels = digits
    rng = np.random.default_rng(11)
    for index in range(*TRAIN_DIGITS):
        for _ in range(MNIST_COPIES):
            xs.append(normalise_glyph(_augmented(images[index], rng)))
            ys.append(int(labels[index]))
    np.savez_compressed(out / "digits-train.npz", x=np.stack(xs).astype(np.float32),
                        y=np.array(ys, np.int64))
    print(f"{len(ys)} training glyphs in {out / 'digits-train.npz'}")


if __name__ == "__main__":
    main(Path(sys.argv[1]))
