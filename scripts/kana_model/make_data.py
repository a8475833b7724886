"""Training data for jimu's kana model:
``.venv/bin/python -m scripts.kana_model.make_data OUT [LINES]``.

Writes ``OUT/kana-train.npz`` (``x``: N×32×32 float32 as :func:`ocr._kana_model.cut_glyphs`
gives them, ``y``: indices into :data:`ocr._kana_model.CLASSES`) and ``OUT/kana-marks.npz``
(the top right corners of the glyphs a ゛ or ゜ can change, as :func:`~ocr._kana_model.cut_marks`
gives them, ``y``: indices into :data:`~ocr._kana_model.MARKS`). Each line (a name, or
random katakana so that rare and small ones are seen) is written at a フリガナ field's size,
scanned, cropped as the field reader crops a line and cut into glyphs by
:func:`~ocr._kana_model.cut_glyphs` at each character's centre, moved a little as PP-OCR's
positions are (asking PP-OCR itself costs ten times the time). The writers are stroke-drawn hands
of :data:`ocr._strokes.TRAIN_HANDS` (KanjiVG paths, CC BY-SA 3.0) and, for a quarter of the
lines, the handwriting fonts; never a calibration or test hand.
"""

from __future__ import annotations

import io
import os
import random
import sys
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import NamedTuple

import numpy as np
from PIL import Image, ImageFilter

from ocr._align import PX_PER_MM
from ocr._handwriting import Writer
from ocr._kana_model import CLASSES, cut_glyphs_and_marks, mark_of, voicing_family
from ocr._strokes import TRAIN_HANDS
from ocr._template import FieldSpec, FormTemplate
from sandbox._fake_tables import FAMILY_NAMES, GIVEN_NAMES

LINES = 12000
_CHUNK = 500  # lines per task of the process pool
SEED = 17
FONT_SHARE = 0.25
_DPI_SCALE = 300 / 25.4
_MARGIN_MM = 1.5
_SMALL = "ァィゥェォャュョッ"


def random_name(rng: random.Random) -> str:
    """A family and a given name in katakana, as on the forms."""
    family = rng.choice(FAMILY_NAMES)[1]
    given = rng.choice(rng.choice(list(GIVEN_NAMES.values())))[1]
    return f"{family}\u3000{given}"


def random_kana(rng: random.Random) -> str:
    """Two to eight katakana of any kind (rare ones, small ones and ー too)."""
    chars: list[str] = []
    for _ in range(rng.randint(2, 8)):
        roll = rng.random()
        if roll < 0.2 and chars:
            chars.append(rng.choice(_SMALL))
        elif roll < 0.27 and chars:
            chars.append("ー")
        else:
            chars.append(rng.choice(CLASSES[:-1]))
    return "".join(chars)


def written_field(
    blank: Image.Image, spec: FieldSpec, text: str, writer: Writer, rng: random.Random,
    *, scan: bool = True,
) -> np.ndarray:
    """The field ``spec`` of ``blank`` (300 dpi) with ``text`` written in it, as the reader
    crops it from an aligned page (8 px/mm), with light scan effects."""
    s = _DPI_SCALE
    x0, y0 = round((spec.x_mm - _MARGIN_MM) * s), round((spec.y_mm - _MARGIN_MM) * s)
    x1 = round((spec.x_mm + spec.width_mm + _MARGIN_MM) * s)
    y1 = round((spec.y_mm + spec.height_mm + _MARGIN_MM) * s)
    region = blank.crop((x0, y0, x1, y1))
    left, top = spec.x_mm * s - x0, spec.y_mm * s - y0
    height, width = spec.height_mm * s, spec.width_mm * s
    size = height * rng.uniform(0.55, 0.68)
    x = left + rng.uniform(1.5, 4.0) * s
    y = top + (height - size) / 2 - size * 0.12
    writer.text(region, text, x, y, size, left + width - x - 2 * s)
    factor = PX_PER_MM / s
    out = region.resize((round(region.width * factor), round(region.height * factor)),
                        Image.Resampling.LANCZOS)
    if scan:
        if rng.random() < 0.5:
            out = out.filter(ImageFilter.GaussianBlur(rng.uniform(0.2, 0.8)))
        noisy = np.asarray(out, np.float32) + np.random.default_rng(
            rng.randrange(2**32)).normal(0, rng.uniform(0, 8), (out.height, out.width))
        out = Image.fromarray(np.clip(noisy, 0, 255).astype(np.uint8))
        buffer = io.BytesIO()
        out.save(buffer, format="JPEG", quality=rng.randint(55, 95))
        out = Image.open(io.BytesIO(buffer.getvalue())).convert("L")
    return np.asarray(out)


def katakana_specs(template: FormTemplate) -> list[FieldSpec]:
    return [spec for spec in template.fields if spec.kind == "katakana"]


