"""Train jimu's digit CNN and write ``ocr/models/digits-cnn.onnx``.

Runs in a separate environment with PyTorch (CPU) and onnx, never in jimu's own: see
``scripts/digit_model/README.md``. Usage, from the repository's root:
``python -m scripts.digit_model.train DATA.npz OUT.onnx``. Seeded: the same data gives the
same networks, up to the order of floating-point sums across the two threads it uses.
"""

from __future__ import annotations

import sys
from pathlib import Path

import onnx
from torch import nn

from scripts._cnn_training import Distortion, load, to_onnx, train

EPOCHS, BATCH = 8, 128
SEEDS = (5, 6)  # two networks, their probabilities averaged in the one ONNX graph
#: Turned, scaled, slanted and moved a little: no two epochs see the same glyph, and no
#: real glyph is ever centred exactly.
DISTORTION = Distortion(angle=0.17, scale=(0.9, 1.1), shear=0.15, dx=0.1, dy=0.1)


def build() -> nn.Sequential:
    return nn.Sequential(
        nn.Conv2d(1, 16, 3, padding=1), nn.ReLU(),
        nn.Conv2d(16, 16, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(16, 32, 3, padding=1), nn.ReLU(),
        nn.Conv2d(32, 32, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
        nn.Flatten(), nn.Dropout(0.3), nn.Linear(32 * 7 * 7, 128), nn.ReLU(),
        nn.Dropout(0.3), nn.Linear(128, 10),
    )


def main(data: Path, out: Path) -> None:
    x, y = load(str(data))
    models = [train(build, x, y, seed=seed, epochs=EPOCHS, batch=BATCH, distortion=DISTORTION)
              for seed in SEEDS]
    out.parent.mkdir(parents=True, exist_ok=True)
    onnx.save(to_onnx(models, name="jimu-digits", side=28, classes=10,
                      producer="jimu scripts/digit_model/train.py"), out)
    print(f"wrote {out} ({out.stat().st_size // 1024} KB)")


if __name__ == "__main__":
    main(Path(sys.argv[1]), Path(sys.argv[2]))
