"""Train jimu's voicing-mark CNN and write ``ocr/models/kana-marks.onnx``.

It reads the top right corner of a katakana glyph (:func:`ocr._kana_model.cut_marks`) as no
mark, ゛ or ゜: the kana CNN sees a whole glyph at 32 px, where a ゜ of a few pixels is a dot
like ゛ (パ read バ). Runs in the training environment like ``train.py``; usage, from the
repository's root: ``python -m scripts.kana_model.train_marks DATA.npz OUT.onnx``.
Deterministic for the same data (seeded). Derived from KanjiVG (CC BY-SA 3.0), as its data.
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import onnx
from torch import nn

from scripts._cnn_training import Distortion, load, to_onnx, train

EPOCHS, BATCH, SEED = 8, 128, 29
SIDE = 24  # ocr._kana_model.MARK_SIDE
CLASSES = 3  # none, ゛, ゜ (ocr._kana_model.MARKS)
#: A ゜ is rare in names and in the data (one corner in 25): its corners are seen this many
#: times an epoch, each distorted anew.
RING_REPEAT = 4
#: Turned and moved a little; a corner's scale is the glyph's, so it stays nearly as it was.
DISTORTION = Distortion(angle=0.15, scale=(0.92, 1.08), shear=0.1, dx=0.08, dy=0.08)


def build() -> nn.Sequential:
    return nn.Sequential(
        nn.Conv2d(1, 16, 3, padding=1), nn.ReLU(),
        nn.Conv2d(16, 16, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(16, 32, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
        nn.Flatten(), nn.Dropout(0.3), nn.Linear(32 * 6 * 6, 64), nn.ReLU(),
        nn.Linear(64, CLASSES),
    )


def main(data: Path, out: Path) -> None:
    x, y = load(str(data))
    ring = y == 2
    x = np.concatenate([x, *[x[ring]] * (RING_REPEAT - 1)])
    y = np.concatenate([y, *[y[ring]] * (RING_REPEAT - 1)])
    model = train(build, x, y, seed=SEED, epochs=EPOCHS, batch=BATCH, distortion=DISTORTION)
    out.parent.mkdir(parents=True, exist_ok=True)
    onnx.save(to_onnx([model], name="jimu-kana-marks", side=SIDE, classes=CLASSES,
                      producer="jimu scripts/kana_model/train_marks.py",
                      doc="Derived from KanjiVG (c) Ulrich Apel, CC BY-SA 3.0, "
                          "https://kanjivg.tagaini.net - see ocr/models/NOTICE"), out)
    print(f"wrote {out} ({out.stat().st_size // 1024} KB)")


if __name__ == "__main__":
    main(Path(sys.argv[1]), Path(sys.argv[2]))