def written_line(writer: Writer, text: str, rng: random.Random) -> tuple[np.ndarray, list[float]]:
    """``text`` written at a フリガナ field's size and scanned, cropped as the field reader crops
    a line (8 px/mm, the ink's height with a fifth above and below); where each character
    stands (its true centre, moved by up to a tenth of a character as PP-OCR's are)."""
    size = 9 * _DPI_SCALE * rng.uniform(0.55, 0.68)
    page = Image.new("L", (round(size * (len(text) + 3)), round(size * 2.2)), 255)
    placed: list[tuple[str, float, float]] = []
    if writer.hand is not None:
        writer.hand.write(page, text, size, size * 0.5, size, ink=writer.ink, rng=rng,
                          fallback=writer.glyph, placed=placed)
    else:
        x = size
        for char in text:
            if char.isspace():
                x += size * rng.uniform(0.5, 0.9)
                continue
            step = writer.glyph(page, char, x, size * 0.5, size)
            placed.append((char, x, x + step))
            x += step + size * 0.06
    factor = PX_PER_MM / _DPI_SCALE
    small = page.resize((round(page.width * factor), round(page.height * factor)),
                        Image.Resampling.LANCZOS)
    grey = _scanned(small, rng)
    ys, xs = np.nonzero(grey < 128)
    pad = max(3, round((ys.max() - ys.min()) * 0.2))
    x0, y0 = max(0, int(xs.min()) - 24), max(0, int(ys.min()) - pad)
    line = grey[y0 : int(ys.max()) + pad + 1, x0 : int(xs.max()) + 25]
    pitch = size * factor
    centres = [((a + b) / 2 * factor - x0 + rng.gauss(0, 0.1 * pitch)) / line.shape[1]
               for _, a, b in placed]
    return line, centres


def _scanned(image: Image.Image, rng: random.Random) -> np.ndarray:
    if rng.random() < 0.5:
        image = image.filter(ImageFilter.GaussianBlur(rng.uniform(0.2, 0.8)))
    noisy = np.asarray(image, np.float32) + np.random.default_rng(
        rng.randrange(2**32)).normal(0, rng.uniform(0, 8), (image.height, image.width))
    out = Image.fromarray(np.clip(noisy, 0, 255).astype(np.uint8))
    buffer = io.BytesIO()
    out.save(buffer, format="JPEG", quality=rng.randint(55, 95))
    return np.asarray(Image.open(io.BytesIO(buffer.getvalue())).convert("L"))


def _lines(span: tuple[int, int]) -> _Cut:
    """The glyphs and labels of lines ``span[0]`` to ``span[1] - 1``, each line from its own
    seed (the data are the same however the lines are shared among processes), and the
    corners of those glyphs that a mark can change (カ, ガ …) with the mark they carry."""
    cut = _Cut([], [], [], [])
    for n in range(*span):
        rng = random.Random(f"jimu-kana-data-{SEED}-{n}")
        hands = None if rng.random() < FONT_SHARE else TRAIN_HANDS
        writer = Writer.create(rng, None, (0, 0), hands=hands)
        text = random_name(rng) if rng.random() < 0.5 else random_kana(rng)
        line, centres = written_line(writer, text, rng)
        chars = "".join(text.split())
        for glyph, corner, char in zip(*cut_glyphs_and_marks(line, centres), chars,
                                       strict=True):
            if glyph is not None:
                cut.glyphs.append(glyph)
                cut.labels.append(CLASSES.index(char))
            if corner is not None and voicing_family(char):
                cut.corners.append(corner)
                cut.marks.append(mark_of(char))
    return cut


class _Cut(NamedTuple):
    glyphs: list[np.ndarray]
    labels: list[int]
    corners: list[np.ndarray]
    marks: list[int]


def main(out: Path, lines: int = LINES) -> None:
    out.mkdir(parents=True, exist_ok=True)
    spans = [(start, min(lines, start + _CHUNK)) for start in range(0, lines, _CHUNK)]
    every = _Cut([], [], [], [])
    with ProcessPoolExecutor(max_workers=os.cpu_count() or 1) as pool:
        for (_, stop), cut in zip(spans, pool.map(_lines, spans), strict=True):
            for whole, part in zip(every, cut, strict=True):
                whole += part
            print(f"{stop} lines, {len(every.labels)} glyphs", flush=True)
    np.savez_compressed(out / "kana-train.npz", x=np.stack(every.glyphs).astype(np.float32),
                        y=np.array(every.labels, np.int64))
    np.savez_compressed(out / "kana-marks.npz", x=np.stack(every.corners).astype(np.float32),
                        y=np.array(every.marks, np.int64))
    print(f"{len(every.labels)} training glyphs from {lines} lines in {out / 'kana-train.npz'};"
          f" {len(every.marks)} corners in {out / 'kana-marks.npz'}")


if __name__ == "__main__":
    main(Path(sys.argv[1]), *(int(a) for a in sys.argv[2:3]))
