"""Train jimu's kana CNN and write ``ocr/models/kana-cnn.onnx``.

Runs in a separate environment with PyTorch (CPU) and onnx, never in jimu's own (``make
models`` builds it under ``var/``): see ``scripts/kana_model/README.md``. Usage:
``python train.py DATA.npz OUT.onnx``. Deterministic for the same data (seeded).
The training glyphs are derived from KanjiVG (CC BY-SA 3.0), and so is the model.
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import onnx
import torch
from onnx import TensorProto, helper, numpy_helper
from torch import nn

EPOCHS, BATCH, SEED = 5, 128, 23
SIDE = 32
CLASSES = 87  # ァ…ヶ and ー (ocr._kana_model.CLASSES)


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


def _distorted(batch: torch.Tensor, generator: torch.Generator) -> torch.Tensor:
    """Each glyph turned, slanted and moved a little at random. Its size and height stay
    nearly as they were: they tell a small kana from a large one."""
    n = batch.shape[0]

    def uniform(low: float, high: float) -> torch.Tensor:
        return low + (high - low) * torch.rand(n, generator=generator)

    angle, scale = uniform(-0.12, 0.12), uniform(0.95, 1.05)
    shear, dx, dy = uniform(-0.15, 0.15), uniform(-0.1, 0.1), uniform(-0.05, 0.05)
    cos, sin = torch.cos(angle) / scale, torch.sin(angle) / scale
    theta = torch.stack([torch.stack([cos, -sin + shear, dx], 1),
                         torch.stack([sin, cos, dy], 1)], 1)
    grid = nn.functional.affine_grid(theta, list(batch.shape), align_corners=False)
    return nn.functional.grid_sample(batch, grid, align_corners=False)


def train(x: np.ndarray, y: np.ndarray) -> nn.Sequential:
    torch.manual_seed(SEED)
    generator = torch.Generator().manual_seed(SEED)
    model = build()
    images = torch.from_numpy(x[:, None, :, :])
    labels = torch.from_numpy(y)
    optimiser = torch.optim.AdamW(model.parameters(), lr=2e-3, weight_decay=1e-4)
    steps = EPOCHS * ((len(y) + BATCH - 1) // BATCH)
    schedule = torch.optim.lr_scheduler.OneCycleLR(optimiser, max_lr=3e-3, total_steps=steps)
    loss_fn = nn.CrossEntropyLoss(label_smoothing=0.05)
    for epoch in range(EPOCHS):
        model.train()
        order = torch.randperm(len(y), generator=generator)
        total = 0.0
        for start in range(0, len(y), BATCH):
            chosen = order[start: start + BATCH]
            optimiser.zero_grad()
            loss = loss_fn(model(_distorted(images[chosen], generator)), labels[chosen])
            loss.backward()
            optimiser.step()
            schedule.step()
            total += float(loss.detach()) * len(chosen)
        print(f"epoch {epoch + 1}: loss {total / len(y):.4f}", flush=True)
    return model.eval()


def to_onnx(model: nn.Sequential) -> onnx.ModelProto:
    """The network as a plain ONNX graph (Conv, Relu, MaxPool, Flatten, Gemm, Softmax)."""
    nodes, weights = [], []
    current, n = "input", 0
    for layer in model:
        n += 1
        out = f"t{n}"
        if isinstance(layer, nn.Conv2d | nn.Linear):
            w, b = f"w{n}", f"b{n}"
            weights += [numpy_helper.from_array(layer.weight.detach().numpy(), w),
                        numpy_helper.from_array(layer.bias.detach().numpy(), b)]
            if isinstance(layer, nn.Conv2d):
                nodes.append(helper.make_node("Conv", [current, w, b], [out],
                                              pads=[1, 1, 1, 1], kernel_shape=[3, 3]))
            else:
                nodes.append(helper.make_node("Gemm", [current, w, b], [out], transB=1))
        elif isinstance(layer, nn.ReLU):
            nodes.append(helper.make_node("Relu", [current], [out]))
        elif isinstance(layer, nn.MaxPool2d):
            nodes.append(helper.make_node("MaxPool", [current], [out], kernel_shape=[2, 2],
                                          strides=[2, 2]))
        elif isinstance(layer, nn.Flatten):
            nodes.append(helper.make_node("Flatten", [current], [out], axis=1))
        else:  # Dropout: nothing at inference
            continue
        current = out
    nodes.append(helper.make_node("Softmax", [current], ["probabilities"], axis=1))
    graph = helper.make_graph(
        nodes, "jimu-kana",
        [helper.make_tensor_value_info("input", TensorProto.FLOAT, ["n", 1, SIDE, SIDE])],
        [helper.make_tensor_value_info("probabilities", TensorProto.FLOAT, ["n", CLASSES])],
        initializer=weights,
    )
    proto = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)],
                              producer_name="jimu scripts/kana_model/train.py")
    proto.ir_version = 8
    proto.doc_string = ("Derived from KanjiVG (c) Ulrich Apel, CC BY-SA 3.0, "
                        "https://kanjivg.tagaini.net - see ocr/models/NOTICE")
    onnx.checker.check_model(proto)
    return proto


def main(data: Path, out: Path) -> None:
    torch.set_num_threads(2)
    loaded = np.load(data)
    x, y = loaded["x"].astype(np.float32), loaded["y"].astype(np.int64)
    model = train(x, y)
    out.parent.mkdir(parents=True, exist_ok=True)
    onnx.save(to_onnx(model), out)
    print(f"wrote {out} ({out.stat().st_size // 1024} KB)")


if __name__ == "__main__":
    main(Path(sys.argv[1]), Path(sys.argv[2]))
