"""Train jimu's digit CNN and write ``ocr/models/digits-cnn.onnx``.

Runs in a separate environment with PyTorch (CPU) and onnx, never in jimu's own: see
``scripts/digit_model/README.md``. Usage: ``python train.py DATA.npz OUT.onnx``.
Seeded: the same data gives the same networks, up to the order of floating-point sums
across the two threads it uses.
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import onnx
import torch
from onnx import TensorProto, helper, numpy_helper
from torch import nn

EPOCHS, BATCH = 8, 128
SEEDS = (5, 6)  # two networks, their probabilities averaged in the one ONNX graph


def build() -> nn.Sequential:
    return nn.Sequential(
        nn.Conv2d(1, 16, 3, padding=1), nn.ReLU(),
        nn.Conv2d(16, 16, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(16, 32, 3, padding=1), nn.ReLU(),
        nn.Conv2d(32, 32, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
        nn.Flatten(), nn.Dropout(0.3), nn.Linear(32 * 7 * 7, 128), nn.ReLU(),
        nn.Dropout(0.3), nn.Linear(128, 10),
    )


def _distorted(batch: torch.Tensor, generator: torch.Generator) -> torch.Tensor:
    """Each image turned, scaled, slanted and moved a little at random: no two epochs see
    the same glyph, and no real glyph is ever centred exactly."""
    n = batch.shape[0]

    def uniform(low: float, high: float) -> torch.Tensor:
        return low + (high - low) * torch.rand(n, generator=generator)

    angle, scale = uniform(-0.17, 0.17), uniform(0.9, 1.1)
    shear, dx, dy = uniform(-0.15, 0.15), uniform(-0.1, 0.1), uniform(-0.1, 0.1)
    cos, sin = torch.cos(angle) / scale, torch.sin(angle) / scale
    theta = torch.stack([torch.stack([cos, -sin + shear, dx], 1),
                         torch.stack([sin, cos, dy], 1)], 1)
    grid = nn.functional.affine_grid(theta, list(batch.shape), align_corners=False)
    return nn.functional.grid_sample(batch, grid, align_corners=False)


def train(x: np.ndarray, y: np.ndarray, seed: int) -> nn.Sequential:
    torch.manual_seed(seed)
    generator = torch.Generator().manual_seed(seed)
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
        print(f"seed {seed} epoch {epoch + 1}: loss {total / len(y):.4f}", flush=True)
    return model.eval()


def _branch(model: nn.Sequential, prefix: str) -> tuple[list[onnx.NodeProto],
                                                        list[onnx.TensorProto], str]:
    """One network as ONNX nodes (Conv, Relu, MaxPool, Flatten, Gemm, Softmax) from
    ``input``; returns the nodes, their weights and the name of its probabilities."""
    nodes, weights = [], []
    current, n = "input", 0
    for layer in model:
        n += 1
        out = f"{prefix}t{n}"
        if isinstance(layer, nn.Conv2d):
            w, b = f"{prefix}w{n}", f"{prefix}b{n}"
            weights += [numpy_helper.from_array(layer.weight.detach().numpy(), w),
                        numpy_helper.from_array(layer.bias.detach().numpy(), b)]
            nodes.append(helper.make_node("Conv", [current, w, b], [out], pads=[1, 1, 1, 1],
                                          kernel_shape=[3, 3]))
        elif isinstance(layer, nn.ReLU):
            nodes.append(helper.make_node("Relu", [current], [out]))
        elif isinstance(layer, nn.MaxPool2d):
            nodes.append(helper.make_node("MaxPool", [current], [out], kernel_shape=[2, 2],
                                          strides=[2, 2]))
        elif isinstance(layer, nn.Flatten):
            nodes.append(helper.make_node("Flatten", [current], [out], axis=1))
        elif isinstance(layer, nn.Linear):
            w, b = f"{prefix}w{n}", f"{prefix}b{n}"
            weights += [numpy_helper.from_array(layer.weight.detach().numpy(), w),
                        numpy_helper.from_array(layer.bias.detach().numpy(), b)]
            nodes.append(helper.make_node("Gemm", [current, w, b], [out], transB=1))
        else:  # Dropout: nothing at inference
            continue
        current = out
    nodes.append(helper.make_node("Softmax", [current], [f"{prefix}probs"], axis=1))
    return nodes, weights, f"{prefix}probs"


def to_onnx(models: list[nn.Sequential]) -> onnx.ModelProto:
    """The networks as one plain ONNX graph: the mean of their probabilities out."""
    nodes, weights, outputs = [], [], []
    for i, model in enumerate(models):
        branch, branch_weights, probs = _branch(model, f"m{i}_")
        nodes += branch
        weights += branch_weights
        outputs.append(probs)
    weights.append(numpy_helper.from_array(np.array(len(models), np.float32), "count"))
    nodes += [helper.make_node("Sum", outputs, ["total"]),
              helper.make_node("Div", ["total", "count"], ["probabilities"])]
    graph = helper.make_graph(
        nodes, "jimu-digits",
        [helper.make_tensor_value_info("input", TensorProto.FLOAT, ["n", 1, 28, 28])],
        [helper.make_tensor_value_info("probabilities", TensorProto.FLOAT, ["n", 10])],
        initializer=weights,
    )
    proto = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)],
                              producer_name="jimu scripts/digit_model/train.py")
    proto.ir_version = 8
    onnx.checker.check_model(proto)
    return proto


def main(data: Path, out: Path) -> None:
    torch.set_num_threads(2)
    loaded = np.load(data)
    x, y = loaded["x"].astype(np.float32), loaded["y"].astype(np.int64)
    models = [train(x, y, seed) for seed in SEEDS]
    out.parent.mkdir(parents=True, exist_ok=True)
    onnx.save(to_onnx(models), out)
    print(f"wrote {out} ({out.stat().st_size // 1024} KB)")


if __name__ == "__main__":
    main(Path(sys.argv[1]), Path(sys.argv[2]))
