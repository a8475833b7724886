"""Train jimu's kana CNN and write ``ocr/models/kana-cnn.onnx``.

Runs in a separate environment with PyTorch (CPU) and onnx, never in jimu's own (``make
models`` builds it under ``var/``): see ``scripts/kana_model/README.md``. Usage, from the
repository's root: ``python -m scripts.kana_model.train DATA.npz OUT.onnx``. Deterministic
for the same data (seeded). The training glyphs are derived from KanjiVG (CC BY-SA 3.0), and
so is the model.
"""

from __future__ import annotations

import sys
from pathlib import Path

import onnx
from torch import nn

from scripts._cnn_training import Distortion, load, to_onnx, train

EPOCHS, BATCH, SEED = 6, 128, 23
SIDE = 32
CLASSES = 87  # ァ…ヶ and ー (ocr._kana_model.CLASSES)
#: Turned, slanted and moved a little. Size and height stay nearly as they were: they tell
#: a small kana from a large one.
DISTORTION = Distortion(angle=0.12, scale=(0.95, 1.05), shear=0.15, dx=0.1, dy=0.05)


def build() -> nn.Sequential:
    return nn.Sequential(
        nn.Conv2d(1, 16, 3, padding=1), nn.ReLU(),
        nn.Conv2d(16, 16, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(16, 32, 3, padding=1), nn.ReLU(),
        nn.Conv2d(32, 32, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(32, 64, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
        nn.Flatten(), nn.Dropout(0.3), nn.Linear(64 * 4 * 4, 192), nn.ReLU(),
        nn.Dropout(0.3), nn.Linear(192, CLASSES),
    )


def main(data: Path, out: Path) -> None:
    x, y = load(str(data))
    model = train(build, x, y, seed=SEED, epochs=EPOCHS, batch=BATCH, distortion=DISTORTION)
    out.parent.mkdir(parents=True, exist_ok=True)
    onnx.save(to_onnx([model], name="jimu-kana", side=SIDE, classes=CLASSES,
                      producer="jimu scripts/kana_model/train.py",
                      doc="Derived from KanjiVG (c) Ulrich Apel, CC BY-SA 3.0, "
                          "https://kanjivg.tagaini.net - see ocr/models/NOTICE"), out)
    print(f"wrote {out} ({out.stat().st_size // 1024} KB)")


if __name__ == "__main__":
    main(Path(sys.argv[1]), Path(sys.argv[2]))
