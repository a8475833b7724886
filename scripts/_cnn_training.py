"""What the digit and the kana model's training share: random distortion of a batch, the
training loop, and export as a plain ONNX graph (Conv, Relu, MaxPool, Flatten, Gemm,
Softmax) that jimu reads with onnxruntime alone.

Runs in the training environment (PyTorch CPU and onnx; ``make models`` builds it under
``var/``), never in jimu's own. Used by ``scripts/digit_model/train.py`` and
``scripts/kana_model/train.py``, run from the repository's root with ``python -m``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
import onnx
import torch
from onnx import TensorProto, helper, numpy_helper
from torch import nn


@dataclass(frozen=True)
class Distortion:
    """How far each glyph is turned (radians), scaled, slanted and moved (shares of its
    side) at random, each drawn uniformly within ± the value (scale: within the range)."""

    angle: float
    scale: tuple[float, float]
    shear: float
    dx: float
    dy: float

    def __call__(self, batch: torch.Tensor, generator: torch.Generator) -> torch.Tensor:
        n = batch.shape[0]

        def uniform(low: float, high: float) -> torch.Tensor:
            return low + (high - low) * torch.rand(n, generator=generator)

        angle, scale = uniform(-self.angle, self.angle), uniform(*self.scale)
        shear = uniform(-self.shear, self.shear)
        dx, dy = uniform(-self.dx, self.dx), uniform(-self.dy, self.dy)
        cos, sin = torch.cos(angle) / scale, torch.sin(angle) / scale
        theta = torch.stack([torch.stack([cos, -sin + shear, dx], 1),
                             torch.stack([sin, cos, dy], 1)], 1)
        grid = nn.functional.affine_grid(theta, list(batch.shape), align_corners=False)
        return nn.functional.grid_sample(batch, grid, align_corners=False)


def train(build: Callable[[], nn.Sequential], x: np.ndarray, y: np.ndarray, *, seed: int,
          epochs: int, batch: int, distortion: Distortion) -> nn.Sequential:
    """A network from ``build`` trained on glyphs ``x`` (N×H×W, 0–1) and labels ``y``,
    each batch distorted anew; seeded, so the same data gives the same network (up to the
    order of floating-point sums across its two threads)."""
    torch.set_num_threads(2)
    torch.manual_seed(seed)
    generator = torch.Generator().manual_seed(seed)
    model = build()
    images = torch.from_numpy(x[:, None, :, :])
    labels = torch.from_numpy(y)
    optimiser = torch.optim.AdamW(model.parameters(), lr=2e-3, weight_decay=1e-4)
    steps = epochs * ((len(y) + batch - 1) // batch)
    schedule = torch.optim.lr_scheduler.OneCycleLR(optimiser, max_lr=3e-3, total_steps=steps)
    loss_fn = nn.CrossEntropyLoss(label_smoothing=0.05)
    for epoch in range(epochs):
        model.train()
        order = torch.randperm(len(y), generator=generator)
        total = 0.0
        for start in range(0, len(y), batch):
            chosen = order[start: start + batch]
            optimiser.zero_grad()
            loss = loss_fn(model(distortion(images[chosen], generator)), labels[chosen])
            loss.backward()
            optimiser.step()
            schedule.step()
            total += float(loss.detach()) * len(chosen)
        print(f"seed {seed} epoch {epoch + 1}: loss {total / len(y):.4f}", flush=True)
    return model.eval()


def _branch(model: nn.Sequential, prefix: str, probabilities: str
            ) -> tuple[list[onnx.NodeProto], list[onnx.TensorProto]]:
    """One network as ONNX nodes from ``input`` to ``probabilities``, and its weights."""
    nodes, weights = [], []
    current, n = "input", 0
    for layer in model:
        n += 1
        out = f"{prefix}t{n}"
        if isinstance(layer, nn.Conv2d | nn.Linear):
            w, b = f"{prefix}w{n}", f"{prefix}b{n}"
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
    nodes.append(helper.make_node("Softmax", [current], [probabilities], axis=1))
    return nodes, weights


def to_onnx(models: Sequence[nn.Sequential], *, name: str, side: int, classes: int,
            producer: str, doc: str = "") -> onnx.ModelProto:
    """The networks as one ONNX graph, ``input`` (n×1×side×side) to ``probabilities``
    (n×classes): one network's own, or the mean of several networks'."""
    nodes: list[onnx.NodeProto] = []
    weights: list[onnx.TensorProto] = []
    if len(models) == 1:
        nodes, weights = _branch(models[0], "", "probabilities")
    else:
        outputs = []
        for i, model in enumerate(models):
            branch, branch_weights = _branch(model, f"m{i}_", f"m{i}_probs")
            nodes += branch
            weights += branch_weights
            outputs.append(f"m{i}_probs")
        weights.append(numpy_helper.from_array(np.array(len(models), np.float32), "count"))
        nodes += [helper.make_node("Sum", outputs, ["total"]),
                  helper.make_node("Div", ["total", "count"], ["probabilities"])]
    graph = helper.make_graph(
        nodes, name,
        [helper.make_tensor_value_info("input", TensorProto.FLOAT, ["n", 1, side, side])],
        [helper.make_tensor_value_info("probabilities", TensorProto.FLOAT, ["n", classes])],
        initializer=weights,
    )
    proto = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)],
                              producer_name=producer)
    proto.ir_version = 8
    if doc:
        proto.doc_string = doc
    onnx.checker.check_model(proto)
    return proto


def load(data: str) -> tuple[np.ndarray, np.ndarray]:
    """Glyphs (float32) and labels (int64) of a training ``.npz`` (``x``, ``y``)."""
    loaded = np.load(data)
    return loaded["x"].astype(np.float32), loaded["y"].astype(np.int64)
